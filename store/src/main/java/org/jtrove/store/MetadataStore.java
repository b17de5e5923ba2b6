package org.jtrove.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.pool.HikariPool;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.Properties;
import org.jdbi.v3.core.Jdbi;

/**
 * The SQL metadata store: an embedded H2 file database by default; MariaDB or PostgreSQL (a JDBC URL, or an
 * oslo.db URL through {@link #connect}) when several services or hosts share it. Schema changes are Flyway
 * migrations ({@link SchemaMigrations}), applied or only checked at start-up ({@link SchemaMode}).
 *
 * <p>Connections come from a HikariCP pool. While the database server is down or restarting, a request fails
 * within {@link Options#poolTimeout()} with {@link StoreUnavailableException} (503); once the server is back the
 * pool opens new connections and the same store object works again.
 */
public final class MetadataStore implements AutoCloseable {
    /** What opening a store does with its schema. */
    public enum SchemaMode {
        /** Applies pending migrations ({@code jtrove manage db_sync}, the all-in-one server). */
        MIGRATE,
        /** Refuses a schema that is behind, saying to run {@code jtrove manage db_sync} (the services). */
        VALIDATE
    }

    /**
     * How the store is opened; the pool's settings are named after oslo.db's {@code [database]} options.
     *
     * @param schema                migrate or only validate the schema
     * @param maxPoolSize           {@code max_pool_size}: connections kept open at most
     * @param poolTimeout           {@code pool_timeout}: how long a request waits for a connection before it fails
     *                              with 503 (also how long the first connection is awaited at start)
     * @param connectionRecycleTime {@code connection_recycle_time}: a connection is replaced after this long
     */
    public record Options(SchemaMode schema, int maxPoolSize, Duration poolTimeout, Duration connectionRecycleTime) {
        /** Migrate; 8 connections; 10 s pool timeout; connections recycled after an hour (oslo.db's default). */
        public static final Options DEFAULT = new Options(SchemaMode.MIGRATE, 8, Duration.ofSeconds(10),
                Duration.ofHours(1));

        public Options {
            if (maxPoolSize < 1 || poolTimeout.toMillis() < 250 || connectionRecycleTime.toSeconds() < 30) {
                throw new IllegalArgumentException("[database] max_pool_size must be at least 1, pool_timeout at"
                        + " least 0.25 s and connection_recycle_time at least 30 s");
            }
        }

        /** These options with {@code mode} instead of their schema mode. */
        public Options withSchema(SchemaMode mode) {
            return new Options(mode, maxPoolSize, poolTimeout, connectionRecycleTime);
        }
    }

    private final HikariDataSource dataSource;
    private final SchemaMigrations schema;
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
    public final GuestOperationRepository guestOperations;
    public final ComputeHostRepository computeHosts;
    private final StoreVendor vendor;
    public final CharsetRepository charsets;

    /**
     * Opens the store at {@code jdbcUrl} ({@code jdbc:h2:}, {@code jdbc:postgresql:} or {@code jdbc:mariadb:})
     * and brings its schema up to date.
     *
     * @param secrets encrypts task payloads at rest (see {@link SecretBox})
     */
    public MetadataStore(String jdbcUrl, String user, String password, SecretBox secrets) {
        this(jdbcUrl, user, password, secrets, Options.DEFAULT);
    }

    /**
     * Opens the store at {@code jdbcUrl} with {@code options}.
     *
     * @throws IllegalStateException if the database cannot be reached within the pool timeout, or (with
     *                               {@link SchemaMode#VALIDATE}) its schema is behind
     */
    public MetadataStore(String jdbcUrl, String user, String password, SecretBox secrets, Options options) {
        this(jdbcUrl, user, password, Map.of(), secrets, options);
    }

    private MetadataStore(String jdbcUrl, String user, String password, Map<String, String> driverProperties,
                          SecretBox secrets, Options options) {
        this.vendor = StoreVendor.of(jdbcUrl);
        this.dataSource = pool(jdbcUrl, user, password, driverProperties, options);
        try {
            this.schema = new SchemaMigrations(dataSource, vendor);
            if (options.schema() == SchemaMode.MIGRATE) {
                schema.migrate();
            } else {
                schema.requireCurrent();
            }
        } catch (RuntimeException e) {
            dataSource.close();
            throw e;
        }
        this.jdbi = ConnectionGuard.jdbi(dataSource);
        InstantColumns.register(jdbi, vendor.zone());
        this.datastores = new DatastoreRepository(jdbi);
        this.flavors = new FlavorRepository(jdbi);
        this.tasks = new TaskRepository(jdbi, secrets);
        this.instances = new InstanceRepository(jdbi, tasks);
        this.serviceStatuses = new ServiceStatusRepository(jdbi);
        this.identity = new IdentityRepository(jdbi);
        this.quotas = new QuotaRepository(jdbi);
        this.backups = new BackupRepository(jdbi, tasks);
        this.parameters = new ParameterRepository(jdbi);
        this.configurations = new ConfigurationRepository(jdbi, tasks);
        this.guestOperations = new GuestOperationRepository(jdbi);
        this.computeHosts = new ComputeHostRepository(jdbi);
        this.charsets = new CharsetRepository(jdbi);
    }

