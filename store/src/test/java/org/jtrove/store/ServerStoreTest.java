package org.jtrove.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import java.net.ServerSocket;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jtrove.model.InstanceTask;
import org.jtrove.model.JtroveException;
import org.jtrove.model.TaskType;
import org.jtrove.store.MetadataStore.Options;
import org.jtrove.store.MetadataStore.SchemaMode;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Every test of {@link MetadataStoreTest} on a server database of the subclass's {@link #kind()}, each in a
 * database of its own reached through an oslo.db URL; then what only a server database does: a restart of the
 * server under load, an unreachable server at start, TLS, and a schema like H2's.
 */
@Tag("e2e")
abstract class ServerStoreTest extends MetadataStoreTest {
    private static final Duration POOL_TIMEOUT = Duration.ofSeconds(2);
    private static final Options QUICK = new Options(SchemaMode.MIGRATE, 4, POOL_TIMEOUT, Duration.ofHours(1));
    final TestDatabaseServer server = TestDatabaseServer.shared(kind());

    abstract TestDatabaseServer.Kind kind();

    @Override
    StoreTarget newTarget() {
        return StoreTarget.on(server);
    }

    /**
     * Writers create instances (row, status and task in one transaction) while the server goes down: every
     * request fails within the pool timeout with a 503, none hangs; once the server is back, the same store
     * object works again; every create it acknowledged is there, whole.
     */
    @Test
    void survivesARestartOfItsServer() throws Exception {
        StoreTarget target = StoreTarget.on(server);
        target.fresh();
        try (MetadataStore store = target.open(SecretBox.ephemeral(), QUICK)) {
            DatastoreRecord ds = store.datastores.upsertDatastore("mariadb", "mariadb");
            DatastoreVersionRecord version = store.datastores.upsertVersion(ds.id(), "10.11", "10.11", "mariadb", true,
                    "debian", "/usr/sbin", "/usr");
            Set<String> acknowledged = ConcurrentHashMap.newKeySet();
            List<Throwable> failures = new CopyOnWriteArrayList<>();
            AtomicBoolean stop = new AtomicBoolean();
            ExecutorService writers = Executors.newFixedThreadPool(3);
            for (int w = 0; w < 3; w++) {
                String project = "p" + w;
                writers.submit(() -> write(store, version, project, acknowledged, failures, stop));
            }
            try {
                await().atMost(Duration.ofSeconds(30)).until(() -> acknowledged.size() >= 20);
                server.crash();
                int before = acknowledged.size();

                long start = System.nanoTime();
                Throwable down = catchThrowable(store.instances::listLive);
                Duration took = Duration.ofNanos(System.nanoTime() - start);
                assertThat(down).isInstanceOf(StoreUnavailableException.class)
                        .hasMessageStartingWith("The metadata store is unavailable");
                assertThat(((JtroveException) down).status()).isEqualTo(503);
                assertThat(took).as("failed within the pool timeout").isLessThan(POOL_TIMEOUT.plusSeconds(3));

                server.restart();
                await().atMost(Duration.ofSeconds(60)).until(() -> acknowledged.size() >= before + 20);
            } finally {
                stop.set(true);
                writers.shutdown();
                assertThat(writers.awaitTermination(30, TimeUnit.SECONDS)).as("no writer hangs").isTrue();
            }
            assertThat(failures).as("writes failed while the server was down").isNotEmpty()
                    .allSatisfy(e -> assertThat(e).isInstanceOf(StoreUnavailableException.class));
            List<InstanceRecord> rows = store.instances.listLive();
            assertThat(rows).extracting(InstanceRecord::id).containsAll(acknowledged);
            for (InstanceRecord i : rows) {
                assertThat(store.serviceStatuses.find(i.id())).as("status of " + i.id()).isPresent();
                assertThat(store.tasks.latestForInstance(i.id())).as("task of " + i.id()).isPresent();
            }
        }
    }

    private static Void write(MetadataStore store, DatastoreVersionRecord version, String project,
                              Set<String> acknowledged, List<Throwable> failures, AtomicBoolean stop)
            throws InterruptedException {
        while (!stop.get()) {
            Instant now = Instant.now();
            InstanceRecord i = new InstanceRecord(UUID.randomUUID().toString(), project, "i", "1", version.id(), 1,
                    null, null, InstanceTask.BUILDING.name(), null, null, now, now, false, null);
            try {
                store.instances.insertWithTask(i, TaskRecord.start(TaskType.CREATE, i.id(), Map.of()));
                acknowledged.add(i.id());
            } catch (RuntimeException e) {
                failures.add(e);
                Thread.sleep(50);
            }
        }
        return null;
    }

