package org.jtrove.guestagent;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jtrove.guestagent.backup.BackupPayload;
import org.jtrove.model.JtroveException;
import org.jtrove.model.config.ConfigCatalogue;
import org.jtrove.model.config.ConfigParameter;
import org.jtrove.model.guest.CharacterSets;
import org.jtrove.model.guest.ServerBuild;

/**
 * One datastore's plugin on the guest side: how to initialise, configure, start and check its server, and its
 * admin and root users. Adding a datastore means one package implementing this; a datastore with databases and
 * users (Trove's SQL family) implements {@link SqlDatastore}.
 */
public interface Datastore {
    /** Trove's datastore manager name, e.g. "postgresql" or "mysql". */
    String manager();

    /** Default datastore name to register builds under, e.g. "postgresql" or "mariadb". */
    String datastoreName();

    int port();

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

    /**
     * Another datastore name this plugin's builds are registered under too, each build's version there named
     * {@code <version><versionSuffix>} so that it says what it is (MariaDB serves Trove's "mysql" as "10.11-mariadb").
     */
    record Alias(String datastoreName, String versionSuffix) {
        public String versionName(String version) {
            return version + versionSuffix;
        }
    }

    /** The other datastore names this plugin's builds serve; none by default. */
    default List<Alias> aliases() {
        return List.of();
    }

    /**
     * The character sets and collations {@code build} offers, read from the build itself: it is run once, without
     * networking, in {@code workDir} (an empty directory the unprivileged user of {@code host} owns). Nothing by
     * default (a datastore without databases).
     */
    default CharacterSets characterSets(ServerBuild build, Path workDir, GuestHost host) throws Exception {
        return CharacterSets.UNKNOWN;
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

    /** Whether the server answers a trivial request as the admin user; never throws. */
    boolean ping(InstanceContext ctx, String adminPassword);

    /**
     * Streams a backup of the running server into {@code out} without stopping it, and returns what a later
     * incremental backup or a restore needs to know about it (JSON text). {@code parentMeta} is that of the
     * parent for an incremental backup, null for a full one. The data must never be held in memory whole.
     */
    default String backup(InstanceContext ctx, String adminPassword, String parentMeta, OutputStream out,
                          GuestHost host) throws Exception {
        throw JtroveException.notImplemented("Backups are not supported for the " + datastoreName() + " datastore.");
    }

    /**
     * A new continuous archive of one instance's logs, for point-in-time restore (one per guest agent); null when
     * the datastore has none.
     */
    default LogArchive logArchive() {
        return null;
    }

    /** Runs once the server answers after a start (e.g. to finish a restore); nothing by default. */
    default void afterStart(InstanceContext ctx, GuestHost host, String adminPassword) throws Exception {
    }

    /**
     * Rebuilds {@code ctx.dataDir()} (absent when called) from a chain of backups, the full backup first, so
     * that the server started on it holds the data of the last backup of the chain.
     */
    default void restore(InstanceContext ctx, List<BackupPayload> chain, GuestHost host) throws Exception {
        throw JtroveException.notImplemented("Restores are not supported for the " + datastoreName() + " datastore.");
    }

    /** The plugin's replication, or null when its datastore has none (replica requests are refused). */
    default Replication replication() {
        return null;
    }

    /** Replaces the admin user's password (the template's one at prepare) with {@code newPassword}. */
    void changeAdminPassword(InstanceContext ctx, String oldPassword, String newPassword) throws Exception;

    /** Enables {@link #rootUserName()} with {@code password}; it must survive server restarts. */
    void enableRoot(InstanceContext ctx, String adminPassword, String password) throws Exception;

    void disableRoot(InstanceContext ctx, String adminPassword) throws Exception;

    boolean isRootEnabled(InstanceContext ctx, String adminPassword) throws Exception;

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

    /** {@link #parameters} by name, for the instance's server build. */
    default Map<String, ConfigParameter> catalogue(InstanceContext ctx) {
        Map<String, ConfigParameter> out = new LinkedHashMap<>();
        parameters(ctx.build().version()).forEach(p -> out.put(p.name(), p));
        return out;
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