    /**
     * Makes every committed change safe from a power loss before an answer is sent. PostgreSQL and MariaDB sync
     * their log at each commit already; the embedded H2 store writes each commit to the file at once
     * ({@code WRITE_DELAY=0}, so a killed process loses nothing) but syncs only here ({@code CHECKPOINT SYNC}).
     */
    public void syncDurably() {
        if (vendor.embedded()) {
            jdbi.useHandle(h -> h.execute("CHECKPOINT SYNC"));
        }
    }

    /**
     * Opens the store named by {@code connection}, an oslo.db URL as {@code [database] connection} holds it
     * ({@code mysql+pymysql://user:password@host/database?charset=utf8}, {@code postgresql://...}; see
     * {@link DatabaseUrl}).
     *
     * @throws IllegalArgumentException if the URL is not one jtrove can use (the message says what to write)
     */
    public static MetadataStore connect(String connection, SecretBox secrets, Options options) {
        DatabaseUrl url = DatabaseUrl.parse(connection);
        return new MetadataStore(url.jdbcUrl(), url.user(), url.password(), url.driverProperties(), secrets, options);
    }

    /**
     * The embedded default: one H2 file under the state directory, reachable by a second local process (the
     * manage command) through H2's auto-server, which listens on loopback only and needs the password kept in
     * STATE/metadata.secret (mode 0600).
     */
    public static MetadataStore embedded(Path stateDir, SecretBox secrets) {
        return embedded(stateDir, secrets, Options.DEFAULT);
    }

    /** As {@link #embedded(Path, SecretBox)}, with {@code options}. */
    public static MetadataStore embedded(Path stateDir, SecretBox secrets, Options options) {
        System.setProperty("h2.bindAddress", "127.0.0.1");
        Path dir = stateDir.resolve("metadata");
        try {
            Files.createDirectories(dir);
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        } catch (IOException e) {
            throw new IllegalStateException("cannot create " + dir + ": " + e.getMessage(), e);
        }
        // WRITE_DELAY=0: H2 otherwise keeps commits in memory for up to 500 ms, and a killed process forgets
        // requests it had already answered.
        String url = "jdbc:h2:file:" + dir.resolve("metadata").toAbsolutePath() + ";AUTO_SERVER=TRUE;WRITE_DELAY=0";
        return new MetadataStore(url, "jtrove", secret(dir.resolve("metadata.secret")), secrets, options);
    }

    private static String secret(Path file) {
        try {
            if (!Files.exists(file)) {
                byte[] bytes = new byte[24];
                new SecureRandom().nextBytes(bytes);
                Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                Files.writeString(file, HexFormat.of().formatHex(bytes));
            }
            return Files.readString(file).trim();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read or create " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * The pool: its timeout bounds every wait for a connection; connections are checked before use and recycled;
     * READ COMMITTED everywhere (H2's and PostgreSQL's default; MariaDB's REPEATABLE READ would let a request read
     * rows older than the lock it waited for); server databases get their vendor's socket timeouts.
     */
    private HikariDataSource pool(String jdbcUrl, String user, String password, Map<String, String> driverProperties,
                                  Options options) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(jdbcUrl);
        config.setUsername(user);
        config.setPassword(password);
        config.setPoolName("metadata");
        config.setMaximumPoolSize(options.maxPoolSize());
        long timeout = options.poolTimeout().toMillis();
        config.setConnectionTimeout(timeout);
        config.setValidationTimeout(Math.max(250, Math.min(2000, timeout / 2)));
        config.setInitializationFailTimeout(timeout);
        long lifetime = options.connectionRecycleTime().toMillis();
        config.setMaxLifetime(lifetime);
        config.setKeepaliveTime(Math.min(120_000, lifetime / 2));
        config.setTransactionIsolation("TRANSACTION_READ_COMMITTED");
        if (!vendor.embedded()) {
            Properties properties = vendor.driverDefaults();
            properties.putAll(driverProperties);
            config.setDataSourceProperties(properties);
        }
        config.setConnectionInitSql(vendor.connectionInitSql());
        try {
            return new HikariDataSource(config);
        } catch (HikariPool.PoolInitializationException e) {
            Throwable root = e;
            while (root.getCause() != null) {
                root = root.getCause();
            }
            throw new IllegalStateException("cannot reach the metadata store at " + DatabaseUrl.redact(jdbcUrl)
                    + " within " + timeout + " ms (" + root.getMessage() + "); check [database] connection and that"
                    + " its database server runs", e);
        }
    }

    /** The version of the store's last applied migration (null: no schema yet). */
    public String schemaVersion() {
        return schema.currentVersion();
    }

    public Jdbi jdbi() {
        return jdbi;
    }

    @Override
    public void close() {
        dataSource.close();
    }
}
