package org.jtrove.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jtrove.server.ApiClient.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The whole product on one host, through HTTP, against real PostgreSQL and MariaDB servers: create, connect as
 * the created user, users/grants/root on the server, kill -9 and restart, restart of jtrove itself, delete.
 */
@Tag("e2e")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class InstanceLifecycleE2ETest {
    private Path state;
    private AllInOne server;
    private ApiClient api;
    private final Map<String, String> instances = new HashMap<>();

    /** How each datastore is reached from a client. */
    enum Kind {
        POSTGRESQL("postgresql", "15", "root", "postgres"),
        MARIADB("mariadb", "10.11", "root", "");

        final String type;
        final String version;
        final String rootName;
        final String defaultDb;

        Kind(String type, String version, String rootName, String defaultDb) {
            this.type = type;
            this.version = version;
            this.rootName = rootName;
            this.defaultDb = defaultDb;
        }

        Connection connect(String ip, String db, String user, String password) throws SQLException {
            String url = this == POSTGRESQL
                    ? "jdbc:postgresql://" + ip + ":5432/" + db + "?connectTimeout=5"
                    : "jdbc:mariadb://" + ip + ":3306/" + db + "?connectTimeout=5000";
            return DriverManager.getConnection(url, user, password);
        }
    }

    @BeforeAll
    void start() throws Exception {
        state = TestServers.stateDir("lifecycle");
        server = new AllInOne(TestServers.config(state));
        api = new ApiClient(server.port(), "project-a");
    }

    @AfterAll
    void stop() {
        if (server != null) {
            for (String id : instances.values()) {
                api.delete("/instances/" + id);
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> instances.values().stream()
                    .allMatch(id -> api.get("/instances/" + id).status() == 404));
            server.close();
        }
    }

    @Test
    @Order(1)
    void postgresqlLifecycle() throws Exception {
        lifecycle(Kind.POSTGRESQL);
    }

    @Test
    @Order(2)
    void mariadbLifecycle() throws Exception {
        lifecycle(Kind.MARIADB);
    }

    @Test
    @Order(3)
    void restartingJtroveAdoptsRunningServers() throws Exception {
        Map<String, Long> pids = new HashMap<>();
        instances.forEach((kind, id) -> pids.put(id, serverPid(id)));
        server.close();
        pids.values().forEach(pid -> assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).contains(true));

        server = new AllInOne(TestServers.config(state));
        api = new ApiClient(server.port(), "project-a");
        for (Map.Entry<String, String> e : instances.entrySet()) {
            JsonNode instance = awaitStatus(e.getValue(), "ACTIVE", Duration.ofSeconds(20));
            assertThat(serverPid(e.getValue())).as("server was adopted, not restarted").isEqualTo(pids.get(e.getValue()));
            Kind kind = Kind.valueOf(e.getKey());
            try (Connection c = kind.connect(ip(instance), "app", "alice", "alice-pw1")) {
                assertThat(queryInt(c, "SELECT x FROM t")).isEqualTo(42);
            }
        }
    }

    @Test
    @Order(4)
    void deleteStopsTheServerAndRemovesItsData() {
        for (String id : List.copyOf(instances.values())) {
            long pid = serverPid(id);
            Path dir = state.resolve("instances").resolve(id);
            assertThat(api.delete("/instances/" + id).status()).isEqualTo(202);
            await().atMost(Duration.ofSeconds(60)).until(() -> api.get("/instances/" + id).status() == 404);
            assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
            assertThat(dir).doesNotExist();
        }
        instances.clear();
        assertThat(api.get("/instances").body().path("instances")).isEmpty();
    }

    private void lifecycle(Kind kind) throws Exception {
        Response created = api.post("/instances", """
                {"instance": {"name": "%s-1", "flavorRef": "1", "volume": {"size": 1},
                  "datastore": {"type": "%s", "version": "%s"},
                  "databases": [{"name": "app"}],
                  "users": [{"name": "alice", "password": "alice-pw1", "databases": [{"name": "app"}]}]}}
                """.formatted(kind.type, kind.type, kind.version));
        assertThat(created.status()).as(created.raw()).isEqualTo(200);
        assertThat(created.body().at("/instance/status").asText()).isEqualTo("BUILD");
        String id = created.body().at("/instance/id").asText();
        instances.put(kind.name(), id);

        JsonNode instance = awaitStatus(id, "ACTIVE", Duration.ofSeconds(60));
        assertThat(instance.path("operating_status").asText()).isEqualTo("HEALTHY");
        assertThat(instance.at("/datastore/type").asText()).isEqualTo(kind.type);
        assertThat(instance.at("/volume/used").asDouble()).isPositive();
        String ip = ip(instance);
        assertThat(ip).startsWith("127.");

        try (Connection c = kind.connect(ip, "app", "alice", "alice-pw1"); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE t (x INT)");
            s.execute("INSERT INTO t VALUES (42)");
            assertThat(queryInt(c, "SELECT x FROM t")).isEqualTo(42);
        }
        assertThat(api.get("/instances").body().path("instances")).anyMatch(i -> i.path("id").asText().equals(id));

        users(kind, id, ip);
        databases(id);
        root(kind, id, ip);
        killAndRestart(kind, id, ip);
    }

    private void users(Kind kind, String id, String ip) throws Exception {
        String users = "/instances/" + id + "/users";
        assertThat(api.post(users, "{\"users\": [{\"name\": \"carol\", \"password\": \"carol-pw1\"}]}").status()).isEqualTo(202);
        JsonNode list = api.get(users).body().path("users");
        assertThat(names(list)).contains("alice", "carol");
        assertThat(list.findValues("name").stream().map(JsonNode::asText)).doesNotContain("os_admin", "root", "postgres");

        assertThatThrownBy(() -> kind.connect(ip, "app", "carol", "carol-pw1").close()).isInstanceOf(SQLException.class);
        assertThat(api.put(users + "/carol/databases", "{\"databases\": [{\"name\": \"app\"}]}").status()).isEqualTo(202);
        assertThat(names(api.get(users + "/carol/databases").body().path("databases"))).containsExactly("app");
        try (Connection c = kind.connect(ip, "app", "carol", "carol-pw1"); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE carol_owns (x INT)");
            s.execute("INSERT INTO carol_owns VALUES (7)");
        }
        assertThat(api.delete(users + "/carol/databases/app").status()).isEqualTo(202);
        assertThat(api.get(users + "/carol/databases").body().path("databases")).isEmpty();
        assertThatThrownBy(() -> kind.connect(ip, "app", "carol", "carol-pw1").close()).isInstanceOf(SQLException.class);
        assertThat(api.delete(users + "/carol/databases/app").status()).isEqualTo(404);

        assertThat(api.put(users + "/carol", "{\"user\": {\"password\": \"carol-pw2\"}}").status()).isEqualTo(202);
        kind.connect(ip, kind.defaultDb, "carol", "carol-pw2").close();
        assertThatThrownBy(() -> kind.connect(ip, kind.defaultDb, "carol", "carol-pw1").close()).isInstanceOf(SQLException.class);

        assertThat(api.put(users + "/carol", "{\"user\": {\"name\": \"dave\"}}").status()).isEqualTo(202);
        assertThat(api.get(users + "/carol").status()).isEqualTo(404);
        assertThat(api.get(users + "/dave").body().at("/user/name").asText()).isEqualTo("dave");
        kind.connect(ip, kind.defaultDb, "dave", "carol-pw2").close();

        assertThat(api.delete(users + "/dave").status()).as("a user owning objects can be deleted").isEqualTo(202);
        assertThat(api.get(users + "/dave").status()).isEqualTo(404);
        assertThatThrownBy(() -> kind.connect(ip, kind.defaultDb, "dave", "carol-pw2").close()).isInstanceOf(SQLException.class);
        assertThat(api.delete(users + "/dave").status()).isEqualTo(404);
        assertThat(api.post(users, "{\"users\": [{\"name\": \"alice\", \"password\": \"x-pw\"}]}").status()).isEqualTo(400);
    }

    private void databases(String id) {
        String dbs = "/instances/" + id + "/databases";
        assertThat(api.post(dbs, "{\"databases\": [{\"name\": \"extra\"}, {\"name\": \"extra_2\"}]}").status()).isEqualTo(202);
        assertThat(names(api.get(dbs).body().path("databases"))).contains("app", "extra", "extra_2");
        assertThat(api.post(dbs, "{\"databases\": [{\"name\": \"extra\"}]}").status()).isEqualTo(400);
        assertThat(api.delete(dbs + "/extra").status()).isEqualTo(202);
        assertThat(names(api.get(dbs).body().path("databases"))).contains("app", "extra_2").doesNotContain("extra");
        assertThat(api.delete(dbs + "/extra").status()).isEqualTo(404);
    }

    private void root(Kind kind, String id, String ip) throws Exception {
        String root = "/instances/" + id + "/root";
        assertThat(api.get(root).body().path("rootEnabled").asBoolean()).isFalse();
        assertThat(api.delete(root).status()).isEqualTo(404);
        Response enabled = api.post(root, null);
        assertThat(enabled.status()).isEqualTo(200);
        assertThat(enabled.body().at("/user/name").asText()).isEqualTo(kind.rootName);
        String password = enabled.body().at("/user/password").asText();
        assertThat(password).hasSizeGreaterThanOrEqualTo(16);
        try (Connection c = kind.connect(ip, kind.defaultDb, kind.rootName, password)) {
            assertThat(queryInt(c, "SELECT 1")).isEqualTo(1);
        }
        assertThat(api.get(root).body().path("rootEnabled").asBoolean()).isTrue();
        assertThat(api.delete(root).status()).isEqualTo(204);
        assertThatThrownBy(() -> kind.connect(ip, kind.defaultDb, kind.rootName, password).close())
                .isInstanceOf(SQLException.class);
        assertThat(api.get(root).body().path("rootEnabled").asBoolean()).isFalse();
        Response withPassword = api.post(root, "{\"password\": \"Chosen-root-pw9\"}");
        assertThat(withPassword.body().at("/user/password").asText()).isEqualTo("Chosen-root-pw9");
        kind.connect(ip, kind.defaultDb, kind.rootName, "Chosen-root-pw9").close();
        assertThat(api.delete(root).status()).isEqualTo(204);
    }

    private void killAndRestart(Kind kind, String id, String ip) throws Exception {
        long pid = serverPid(id);
        long killedAt = System.nanoTime();
        ProcessHandle.of(pid).orElseThrow().destroyForcibly();
        awaitStatus(id, "SHUTDOWN", Duration.ofSeconds(10));
        assertThat(Duration.ofNanos(System.nanoTime() - killedAt)).isLessThan(Duration.ofSeconds(10));
        assertThat(api.get("/instances/" + id + "/databases").status()).isEqualTo(422);

        assertThat(api.post("/instances/" + id + "/action", "{\"restart\": {}}").status()).isEqualTo(202);
        awaitStatus(id, "ACTIVE", Duration.ofSeconds(60));
        assertThat(serverPid(id)).isNotEqualTo(pid);
        try (Connection c = kind.connect(ip, "app", "alice", "alice-pw1")) {
            assertThat(queryInt(c, "SELECT x FROM t")).isEqualTo(42);
        }
    }

    // ---- helpers ---------------------------------------------------------------------------------------------

    private JsonNode awaitStatus(String id, String status, Duration timeout) {
        JsonNode[] last = new JsonNode[1];
        await().atMost(timeout).pollInterval(Duration.ofMillis(50)).until(() -> {
            last[0] = api.get("/instances/" + id).body().path("instance");
            assertThat(last[0].path("status").asText()).as(last[0].toString()).isNotEqualTo(
                    "ERROR".equals(status) ? "" : "ERROR");
            return status.equals(last[0].path("status").asText());
        });
        return last[0];
    }

    private long serverPid(String id) {
        try {
            return Long.parseLong(Files.readString(state.resolve("instances").resolve(id).resolve("agent/server.pid")).trim());
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String ip(JsonNode instance) {
        return instance.path("ip").get(0).asText();
    }

    private static List<String> names(JsonNode items) {
        List<String> out = new ArrayList<>();
        items.forEach(i -> out.add(i.path("name").asText()));
        return out;
    }

    private static int queryInt(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
