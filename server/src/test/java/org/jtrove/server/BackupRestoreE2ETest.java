package org.jtrove.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jtrove.server.ApiClient.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Full and incremental backups taken from running servers, restored into new instances whose table contents
 * are compared row by row (SHA-256 over every row) with the source at each backup's time.
 */
@Tag("e2e")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BackupRestoreE2ETest {
    private static final String MARKER = "jtrove-marker-text-that-must-not-be-readable";
    private Path state;
    private AllInOne server;
    private ApiClient api;

    @BeforeAll
    void start() throws Exception {
        state = TestServers.stateDir("backup");
        server = new AllInOne(TestServers.config(state));
        api = new ApiClient(server.port(), "project-b");
    }

    @AfterAll
    void stop() {
        if (server != null) {
            for (ApiClient client : List.of(api, new ApiClient(server.port(), "project-bad"),
                    new ApiClient(server.port(), "project-redis"), new ApiClient(server.port(), "project-race"))) {
                for (JsonNode i : client.get("/instances").body().path("instances")) {
                    client.delete("/instances/" + i.path("id").asText());
                }
                await().atMost(Duration.ofSeconds(90)).until(() -> client.get("/instances").body().path("instances").isEmpty());
            }
            server.close();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"postgresql", "mariadb"})
    void fullAndIncrementalChainRestoreToIdenticalData(String kind) throws Exception {
        String source = create(kind, "src-" + kind, null);
        String ip = ip(source);
        try (Connection c = connect(kind, ip)) {
            exec(c, "CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(200))");
            insertRows(c, "t", 1, 20_000);
            exec(c, "INSERT INTO t VALUES (0, '" + MARKER + "')");
        }
        String atFull = digest(kind, ip, List.of("t"));

        Set<String> seen = ConcurrentHashMap.newKeySet();
        String full = backup("{\"backup\": {\"name\": \"full\", \"instance\": \"" + source + "\"}}");
        JsonNode fullView = awaitBackup(full, source, seen);
        assertThat(seen).as("instance status while the backup runs").contains("BACKUP");
        assertThat(fullView.path("size").asDouble()).isPositive();
        assertThat(fullView.path("locationRef").asText()).startsWith("file:/");
        assertThat(fullView.path("parent_id").isNull()).isTrue();
        assertThat(fullView.at("/datastore/type").asText()).isEqualTo(kind);
        assertThat(fullView.at("/datastore/version_id").asText()).isNotEmpty();
        Path stored = Path.of(java.net.URI.create(fullView.path("locationRef").asText()));
        assertThat(new String(Files.readAllBytes(stored), java.nio.charset.StandardCharsets.ISO_8859_1))
                .as("stored data is compressed and encrypted").doesNotContain(MARKER).doesNotContain("CREATE TABLE");

        try (Connection c = connect(kind, ip)) {
            exec(c, "UPDATE t SET v = CONCAT('changed-', id) WHERE id % 20 = 0");
            exec(c, "DELETE FROM t WHERE id % 40 = 1");
            exec(c, "CREATE TABLE t2 (id INT PRIMARY KEY, v VARCHAR(200))");
            insertRows(c, "t2", 1, 3_000);
        }
        String atInc1 = digest(kind, ip, List.of("t", "t2"));
        String inc1 = backup("{\"backup\": {\"name\": \"inc1\", \"instance\": \"" + source + "\", \"parent_id\": \"" + full + "\"}}");
        JsonNode inc1View = awaitBackup(inc1, source, new HashSet<>());
        assertThat(inc1View.path("parent_id").asText()).isEqualTo(full);

        try (Connection c = connect(kind, ip)) {
            exec(c, "DROP TABLE t2");
            insertRows(c, "t", 30_001, 5_000);
        }
        String atInc2 = digest(kind, ip, List.of("t"));
        String inc2 = backup("{\"backup\": {\"name\": \"inc2\", \"instance\": \"" + source + "\", \"incremental\": 1}}");
        assertThat(awaitBackup(inc2, source, new HashSet<>()).path("parent_id").asText()).as("incremental: 1 takes the latest")
                .isEqualTo(inc1);

        try (Connection c = connect(kind, ip)) {
            exec(c, "DELETE FROM t");   // the source changes after the backups; restores must not see it
        }

        String fromInc2 = create(kind, "from-inc2-" + kind, inc2);
        assertThat(digest(kind, ip(fromInc2), List.of("t"))).isEqualTo(atInc2);
        assertThat(tableExists(kind, ip(fromInc2), "t2")).isFalse();
        String fromInc1 = create(kind, "from-inc1-" + kind, inc1);
        assertThat(digest(kind, ip(fromInc1), List.of("t", "t2"))).isEqualTo(atInc1);
        String fromFull = create(kind, "from-full-" + kind, full);
        assertThat(digest(kind, ip(fromFull), List.of("t"))).isEqualTo(atFull);

        JsonNode listed = api.get("/backups?instance_id=" + source).body().path("backups");
        assertThat(listed).hasSize(3);
        assertThat(api.get("/instances/" + source + "/backups").body().path("backups")).hasSize(3);
        assertThat(new ApiClient(server.port(), "project-other").get("/backups/" + full).status()).as("other project").isEqualTo(404);

        // Deleting the full backup deletes the incrementals built on it, with their stored data.
        assertThat(api.delete("/backups/" + full).status()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(30)).until(() -> api.get("/backups/" + full).status() == 404);
        assertThat(api.get("/backups/" + inc2).status()).isEqualTo(404);
        assertThat(api.get("/backups/" + inc1).status()).isEqualTo(404);
        assertThat(stored).doesNotExist();
        for (String id : List.of(source, fromInc2, fromInc1, fromFull)) {
            api.delete("/instances/" + id);
        }
    }

    /** A restore naming databases and users the backup holds ends ACTIVE: data kept, the given passwords set. */
    @Test
    void aRestoreWithExistingDatabasesAndUsersEndsActive() throws Exception {
        String source = create("postgresql", "src-existing", null);
        try (Connection c = connect("postgresql", ip(source))) {
            exec(c, "CREATE TABLE kept (v TEXT)");
            exec(c, "INSERT INTO kept VALUES ('still here')");
        }
        String backupId = backup("{\"backup\": {\"name\": \"existing\", \"instance\": \"" + source + "\"}}");
        awaitBackup(backupId, source, new HashSet<>());
        Response r = api.post("/instances", "{\"instance\": {\"name\": \"restored-existing\", \"flavorRef\": \"1\","
                + " \"volume\": {\"size\": 2}, \"restorePoint\": {\"backupRef\": \"" + backupId + "\"},"
                + " \"databases\": [{\"name\": \"app\"}, {\"name\": \"other\"}],"
                + " \"users\": [{\"name\": \"u\", \"password\": \"New-u-pass-2\", \"databases\": [{\"name\": \"app\"}]},"
                + " {\"name\": \"v\", \"password\": \"V-pass-1\", \"databases\": [{\"name\": \"other\"}]}]}}");
        assertThat(r.status()).as(r.raw()).isEqualTo(200);
        String copy = r.body().at("/instance/id").asText();
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(100)).until(() -> {
            String status = api.get("/instances/" + copy).body().at("/instance/status").asText();
            assertThat(status).as(api.get("/instances/" + copy).raw()).isNotEqualTo("ERROR");
            return "ACTIVE".equals(status);
        });
        String copyIp = ip(copy);
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://" + copyIp + ":5432/app", "u", "New-u-pass-2");
             Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT v FROM kept")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("still here");
        }
        assertThatThrownBy(() -> DriverManager.getConnection(
                "jdbc:postgresql://" + copyIp + ":5432/app", "u", "u-pass-1").close()).isInstanceOf(SQLException.class);
        DriverManager.getConnection("jdbc:postgresql://" + copyIp + ":5432/other", "v", "V-pass-1").close();
        api.delete("/instances/" + copy);
        api.delete("/instances/" + source);
    }

    @Test
    void badRequestsChangeNothingAndADamagedBackupIsNotRestored() throws Exception {
        ApiClient api = new ApiClient(server.port(), "project-bad");
        String source = create(api, "postgresql", "src-bad", null);
        String ok = "{\"backup\": {\"name\": \"b\", \"instance\": \"" + source + "\"";
        assertThat(api.post("/backups", "{\"backup\": {\"instance\": \"" + source + "\"}}").status()).isEqualTo(400);
        Response missing = api.post("/backups", "{\"backup\": {\"name\": \"b\"}}");
        assertThat(missing.status()).isEqualTo(400);
        assertThat(missing.body().path("badRequest").path("message").asText()).isEqualTo("instance is missing.");
        assertThat(api.post("/backups", "{\"backup\": {\"name\": \"b\", \"instance\": \"no-such\"}}").status()).isEqualTo(404);
        assertThat(api.post("/backups", ok + ", \"incremental\": \"1\"}}").status()).isEqualTo(400);
        assertThat(api.post("/backups", ok + ", \"incremental\": 2}}").status()).isEqualTo(400);
        assertThat(api.post("/backups", ok + ", \"parent_id\": \"no-such\"}}").status()).isEqualTo(404);
        assertThat(api.post("/backups", ok + ", \"colour\": \"red\"}}").status()).isEqualTo(400);
        assertThat(api.post("/backups", ok + ", \"restore_from\": {}}}").status()).isEqualTo(501);
        assertThat(api.get("/backups").body().path("backups")).isEmpty();
        Response noBackup = api.post("/instances", "{\"instance\": {\"name\": \"x\", \"flavorRef\": \"1\", \"volume\": {\"size\": 1},"
                + " \"restorePoint\": {\"backupRef\": \"no-such\"}}}");
        assertThat(noBackup.status()).isEqualTo(404);

        String b = backup(api, ok + "}}");
        JsonNode view = awaitBackup(api, b, source, new HashSet<>());
        Response wrongVersion = api.post("/instances", "{\"instance\": {\"name\": \"x\", \"flavorRef\": \"1\", \"volume\": {\"size\": 1},"
                + " \"datastore\": {\"type\": \"mariadb\"}, \"restorePoint\": {\"backupRef\": \"" + b + "\"}}}");
        assertThat(wrongVersion.status()).isEqualTo(400);

        Path stored = Path.of(java.net.URI.create(view.path("locationRef").asText()));
        byte[] bytes = Files.readAllBytes(stored);
        bytes[bytes.length / 2] ^= 0x01;
        Files.write(stored, bytes);
        String restored = api.post("/instances", "{\"instance\": {\"name\": \"damaged\", \"flavorRef\": \"1\", \"volume\": {\"size\": 1},"
                + " \"restorePoint\": {\"backupRef\": \"" + b + "\"}}}").body().at("/instance/id").asText();
        await().atMost(Duration.ofSeconds(90)).until(() ->
                "ERROR".equals(api.get("/instances/" + restored).body().at("/instance/status").asText()));
        assertThat(api.get("/instances/" + restored).body().at("/instance/fault/message").asText())
                .containsAnyOf("checksum", "decrypt", "tag mismatch", "Tag mismatch", "authentication");
        api.delete("/instances/" + restored);
        api.delete("/instances/" + source);
    }

    /** Redis: RDB snapshot backups (no incrementals), restored with the data and kept across a restart. */
    @Test
    void redisSnapshotBackupAndRestore() throws Exception {
        ApiClient api = new ApiClient(server.port(), "project-redis");
        String source = create(api, "redis", "redis-src", null);
        try (var j = new redis.clients.jedis.Jedis(ip(api, source), 6379)) {
            for (int i = 0; i < 5_000; i++) {
                j.set("key:" + i, "value " + i);
            }
            j.hset("h", java.util.Map.of("a", "1", "b", "2"));
        }
        String b = backup(api, "{\"backup\": {\"name\": \"rdb\", \"instance\": \"" + source + "\"}}");
        awaitBackup(api, b, source, new HashSet<>());
        assertThat(api.post("/backups", "{\"backup\": {\"name\": \"inc\", \"instance\": \"" + source
                + "\", \"incremental\": 1}}").status()).as("no incrementals for redis").isEqualTo(400);
        try (var j = new redis.clients.jedis.Jedis(ip(api, source), 6379)) {
            j.flushAll();
        }
        // restored with a configuration group that asks for AOF: the RDB must still be loaded first
        String group = api.post("/configurations", "{\"configuration\": {\"name\": \"aof\", \"values\":"
                + " {\"appendonly\": \"yes\", \"timeout\": 300}, \"datastore\": {\"type\": \"redis\"}}}")
                .body().at("/configuration/id").asText();
        Response r = api.post("/instances", "{\"instance\": {\"name\": \"redis-restored\", \"flavorRef\": \"1\","
                + " \"volume\": {\"size\": 1}, \"configuration\": \"" + group + "\","
                + " \"restorePoint\": {\"backupRef\": \"" + b + "\"}}}");
        assertThat(r.status()).as(r.raw()).isEqualTo(200);
        String restored = r.body().at("/instance/id").asText();
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(100)).until(() ->
                "ACTIVE".equals(api.get("/instances/" + restored).body().at("/instance/status").asText()));
        String rip = ip(api, restored);
        try (var j = new redis.clients.jedis.Jedis(rip, 6379)) {
            assertThat(j.dbSize()).isEqualTo(5_001);
            assertThat(j.get("key:4321")).isEqualTo("value 4321");
            assertThat(j.hgetAll("h")).containsEntry("a", "1").containsEntry("b", "2");
            j.set("after-restore", "kept");
        }
        assertThat(api.post("/instances/" + restored + "/action", "{\"restart\": {}}").status()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() ->
                "ACTIVE".equals(api.get("/instances/" + restored).body().at("/instance/status").asText())
                        && "HEALTHY".equals(api.get("/instances/" + restored).body().at("/instance/operating_status").asText()));
        try (var j = new redis.clients.jedis.Jedis(rip, 6379)) {
            assertThat(j.dbSize()).as("restored data and later writes survive a restart").isEqualTo(5_002);
            assertThat(j.get("after-restore")).isEqualTo("kept");
        }
        api.delete("/instances/" + restored);
        api.delete("/instances/" + source);
    }

    /** A backup and a restart asked for at the same moment: exactly one of them starts. */
    @Test
    void aBackupAndARestartNeverRunTogether() throws Exception {
        ApiClient api = new ApiClient(server.port(), "project-race");
        String source = create(api, "postgresql", "race", null);
        var pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 3; round++) {
                var backup = pool.submit(() -> api.post("/backups",
                        "{\"backup\": {\"name\": \"race\", \"instance\": \"" + source + "\"}}").status());
                var restart = pool.submit(() -> api.post("/instances/" + source + "/action", "{\"restart\": {}}").status());
                int b = backup.get();
                int r = restart.get();
                assertThat(List.of(b, r)).as("backup %s, restart %s", b, r).containsOnly(202, 422).contains(202);
                assertThat(b == 202 && r == 202).as("both started").isFalse();
                await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(100)).until(() ->
                        "ACTIVE".equals(api.get("/instances/" + source).body().at("/instance/status").asText()));
            }
            for (JsonNode backup : api.get("/backups").body().path("backups")) {
                assertThat(backup.path("status").asText()).as(backup.toString()).isEqualTo("COMPLETED");
            }
        } finally {
            pool.shutdownNow();
        }
        api.delete("/instances/" + source);
    }

    /** A backup past backup_timeout is FAILED and cancelled on the guest: nothing is left in storage. */
    @Test
    void aBackupPastItsTimeoutIsCancelledAndLeavesNothing() throws Exception {
        Path timeoutState = TestServers.stateDir("backup-timeout");
        try (AllInOne slow = new AllInOne(TestServers.config(timeoutState).with("backup_timeout_seconds", 0.3))) {
            ApiClient api = new ApiClient(slow.port(), "project-t");
            String source = create(api, "postgresql", "t-src", null);
            try (Connection c = connect("postgresql", ip(api, source))) {
                exec(c, "CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(200))");
                insertRows(c, "t", 1, 300_000);
            }
            String b = backup(api, "{\"backup\": {\"name\": \"slow\", \"instance\": \"" + source + "\"}}");
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50)).until(() ->
                    "FAILED".equals(api.get("/backups/" + b).body().at("/backup/status").asText()));
            assertThat(api.get("/backups/" + b).body().at("/backup/fail_reason").asText()).contains("backup_timeout");
            Path dir = timeoutState.resolve("backups");
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> {
                try (var files = Files.list(dir)) {
                    return files.noneMatch(f -> f.getFileName().toString().startsWith(b));
                }
            });
            await().atMost(Duration.ofSeconds(30)).until(() ->
                    "ACTIVE".equals(api.get("/instances/" + source).body().at("/instance/status").asText()));
            api.delete("/instances/" + source);
            await().atMost(Duration.ofSeconds(60)).until(() -> api.get("/instances").body().path("instances").isEmpty());
        }
    }

    /** Backups to an S3-compatible store (S3Proxy on loopback: AWS cannot run here), restored from there. */
    @Test
    void backupToAnS3CompatibleStoreAndRestoreFromIt() throws Exception {
        var blobs = org.jclouds.ContextBuilder.newBuilder("transient").credentials("unused", "unused")
                .build(org.jclouds.blobstore.BlobStoreContext.class);
        blobs.getBlobStore().createContainerInLocation(null, "jtrove");
        var proxy = org.gaul.s3proxy.S3Proxy.builder().blobStore(blobs.getBlobStore())
                .endpoint(java.net.URI.create("http://127.0.0.1:0"))
                .awsAuthentication(org.gaul.s3proxy.AuthenticationType.AWS_V2_OR_V4, "s3-access", "s3-secret").build();
        proxy.start();
        await().atMost(Duration.ofSeconds(30)).until(() -> "STARTED".equals(proxy.getState()));
        Path s3State = TestServers.stateDir("backup-s3");
        JtroveConfig config = TestServers.config(s3State).with("backup_storage", "s3")
                .with("backup_s3_endpoint", "http://127.0.0.1:" + proxy.getPort()).with("backup_s3_bucket", "jtrove")
                .with("backup_s3_access_key", "s3-access").with("backup_s3_secret_key", "s3-secret");
        try (AllInOne s3Server = new AllInOne(config)) {
            ApiClient api = new ApiClient(s3Server.port(), "project-s3");
            String source = create(api, "postgresql", "s3-src", null);
            try (Connection c = connect("postgresql", ip(api, source))) {
                exec(c, "CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(200))");
                insertRows(c, "t", 1, 5_000);
            }
            String before = digest("postgresql", ip(api, source), List.of("t"));
            String b = backup(api, "{\"backup\": {\"name\": \"s3\", \"instance\": \"" + source + "\"}}");
            JsonNode view = awaitBackup(api, b, source, new HashSet<>());
            assertThat(view.path("locationRef").asText()).startsWith("http://127.0.0.1:").endsWith("/jtrove/jtrove-backups/" + b + ".jtb");
            assertThat(blobs.getBlobStore().blobExists("jtrove", "jtrove-backups/" + b + ".jtb")).isTrue();
            String restored = create(api, "postgresql", "s3-restored", b);
            assertThat(digest("postgresql", ip(api, restored), List.of("t"))).isEqualTo(before);
            assertThat(api.delete("/backups/" + b).status()).isEqualTo(202);
            await().atMost(Duration.ofSeconds(30)).until(() ->
                    !blobs.getBlobStore().blobExists("jtrove", "jtrove-backups/" + b + ".jtb"));
            for (String id : List.of(source, restored)) {
                api.delete("/instances/" + id);
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> api.get("/instances").body().path("instances").isEmpty());
        } finally {
            proxy.stop();
            blobs.close();
        }
    }

    // ---- helpers ---------------------------------------------------------------------------------------------

    private String create(String kind, String name, String backupRef) {
        return create(api, kind, name, backupRef);
    }

    private static String create(ApiClient api, String kind, String name, String backupRef) {
        String body = "{\"instance\": {\"name\": \"" + name + "\", \"flavorRef\": \"1\", \"volume\": {\"size\": 2},"
                + (backupRef == null ? " \"datastore\": {\"type\": \"" + kind + "\"}" + ("redis".equals(kind) ? ""
                : ", \"databases\": [{\"name\": \"app\"}], \"users\": [{\"name\": \"u\", \"password\": \"u-pass-1\","
                + " \"databases\": [{\"name\": \"app\"}]}]")
                : " \"restorePoint\": {\"backupRef\": \"" + backupRef + "\"}") + "}}";
        Response r = api.post("/instances", body);
        assertThat(r.status()).as(r.raw()).isEqualTo(200);
        String id = r.body().at("/instance/id").asText();
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(100)).until(() -> {
            String s = api.get("/instances/" + id).body().at("/instance/status").asText();
            assertThat(s).as(api.get("/instances/" + id).raw()).isNotEqualTo("ERROR");
            return "ACTIVE".equals(s);
        });
        return id;
    }

    private String backup(String body) {
        return backup(api, body);
    }

    private static String backup(ApiClient api, String body) {
        Response r = api.post("/backups", body);
        assertThat(r.status()).as(r.raw()).isEqualTo(202);
        assertThat(r.body().at("/backup/status").asText()).isEqualTo("NEW");
        return r.body().at("/backup/id").asText();
    }

    private JsonNode awaitBackup(String id, String instance, Set<String> statuses) {
        return awaitBackup(api, id, instance, statuses);
    }

    private static JsonNode awaitBackup(ApiClient api, String id, String instance, Set<String> statuses) {
        await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(20)).until(() -> {
            statuses.add(api.get("/instances/" + instance).body().at("/instance/status").asText());
            JsonNode b = api.get("/backups/" + id).body().path("backup");
            assertThat(b.path("status").asText()).as(b.toString()).isNotEqualTo("FAILED");
            return "COMPLETED".equals(b.path("status").asText());
        });
        await().atMost(Duration.ofSeconds(10)).until(() ->
                "ACTIVE".equals(api.get("/instances/" + instance).body().at("/instance/status").asText()));
        return api.get("/backups/" + id).body().path("backup");
    }

    private String ip(String id) {
        return ip(api, id);
    }

    private static String ip(ApiClient api, String id) {
        return api.get("/instances/" + id).body().at("/instance/ip/0").asText();
    }

    private static Connection connect(String kind, String ip) throws SQLException {
        String url = "postgresql".equals(kind) ? "jdbc:postgresql://" + ip + ":5432/app"
                : "jdbc:mariadb://" + ip + ":3306/app?rewriteBatchedStatements=true";
        return DriverManager.getConnection(url, "u", "u-pass-1");
    }

    private static void exec(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private static void insertRows(Connection c, String table, int first, int count) throws SQLException {
        c.setAutoCommit(false);
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + table + " VALUES (?, ?)")) {
            for (int i = first; i < first + count; i++) {
                ps.setInt(1, i);
                ps.setString(2, "row " + i + " " + Integer.toHexString(i * 7919));
                ps.addBatch();
            }
            ps.executeBatch();
        }
        c.commit();
        c.setAutoCommit(true);
    }

    /** SHA-256 over every row of the tables, in key order, as the user sees them. */
    private static String digest(String kind, String ip, List<String> tables) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        long rows = 0;
        try (Connection c = connect(kind, ip)) {
            for (String table : tables) {
                try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT id, v FROM " + table + " ORDER BY id")) {
                    while (rs.next()) {
                        sha.update((table + "|" + rs.getInt(1) + "|" + rs.getString(2) + "\n").getBytes());
                        rows++;
                    }
                }
            }
        }
        assertThat(rows).isPositive();
        return rows + ":" + HexFormat.of().formatHex(sha.digest());
    }

    private static boolean tableExists(String kind, String ip, String table) throws Exception {
        try (Connection c = connect(kind, ip); Statement s = c.createStatement()) {
            s.executeQuery("SELECT 1 FROM " + table + " LIMIT 1").close();
            return true;
        } catch (SQLException e) {
            return false;
        }
    }
}
