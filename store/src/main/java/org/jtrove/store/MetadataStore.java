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
    public final BackupRepository backups;
    public final ParameterRepository parameters;
    public final ConfigurationRepository configurations;
    public final CharsetRepository charsets;

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
        this.backups = new BackupRepository(jdbi);
        this.parameters = new ParameterRepository(jdbi);
        this.configurations = new ConfigurationRepository(jdbi);
        this.charsets = new CharsetRepository(jdbi);
    }

    /**
     * The embedded default: one H2 file under the state directory, reachable by a second local process (the
     * manage command) through H2's auto-server, which listens on loopback only and needs the password kept in
     * STATE/metadata.secret (mode 0600).
     */
    public static MetadataStore embedded(java.nio.file.Path stateDir) {
        System.setProperty("h2.bindAddress", "127.0.0.1");
        java.nio.file.Path dir = stateDir.resolve("metadata");
        try {
            java.nio.file.Files.createDirectories(dir);
            java.nio.file.Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot create " + dir + ": " + e.getMessage(), e);
        }
        String url = "jdbc:h2:file:" + dir.resolve("metadata").toAbsolutePath() + ";AUTO_SERVER=TRUE";
        return new MetadataStore(url, "jtrove", secret(dir.resolve("metadata.secret")));
    }

    private static String secret(java.nio.file.Path file) {
        try {
            if (!java.nio.file.Files.exists(file)) {
                byte[] bytes = new byte[24];
                new java.security.SecureRandom().nextBytes(bytes);
                java.nio.file.Files.createFile(file, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                        java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
                java.nio.file.Files.writeString(file, java.util.HexFormat.of().formatHex(bytes));
            }
            return java.nio.file.Files.readString(file).trim();
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot read or create " + file + ": " + e.getMessage(), e);
        }
    }

    public Jdbi jdbi() {
        return jdbi;
    }

    @Override
    public void close() {
        dataSource.close();
    }
}
