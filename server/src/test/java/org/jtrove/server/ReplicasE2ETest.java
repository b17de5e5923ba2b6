package org.jtrove.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import org.jtrove.server.ApiClient.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * Replicas through Trove's API on real servers: a replica of each datastore receives the source's writes and
 * refuses its own; the views show replica_of, replicas and the replica's lag; a source with replicas is not
 * deleted; bad requests change nothing; detach makes a writable standalone; promote swaps source and replica.
 */
@Tag("e2e")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReplicasE2ETest {
    private static final String USER = "u";
    private static final String PASSWORD = "U-pass-1";
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
            // replicas first: a source with replicas is not deleted
            await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofSeconds(1)).until(() -> {
                JsonNode left = api.get("/instances").body().path("instances");
                for (JsonNode i : left) {
                    if (!i.has("replicas") && !"SHUTDOWN".equals(i.path("status").asText())) {
                        api.delete("/instances/" + i.path("id").asText());
                    }
                }
                return left.isEmpty();
            });
            server.close();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"postgresql", "mariadb", "redis"})
    void aReplicaFollowsItsSourceRefusesWritesAndDetaches(String kind) throws Exception {
        String source = create(kind, "src-" + kind);
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
        JsonNode view = SqlInstances.awaitActive(api, replica);
        assertThat(view.at("/replica_of/id").asText()).isEqualTo(source);
        assertThat(view.at("/flavor/id").asText()).isEqualTo("1");
        JsonNode sourceView = api.get("/instances/" + source).body().path("instance");
        assertThat(sourceView.path("replicas").findValuesAsText("id")).containsExactly(replica);
        assertThat(api.get("/backups").body().path("backups")).as("the snapshot is removed").isEmpty();

        assertThat(read(kind, ip(replica))).as("the snapshot's rows").contains(1);
        write(kind, ip(source), 2);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(read(kind, ip(replica))).contains(1, 2));
        assertThatThrownBy(() -> write(kind, ip(replica), 3)).as("a replica refuses writes")
                .isInstanceOfAny(SQLException.class, JedisDataException.class);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(api.get("/instances/" + replica).body()
                .at("/instance/replication_lag").isNumber()).as("lag shown").isTrue());
        if (!"redis".equals(kind)) {
            assertThat(users(replica)).as("jtrove's replication user is never listed").doesNotContain("jtrove_replicator");
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

    @Test
    void promoteMakesTheReplicaTheSourceWithoutLosingATransaction() throws Exception {
        String kind = "postgresql";
        String source = create(kind, "promote-src");
        write(kind, ip(source), 1);
        Response created = api.post("/instances", "{\"instance\": {\"name\": \"promote-rep\", \"replica_of\": \""
                + source + "\"}}");
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
        assertThatThrownBy(() -> write(kind, ip(source), 4)).isInstanceOf(SQLException.class);
    }

    // ---- helpers ---------------------------------------------------------------------------------------------

    private long count() {
        return api.get("/instances").body().path("instances").size();
    }

    private String create(String kind, String name) {
        String body = "redis".equals(kind)
                ? "{\"instance\": {\"name\": \"" + name + "\", \"flavorRef\": \"1\", \"volume\": {\"size\": 1},"
                        + " \"datastore\": {\"type\": \"redis\", \"version\": \"7.0\"}}}"
                : "{\"instance\": {\"name\": \"" + name + "\", \"flavorRef\": \"1\", \"volume\": {\"size\": 1},"
                        + " \"datastore\": {\"type\": \"" + kind + "\"}, \"databases\": [{\"name\": \"app\"}],"
                        + " \"users\": [{\"name\": \"" + USER + "\", \"password\": \"" + PASSWORD + "\","
                        + " \"databases\": [{\"name\": \"app\"}]}]}}";
        Response r = api.post("/instances", body);
        assertThat(r.status()).as(r.raw()).isEqualTo(200);
        String id = r.body().at("/instance/id").asText();
        SqlInstances.awaitActive(api, id);
        return id;
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
        List<Integer> out = new java.util.ArrayList<>();
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
        return DriverManager.getConnection(url, USER, PASSWORD);
    }

    private static Jedis redis(String ip) {
        return new Jedis(new HostAndPort(ip, 6379), DefaultJedisClientConfig.builder().autoNegotiateProtocol(false)
                .connectionTimeoutMillis(3000).socketTimeoutMillis(3000).build());
    }
}
