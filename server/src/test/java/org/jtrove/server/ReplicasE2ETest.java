package org.jtrove.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.jtrove.server.ApiClient.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisSocketFactory;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * Replicas through Trove's API on real servers: a replica of each datastore receives the source's writes and
 * refuses its own, even when the source admits only other networks (allowed_cidrs); the views show replica_of,
 * replicas and the replica's lag; the snapshot it is built from is never shown (no backup listed, no BACKUP status)
 * and is removed; a source with replicas is not deleted; bad requests change nothing; detach makes a writable
 * standalone; promote swaps source and replica; eject, after the source's server was killed, makes the most
 * advanced replica the source and repoints the other.
 */
@Tag("e2e")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReplicasE2ETest {
    private static final String USER = "u";
    private static final String PASSWORD = "U-pass-1";
    /** Where this test's clients connect from. */
    private static final String CLIENT = "127.0.0.2";
    /**
     * Only this test's clients are admitted: not the host's default loopback address 127.0.0.1, which the
     * replicas' servers connect from; jtrove's own connections (and its replicas') get through all the same.
     */
    private static final String ONLY_CLIENT = "\"access\": {\"allowed_cidrs\": [\"" + CLIENT + "/32\"]}";
    private Path state;
    private AllInOne server;
    private ApiClient api;

    @BeforeAll
    void start() throws Exception {
        state = TestServers.stateDir("replicas");
        server = new AllInOne(TestServers.config(state));
        api = new ApiClient(server.port(), "project-replicas");
    }

    @AfterAll
    void stop() {
        if (server != null) {
            ReplicaTests.deleteAll(api);   // replicas first: a source with replicas is not deleted
            server.close();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"postgresql", "mariadb", "redis"})
    void aReplicaFollowsItsSourceRefusesWritesAndDetaches(String kind) throws Exception {
        String source = create(kind, "src-" + kind, ONLY_CLIENT);
        write(kind, ip(source), 1);
        long before = count();

        Response bad = api.post("/instances", "{\"instance\": {\"name\": \"r\", \"replica_of\": \"" + source
                + "\", \"flavorRef\": \"1\"}}");
        assertThat(bad.status()).as(bad.raw()).isEqualTo(400);
        assertThat(bad.body().path("badRequest").path("message").asText()).contains("flavorRef");
        assertThat(api.post("/instances", "{\"instance\": {\"name\": \"r\", \"replica_of\": \"no-such\"}}").status())
                .isEqualTo(404);
        assertThat(api.post("/instances", "{\"instance\": {\"name\": \"r\", \"replica_count\": 2, \"flavorRef\": \"1\","
                + " \"volume\": {\"size\": 1}}}").status()).isEqualTo(400);
        assertThat(api.post("/instances", "{\"instance\": {\"name\": \"r\", \"replica_of\": \"" + source
                + "\", \"replica_count\": 4}}").status()).isEqualTo(400);
        assertThat(count()).as("refusals change nothing").isEqualTo(before);

        Response created = api.post("/instances", "{\"instance\": {\"name\": \"rep-" + kind + "\", \"replica_of\": \""
                + source + "\"}}");
        assertThat(created.status()).as(created.raw()).isEqualTo(200);
        String replica = created.body().at("/instance/id").asText();
        assertThat(created.body().at("/instance/replica_of/id").asText()).isEqualTo(source);
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(100)).until(() -> {
            JsonNode s = api.get("/instances/" + source).body().path("instance");
            assertThat(s.path("status").asText()).as("the source while its snapshot is taken").isEqualTo("ACTIVE");
            assertThat(api.get("/backups").body().path("backups")).as("the snapshot is not a user's backup").isEmpty();
            JsonNode r = api.get("/instances/" + replica).body().path("instance");
            assertThat(r.path("status").asText()).as(r.toString()).isNotEqualTo("ERROR");
            return "ACTIVE".equals(r.path("status").asText());
        });
        JsonNode view = api.get("/instances/" + replica).body().path("instance");
        assertThat(view.at("/access/allowed_cidrs/0").asText()).as("the source's access").isEqualTo(CLIENT + "/32");
        assertThat(view.at("/replica_of/id").asText()).isEqualTo(source);
        assertThat(view.at("/flavor/id").asText()).isEqualTo("1");
        JsonNode sourceView = api.get("/instances/" + source).body().path("instance");
        assertThat(sourceView.path("replicas").findValuesAsText("id")).containsExactly(replica);
        assertThat(api.get("/backups").body().path("backups")).as("the snapshot is removed").isEmpty();
        assertThat(snapshotObjects()).as("the snapshot's object is removed").isEmpty();

        assertThat(read(kind, ip(replica))).as("the snapshot's rows").contains(1);
        write(kind, ip(source), 2);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(read(kind, ip(replica))).contains(1, 2));
        assertThatThrownBy(() -> write(kind, ip(replica), 3)).as("a replica refuses writes")
                .isInstanceOfAny(SQLException.class, JedisDataException.class);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(api.get("/instances/" + replica).body()
                .at("/instance/replication_lag").isNumber()).as("lag shown").isTrue());
        if (!"redis".equals(kind)) {
            assertThat(users(replica)).as("jtrove's replication user is never listed").doesNotContain("jtrove_replicator");
            Response reserved = api.post("/instances/" + source + "/users", "{\"users\": [{\"name\":"
                    + " \"jtrove_replicator\", \"password\": \"" + PASSWORD + "\"}]}");
            assertThat(reserved.status()).as(reserved.raw()).isEqualTo(400);
            assertThat(reserved.body().path("badRequest").path("message").asText()).contains("reserved");
        }

        Response delete = api.delete("/instances/" + source);
        assertThat(delete.status()).as(delete.raw()).isEqualTo(403);
        assertThat(api.post("/instances/" + source + "/action", "{\"eject_replica_source\": {}}").status())
                .as("a healthy source is not ejected").isEqualTo(400);
        assertThat(api.post("/instances/" + source + "/action", "{\"promote_to_replica_source\": {}}").status())
                .as("a source is not promoted").isEqualTo(400);

        assertThat(api.patch("/instances/" + replica, "{\"instance\": {\"replica_of\": null}}").status()).isEqualTo(202);
        JsonNode detached = SqlInstances.awaitActive(api, replica);
        await().atMost(Duration.ofSeconds(30)).until(() -> !api.get("/instances/" + replica).body().path("instance")
                .has("replica_of"));
        assertThat(api.get("/instances/" + source).body().path("instance").has("replicas")).isFalse();
        assertThat(detached.path("status").asText()).isEqualTo("ACTIVE");
        write(kind, ip(replica), 4);
        assertThat(read(kind, ip(replica))).contains(1, 2, 4);
        assertThat(api.delete("/instances/" + replica).status()).isEqualTo(202);
        assertThat(api.delete("/instances/" + source).status()).isEqualTo(202);
    }

    @ParameterizedTest
    @ValueSource(strings = {"postgresql", "mariadb", "redis"})
    void promoteMakesTheReplicaTheSourceWithoutLosingATransaction(String kind) throws Exception {
        String source = create(kind, "promote-src-" + kind, null);
        write(kind, ip(source), 1);
        Response created = api.post("/instances", "{\"instance\": {\"name\": \"promote-rep-" + kind + "\","
                + " \"replica_of\": \"" + source + "\"}}");
        assertThat(created.status()).as(created.raw()).isEqualTo(200);
        String replica = created.body().at("/instance/id").asText();
        SqlInstances.awaitActive(api, replica);
        write(kind, ip(source), 2);   // the last transaction before the switchover must reach the replica

        Response promote = api.post("/instances/" + replica + "/action", "{\"promote_to_replica_source\": {}}");
        assertThat(promote.status()).as(promote.raw()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(120)).until(() -> {
            JsonNode r = api.get("/instances/" + replica).body().path("instance");
            JsonNode s = api.get("/instances/" + source).body().path("instance");
            assertThat(r.path("status").asText()).as(r.toString()).isNotEqualTo("ERROR");
            return "ACTIVE".equals(r.path("status").asText()) && "ACTIVE".equals(s.path("status").asText())
                    && s.at("/replica_of/id").asText().equals(replica) && !r.has("replica_of");
        });
        assertThat(read(kind, ip(replica))).contains(1, 2);
        write(kind, ip(replica), 3);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(read(kind, ip(source))).contains(1, 2, 3));
        assertThatThrownBy(() -> write(kind, ip(source), 4)).as("the old source is a replica now")
                .isInstanceOfAny(SQLException.class, JedisDataException.class);
        assertThat(api.delete("/instances/" + source).status()).isEqualTo(202);
    }

    @ParameterizedTest
    @ValueSource(strings = {"postgresql", "mariadb"})
    void ejectAfterTheSourceDiedMakesTheMostAdvancedReplicaTheSource(String kind) throws Exception {
        String source = create(kind, "eject-src-" + kind, ONLY_CLIENT);
        write(kind, ip(source), 1);
        Response created = api.post("/instances", "{\"instance\": {\"name\": \"eject-rep-" + kind + "\","
                + " \"replica_of\": \"" + source + "\", \"replica_count\": 2}}");
        assertThat(created.status()).as(created.raw()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(10)).until(() -> api.get("/instances/" + source).body()
                .at("/instance/replicas").size() == 2);
        List<String> replicas = api.get("/instances/" + source).body().at("/instance/replicas").findValuesAsText("id");
        replicas.forEach(r -> SqlInstances.awaitActive(api, r));
        write(kind, ip(source), 2);
        for (String r : replicas) {
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(read(kind, ip(r))).contains(1, 2));
        }

        // the operator ejects by hand here: automatic failover (FailoverE2ETest) is off for this source
        assertThat(api.patch("/instances/" + source, "{\"instance\": {\"auto_failover\": false}}").status())
                .isEqualTo(202);
        // the source's server dies (kill -9); its guest agent reports it down, and only then is eject accepted
        assertThat(api.post("/instances/" + source + "/action", "{\"eject_replica_source\": {}}").status()).isEqualTo(400);
        ReplicaTests.killServer(state, source);
        String leader = ReplicaTests.ejectAndAwaitNewSource(api, source, replicas);
        String follower = replicas.stream().filter(r -> !r.equals(leader)).findFirst().orElseThrow();
        assertThat(api.get("/instances/" + follower).body().at("/instance/replica_of/id").asText()).isEqualTo(leader);
        assertThat(api.get("/instances/" + leader).body().at("/instance/replicas").findValuesAsText("id"))
                .containsExactly(follower);
        assertThat(api.get("/instances/" + source).body().path("instance").has("replicas"))
                .as("the dead source is left out").isFalse();
        assertThat(read(kind, ip(leader))).contains(1, 2);
        write(kind, ip(leader), 3);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(read(kind, ip(follower))).contains(1, 2, 3));
        assertThatThrownBy(() -> write(kind, ip(follower), 4)).isInstanceOf(SQLException.class);
        assertThat(api.delete("/instances/" + follower).status()).isEqualTo(202);
        assertThat(api.delete("/instances/" + source).status()).isEqualTo(202);
    }

    // ---- helpers ---------------------------------------------------------------------------------------------

    /** The instances not being deleted (those an earlier test deleted may go meanwhile). */
    private long count() {
        long n = 0;
        for (JsonNode i : api.get("/instances").body().path("instances")) {
            n += "SHUTDOWN".equals(i.path("status").asText()) ? 0 : 1;
        }
        return n;
    }

    /** Creates an ACTIVE instance of {@code kind}; {@code access} is an "access" member, or null. */
    private String create(String kind, String name, String access) {
        String common = "{\"instance\": {\"name\": \"" + name + "\", \"flavorRef\": \"1\", \"volume\": {\"size\": 1},"
                + (access == null ? "" : " " + access + ",");
        String body = "redis".equals(kind)
                ? common + " \"datastore\": {\"type\": \"redis\", \"version\": \"7.0\"}}}"
                : common + " \"datastore\": {\"type\": \"" + kind + "\"}, \"databases\": [{\"name\": \"app\"}],"
                        + " \"users\": [{\"name\": \"" + USER + "\", \"password\": \"" + PASSWORD + "\","
                        + " \"databases\": [{\"name\": \"app\"}]}]}}";
        Response r = api.post("/instances", body);
        assertThat(r.status()).as(r.raw()).isEqualTo(200);
        String id = r.body().at("/instance/id").asText();
        SqlInstances.awaitActive(api, id);
        return id;
    }

    /** Backup objects left in backup storage (the all-in-one's STATE/backups). */
    private List<String> snapshotObjects() throws Exception {
        Path dir = state.resolve("backups");
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (var files = Files.list(dir)) {
            // the continuous archive's objects (archive-<instance>-<log>) are not backups
            return files.map(f -> f.getFileName().toString()).filter(f -> !f.startsWith("archive-")).toList();
        }
    }

    private String ip(String id) {
        return api.get("/instances/" + id).body().at("/instance/ip/0").asText();
    }

    private List<String> users(String id) {
        return api.get("/instances/" + id + "/users").body().path("users").findValuesAsText("name");
    }

    private static void write(String kind, String ip, int value) throws Exception {
        if ("redis".equals(kind)) {
            try (Jedis j = redis(ip)) {
                j.sadd("values", Integer.toString(value));
            }
            return;
        }
        try (Connection c = sql(kind, ip); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS t (v INT PRIMARY KEY)");
            s.execute("INSERT INTO t VALUES (" + value + ")");
        }
    }

    private static List<Integer> read(String kind, String ip) throws Exception {
        if ("redis".equals(kind)) {
            try (Jedis j = redis(ip)) {
                return j.smembers("values").stream().map(Integer::parseInt).sorted().toList();
            }
        }
        List<Integer> out = new ArrayList<>();
        try (Connection c = sql(kind, ip); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT v FROM t ORDER BY v")) {
            while (rs.next()) {
                out.add(rs.getInt(1));
            }
        }
        return out;
    }

    private static Connection sql(String kind, String ip) throws SQLException {
        String url = "postgresql".equals(kind) ? "jdbc:postgresql://" + ip + ":5432/app"
                : "jdbc:mariadb://" + ip + ":3306/app";
        Properties p = new Properties();
        p.setProperty("user", USER);
        p.setProperty("password", PASSWORD);
        p.setProperty("localSocketAddress", CLIENT);
        return DriverManager.getConnection(url, p);
    }

    private static Jedis redis(String ip) {
        JedisSocketFactory fromClient = () -> {
            Socket s = new Socket();
            try {
                s.bind(new InetSocketAddress(CLIENT, 0));
                s.connect(new InetSocketAddress(ip, 6379), 3000);
                s.setSoTimeout(3000);
                return s;
            } catch (IOException e) {
                throw new JedisConnectionException("Failed to connect to " + ip + ":6379 from " + CLIENT, e);
            }
        };
        return new Jedis(fromClient, DefaultJedisClientConfig.builder().autoNegotiateProtocol(false).build());
    }
}
