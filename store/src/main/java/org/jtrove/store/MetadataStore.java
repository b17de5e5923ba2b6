package org.jtrove.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.flywaydb.core.Flyway;
import org.jdbi.v3.core.Jdbi;

/**
 * The SQL metadata store: an embedded H2 file database by default, any JDBC URL (PostgreSQL, MariaDB) in
 * production. Schema changes are versioned Flyway migrations applied at start-up.
 */
public final class MetadataStore implements AutoCloseable {
    private final HikariDataSource dataSource;
    private final Jdbi jdbi;
    public final DatastoreRepository datastores;
    public final FlavorRepository flavors;
    public final InstanceRepository instances;
    public final ServiceStatusRepository serviceStatuses;
    public final TaskRepository tasks;
    public final IdentityRepository identity;
    public final QuotaRepository quotas;

    public MetadataStore(String jdbcUrl, String user, String password) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(jdbcUrl);
        config.setUsername(user);
        config.setPassword(password);
        config.setMaximumPoolSize(8);
        config.setPoolName("metadata");
        this.dataSource = new HikariDataSource(config);
        try {
            Flyway.configure().dataSource(dataSource).locations("classpath:db/migration").load().migrate();
        } catch (RuntimeException e) {
            dataSource.close();
            throw e;
        }
        this.jdbi = Jdbi.create(dataSource);
        this.datastores = new DatastoreRepository(jdbi);
        this.flavors = new FlavorRepository(jdbi);
        this.instances = new InstanceRepository(jdbi);
        this.serviceStatuses = new ServiceStatusRepository(jdbi);
        this.tasks = new TaskRepository(jdbi);
        this.identity = new IdentityRepository(jdbi);
        this.quotas = new QuotaRepository(jdbi);
    }

    /** The embedded default: one H2 file under the state directory, reachable by a second local process. */
    public static MetadataStore embedded(java.nio.file.Path stateDir) {
        String url = "jdbc:h2:file:" + stateDir.resolve("metadata").toAbsolutePath()
                + ";AUTO_SERVER=TRUE";
        return new MetadataStore(url, "jtrove", "");
    }

    public Jdbi jdbi() {
        return jdbi;
    }

    @Override
    public void close() {
        dataSource.close();
    }
}
