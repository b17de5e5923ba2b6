package org.jtrove.guestagent;

import java.util.List;
import java.util.Optional;
import org.jtrove.guestagent.mariadb.MariadbDatastore;
import org.jtrove.guestagent.postgresql.PostgresqlDatastore;
import org.jtrove.guestagent.redis.RedisDatastore;
import org.jtrove.model.JtroveException;

/** The datastore plugins this build knows, by Trove manager name. */
public final class Datastores {
    private final List<Datastore> all;

    public Datastores(List<Datastore> all) {
        this.all = List.copyOf(all);
    }

    public static Datastores builtIn() {
        return new Datastores(List.of(new PostgresqlDatastore(), new MariadbDatastore(), new RedisDatastore()));
    }

    public List<Datastore> all() {
        return all;
    }

    public Optional<Datastore> find(String manager) {
        String m = "mariadb".equals(manager) ? "mysql" : manager;
        return all.stream().filter(d -> d.manager().equals(m)).findFirst();
    }

    public Datastore get(String manager) {
        return find(manager).orElseThrow(() -> JtroveException.notImplemented(
                "No guest agent plugin for datastore manager '" + manager + "'."));
    }
}