    /** A store whose server cannot be reached refuses to start within its pool timeout, naming the URL. */
    @Test
    void anUnreachableServerStopsTheStart() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        String url = (kind() == TestDatabaseServer.Kind.MARIADB ? "mysql+pymysql" : "postgresql")
                + "://trove:secret-password@127.0.0.1:" + port + "/trove";
        long start = System.nanoTime();
        Throwable e = catchThrowable(() -> MetadataStore.connect(url, SecretBox.ephemeral(), QUICK));
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(POOL_TIMEOUT.plusSeconds(3));
        assertThat(e).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("cannot reach the metadata store at jdbc:")
                .hasMessageContaining("127.0.0.1:" + port + "/trove")
                .hasMessageContaining("check [database] connection")
                .hasMessageNotContaining("secret-password");
    }

    /**
     * The oslo.db TLS options reach the driver: the connection is encrypted and the server's certificate is
     * checked against the CA named (a client trusting another CA refuses the server).
     */
    @Test
    void connectsOverTlsCheckingTheServersCertificate() {
        boolean mariadb = server.kind() == TestDatabaseServer.Kind.MARIADB;
        String database = server.createDatabase();
        String sql = mariadb ? "SHOW SESSION STATUS LIKE 'Ssl_version'"
                : "SELECT 'x', version FROM pg_stat_ssl WHERE pid = pg_backend_pid()";
        try (MetadataStore store = MetadataStore.connect(server.osloUrl(database) + tls(server, server.caFile()),
                SecretBox.ephemeral(), QUICK)) {
            String version = store.jdbi().withHandle(h -> h.createQuery(sql).map((rs, ctx) -> rs.getString(2)).one());
            assertThat(version).startsWith("TLS");
        }
        assertThat(catchThrowable(() -> MetadataStore.connect(server.osloUrl(database)
                + tls(server, server.otherCaFile()), SecretBox.ephemeral(), QUICK)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("cannot reach the metadata store");
    }

    private static String tls(TestDatabaseServer server, Path ca) {
        return server.kind() == TestDatabaseServer.Kind.MARIADB ? "&ssl_ca=" + ca
                : "?sslmode=verify-full&sslrootcert=" + ca;
    }

    /**
     * The server store has the tables, columns (type, length, nullability) and primary keys of an embedded
     * store made by the same migrations, so every repository's SQL means the same on both.
     */
    @Test
    void schemaMatchesTheEmbeddedStore() throws SQLException {
        try (MetadataStore h2 = new MetadataStore("jdbc:h2:mem:parity-" + UUID.randomUUID(), "sa", "",
                SecretBox.ephemeral())) {
            Map<String, String> expected = h2.jdbi().withHandle(h -> schema(h.getConnection()));
            Map<String, String> actual = store.jdbi().withHandle(h -> schema(h.getConnection()));
            assertThat(actual).containsExactlyInAnyOrderEntriesOf(expected);
        }
    }

    /** "table.column" -> "type, nullability" and "table" -> primary key, of the store's own tables. */
    private static Map<String, String> schema(Connection c) throws SQLException {
        Map<String, String> out = new TreeMap<>();
        var meta = c.getMetaData();
        for (String table : MetadataStoreTest.tables(c)) {
            if (table.equals("flyway_schema_history")) {
                continue;
            }
            String name = meta.storesUpperCaseIdentifiers() ? table.toUpperCase(Locale.ROOT) : table;
            try (ResultSet rs = meta.getColumns(c.getCatalog(), c.getSchema(), name, "%")) {
                while (rs.next()) {
                    out.put(table + "." + rs.getString("COLUMN_NAME").toLowerCase(Locale.ROOT),
                            type(rs.getInt("DATA_TYPE"), rs.getInt("COLUMN_SIZE"))
                                    + (rs.getInt("NULLABLE") == 0 ? " not null" : " null"));
                }
            }
            Set<String> key = new TreeSet<>();
            try (ResultSet rs = meta.getPrimaryKeys(c.getCatalog(), c.getSchema(), name)) {
                while (rs.next()) {
                    key.add(rs.getString("COLUMN_NAME").toLowerCase(Locale.ROOT));
                }
            }
            out.put(table, "primary key " + key);
        }
        return out;
    }

    /** A column type as the repositories see it; text longer than 4000 characters is all one "text". */
    private static String type(int jdbcType, int size) {
        return switch (jdbcType) {
            case Types.VARCHAR, Types.NVARCHAR, Types.CHAR -> size > 4000 ? "text" : "varchar(" + size + ")";
            case Types.CLOB, Types.NCLOB, Types.LONGVARCHAR, Types.LONGNVARCHAR -> "text";
            case Types.BIT, Types.BOOLEAN -> "boolean";
            case Types.TIMESTAMP -> "timestamp";
            case Types.INTEGER -> "integer";
            case Types.BIGINT -> "bigint";
            case Types.DOUBLE, Types.FLOAT -> "double";
            default -> "jdbc type " + jdbcType;
        };
    }
}
