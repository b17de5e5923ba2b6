package org.jtrove.guestagent;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jtrove.model.JtroveException;
import org.jtrove.model.config.ConfigCatalogue;
import org.jtrove.model.config.ConfigParameter;
import org.jtrove.model.guest.DatabaseSpec;
import org.jtrove.model.guest.NameRules;
import org.jtrove.model.guest.ServerBuild;
import org.jtrove.model.guest.UserSpec;

/**
 * One datastore's plugin on the guest side: how to initialise, configure, start and reach its server, and how
 * to manage databases, users and root on it. Adding a datastore means one package implementing this.
 * Every name reaching SQL has passed {@link #names()} and is quoted by the implementation.
 */
public interface Datastore {
    /** Trove's datastore manager name, e.g. "postgresql" or "mysql". */
    String manager();

    /** Default datastore name to register builds under, e.g. "postgresql" or "mariadb". */
    String datastoreName();

    int port();

    NameRules names();

    /** Server builds of this datastore installed on this host. */
    List<ServerBuild> discover();

    /** Maven artifacts ("group:artifact") that ship server builds of this datastore. */
    default List<String> mavenArtifacts() {
        return List.of();
    }

    /**
     * Unpacks a server build shipped as the Maven artifact {@code coordinates} ("group:artifact:version") from
     * {@code jar} into {@code into}, and describes it.
     */
    default ServerBuild unpackArtifact(String coordinates, Path jar, Path into) throws Exception {
        throw new UnsupportedOperationException(datastoreName() + " has no Maven-shipped builds");
    }

    /** Name of the user that {@link #enableRoot} creates. */
    String rootUserName();

    /** Initialises a data directory to be copied for each new instance, with an admin user of this password. */
    void initTemplate(ServerBuild build, Path dataDir, String adminPassword, GuestHost host) throws Exception;

    /** Writes the instance's own configuration (address, port, memory from the flavor) next to its data. */
    void configure(InstanceContext ctx, GuestHost host) throws Exception;

    List<String> startCommand(InstanceContext ctx);

    /** The process name the server runs as, to recognise an adopted pid. */
    String processName();

    /**
     * The signal that stops the server promptly without losing committed data (PostgreSQL: INT, a fast
     * shutdown that does not wait for clients; MariaDB: TERM).
     */
    default String stopSignal() {
        return "TERM";
    }

    Connection connectAdmin(InstanceContext ctx, String password, String database) throws SQLException;

    void changeAdminPassword(Connection c, String newPassword) throws SQLException;

    void createDatabase(InstanceContext ctx, Connection c, DatabaseSpec db) throws SQLException;

    List<String> listDatabases(Connection c) throws SQLException;

    void dropDatabase(Connection c, String name) throws SQLException;

    void createUser(InstanceContext ctx, Connection c, String adminPassword, UserSpec user) throws SQLException;

    List<UserSpec> listUsers(Connection c) throws SQLException;

    void dropUser(InstanceContext ctx, Connection c, String adminPassword, String name, String host) throws SQLException;

    void setPassword(Connection c, String name, String host, String password) throws SQLException;

    void renameUser(Connection c, String name, String host, String newName, String newHost) throws SQLException;

    void grant(InstanceContext ctx, Connection c, String adminPassword, String name, String host, List<String> databases)
            throws SQLException;

    void revoke(InstanceContext ctx, Connection c, String adminPassword, String name, String host, String database)
            throws SQLException;

    List<String> listAccess(Connection c, String name, String host) throws SQLException;

    void enableRoot(Connection c, String password) throws SQLException;

    void disableRoot(Connection c) throws SQLException;

    boolean isRootEnabled(Connection c) throws SQLException;

    // ---- configuration groups --------------------------------------------------------------------------------

    /**
     * The parameters a configuration group may set on {@code serverVersion}: the {@code parameters.json} shipped in
     * the plugin's package (see {@link ConfigCatalogue}); empty when there is none.
     */
    default List<ConfigParameter> parameters(String serverVersion) {
        try (InputStream in = getClass().getResourceAsStream("parameters.json")) {
            return in == null ? List.of() : ConfigCatalogue.parse(in, serverVersion);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Makes {@code values} (already checked against {@link #parameters}) the instance's configuration-group
     * settings: written where the server reads them at every start, ahead of the flavor's defaults, and, when the
     * server runs ({@code adminPassword} not null), the dynamic ones applied at once. {@code removed} are names set
     * before and no longer: they go back to their defaults. Needs no JDBC connection from the caller, so that
     * non-SQL datastores can implement it.
     *
     * @return whether some change takes effect only after the server restarts
     */
    default boolean applyConfiguration(InstanceContext ctx, GuestHost host, String adminPassword,
                                       Map<String, Object> values, Set<String> removed) throws Exception {
        throw JtroveException.unprocessable("Configuration groups are not supported for this datastore.");
    }

    /** The values in effect on the running server for {@code parameters}, typed like the catalogue. */
    default Map<String, Object> effectiveConfiguration(InstanceContext ctx, String adminPassword,
                                                       List<ConfigParameter> parameters) throws Exception {
        throw JtroveException.unprocessable("Configuration groups are not supported for this datastore.");
    }
}
