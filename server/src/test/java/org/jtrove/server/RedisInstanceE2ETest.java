package org.jtrove.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.jtrove.guestagent.Datastores;
import org.jtrove.server.ApiClient.Response;
import org.jtrove.store.DatastoreVersionRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * Redis instances through the API on real redis-server processes: data, root as the default user's password
 * (kept across restarts), no databases or users (501), resize, kill -9, adoption, delete, and a Maven-shipped build.
 */
@Tag("e2e")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RedisInstanceE2ETest {
    private static final String EMBEDDED = "com.github.codemonstur:embedded-redis:1.4.3";
    private Path state;
    private AllInOne server;
    private ApiClient api;
    private String id;
    private String ip;

    @BeforeAll
    void start() throws Exception {
        state = TestServers.stateDir("redis");
        server = new AllInOne(TestServers.config(state));
        api = new ApiClient(server.port(), "project-r");
    }

    @AfterAll
    void stop() {
        if (server != null) {
            if (id != null) {
                api.delete("/instances/" + id);
                await().atMost(Duration.ofSeconds(60)).until(() -> api.get("/instances/" + id).status() == 404);
            }
            server.close();
        }
    }

    @Test
    @Order(1)
    void createStoresDataAndRefusesDatabasesAndUsers() {
        Response withDatabases = api.post("/instances", create("r0", "7.0", ", \"databases\": [{\"name\": \"app\"}]"));
        assertThat(withDatabases.status()).as(withDatabases.raw()).isEqualTo(501);
        assertThat(withDatabases.body().at("/notImplemented/message").asText()).contains("'databases'", "'redis'");
        Response withUsers = api.post("/instances", create("r0", "7.0",
                ", \"users\": [{\"name\": \"u\", \"password\": \"u-pw\"}]"));
        assertThat(withUsers.status()).isEqualTo(501);
        assertThat(api.get("/instances").body().path("instances")).as("nothing was created").isEmpty();

        Response created = api.post("/instances", create("r1", "7.0", ", \"databases\": []"));
        assertThat(created.status()).as(created.raw()).isEqualTo(200);
        id = created.body().at("/instance/id").asText();
        JsonNode instance = awaitStatus("ACTIVE", Duration.ofSeconds(60));
        assertThat(instance.path("operating_status").asText()).isEqualTo("HEALTHY");
        assertThat(instance.at("/datastore/type").asText()).isEqualTo("redis");
        ip = instance.path("ip").get(0).asText();
        assertThat(ProcessHandle.of(serverPid()).orElseThrow().info().user()).as("runs unprivileged")
                .hasValueSatisfying(user -> assertThat(user).isNotEqualTo("root"));

        try (Jedis j = client()) {
            assertThat(j.set("greeting", "hello")).isEqualTo("OK");
            assertThat(j.get("greeting")).isEqualTo("hello");
            assertThat(info(j, "maxmemory")).isEqualTo(Long.toString(384L << 20));
            assertThatThrownBy(() -> j.configGet("dir")).as("the password-less default user cannot administer")
                    .isInstanceOf(JedisDataException.class).hasMessageContaining("NOPERM");
        }

        String base = "/instances/" + id;
        for (String[] route : new String[][] {{"GET", "/databases", "list_databases"},
                {"POST", "/databases", "create_database"}, {"DELETE", "/databases/app", "delete_database"},
                {"GET", "/users", "list_users"}, {"POST", "/users", "create_user"}, {"GET", "/users/u", "get_user"},
                {"PUT", "/users/u/databases", "grant_access"}}) {
            String body = route[0].equals("GET") || route[0].equals("DELETE") ? null
                    : route[1].startsWith("/databases") ? "{\"databases\": [{\"name\": \"app\"}]}"
                    : route[1].startsWith("/users/") ? "{\"databases\": [{\"name\": \"app\"}]}"
                    : "{\"users\": [{\"name\": \"u\", \"password\": \"u-pw\"}]}";
            Response r = api.send(route[0], base + route[1], body);
            assertThat(r.status()).as(route[0] + " " + route[1]).isEqualTo(501);
            assertThat(r.body().at("/notImplemented/code").asInt()).isEqualTo(501);
            assertThat(r.body().at("/notImplemented/message").asText())
                    .isEqualTo("The '" + route[2] + "' operation is not supported for the 'redis' datastore.");
        }
    }

    @Test
    @Order(2)
    void rootPasswordIsRequiredOnceEnabledAndSurvivesRestart() throws Exception {
        String root = "/instances/" + id + "/root";
        assertThat(api.get(root).body().path("rootEnabled").asBoolean()).isFalse();
        assertThat(api.delete(root).status()).isEqualTo(404);
        Response enabled = api.post(root, null);
        assertThat(enabled.status()).as(enabled.raw()).isEqualTo(200);
        assertThat(enabled.body().at("/user/name").asText()).isEqualTo("default");
        String password = enabled.body().at("/user/password").asText();
        assertThat(password).hasSizeGreaterThanOrEqualTo(16);
        assertThat(api.get(root).body().path("rootEnabled").asBoolean()).isTrue();
        requiresPassword(password);

        assertThat(api.post("/instances/" + id + "/action", "{\"restart\": {}}").status()).isEqualTo(202);
        awaitStatus("ACTIVE", Duration.ofSeconds(60));
        requiresPassword(password);
        assertThat(api.get(root).body().path("rootEnabled").asBoolean()).isTrue();
        assertThat(Files.readString(instanceDir().resolve("data/users.acl"))).as("only hashes are stored")
                .doesNotContain(password);

        assertThat(api.delete(root).status()).isEqualTo(204);
        assertThat(api.get(root).body().path("rootEnabled").asBoolean()).isFalse();
        try (Jedis j = client()) {
            assertThat(j.get("greeting")).isEqualTo("hello");
        }
        Response chosen = api.post(root, "{\"password\": \"Chosen-root-pw9\"}");
        assertThat(chosen.body().at("/user/password").asText()).isEqualTo("Chosen-root-pw9");
        requiresPassword("Chosen-root-pw9");
        assertThat(api.delete(root).status()).isEqualTo(204);
    }

    @Test
    @Order(3)
    void resizeSetsMaxmemoryFromTheNewFlavor() {
        assertThat(api.post("/instances/" + id + "/action", "{\"resize\": {\"flavorRef\": \"2\"}}").status()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> {
            JsonNode i = api.get("/instances/" + id).body().path("instance");
            return "ACTIVE".equals(i.path("status").asText()) && "2".equals(i.at("/flavor/id").asText());
        });
        try (Jedis j = client()) {
            assertThat(info(j, "maxmemory")).isEqualTo(Long.toString(768L << 20));
            assertThat(j.get("greeting")).isEqualTo("hello");
        }
    }

    @Test
    @Order(4)
    void killedServerIsReportedShutdownAndRestarts() {
        long pid = serverPid();
        ProcessHandle.of(pid).orElseThrow().destroyForcibly();
        awaitStatus("SHUTDOWN", Duration.ofSeconds(10));
        assertThat(api.post("/instances/" + id + "/action", "{\"restart\": {}}").status()).isEqualTo(202);
        awaitStatus("ACTIVE", Duration.ofSeconds(60));
        assertThat(serverPid()).isNotEqualTo(pid);
        try (Jedis j = client()) {
            assertThat(j.get("greeting")).isEqualTo("hello");
        }
    }

    @Test
    @Order(5)
    void restartedJtroveAdoptsTheRunningServer() throws Exception {
        long pid = serverPid();
        server.close();
        server = new AllInOne(TestServers.config(state));
        api = new ApiClient(server.port(), "project-r");
        awaitStatus("ACTIVE", Duration.ofSeconds(20));
        assertThat(serverPid()).as("adopted, not restarted").isEqualTo(pid);
    }

    @Test
    @Order(6)
    void deleteStopsTheServerAndRemovesItsData() {
        long pid = serverPid();
        Path dir = instanceDir();
        assertThat(api.delete("/instances/" + id).status()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(60)).until(() -> api.get("/instances/" + id).status() == 404);
        id = null;
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
        assertThat(dir).doesNotExist();
    }

    @Test
    @Order(7)
    void aMavenShippedRedisBuildRunsInstances() throws Exception {
        DatastoreVersionRecord v = server.registration()
                .importMaven(null, EMBEDDED, null);
        assertThat(v.name()).isEqualTo("6.2");
        assertThat(v.buildSource()).isEqualTo("maven:" + EMBEDDED);
        Response created = api.post("/instances", create("r62", "6.2", ""));
        assertThat(created.status()).as(created.raw()).isEqualTo(200);
        id = created.body().at("/instance/id").asText();
        ip = awaitStatus("ACTIVE", Duration.ofSeconds(60)).path("ip").get(0).asText();
        try (Jedis j = client()) {
            assertThat(info(j, "redis_version")).startsWith("6.2.");
            j.set("k", "v");
        }
        String password = api.post("/instances/" + id + "/root", null).body().at("/user/password").asText();
        requiresPassword(password);

        // An RDB backup of the 6.2 build restores there with its data and its root password (the ACL file).
        String backup = api.post("/backups", "{\"backup\": {\"name\": \"r62\", \"instance\": \"" + id + "\"}}")
                .body().at("/backup/id").asText();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50)).until(() -> {
            JsonNode b = api.get("/backups/" + backup).body().path("backup");
            assertThat(b.path("status").asText()).as(b.toString()).isNotEqualTo("FAILED");
            return "COMPLETED".equals(b.path("status").asText());
        });
        String source = id;
        Response restored = api.post("/instances", "{\"instance\": {\"name\": \"r62-restored\", \"flavorRef\": \"1\","
                + " \"volume\": {\"size\": 1}, \"restorePoint\": {\"backupRef\": \"" + backup + "\"}}}");
        assertThat(restored.status()).as(restored.raw()).isEqualTo(200);
        id = restored.body().at("/instance/id").asText();
        ip = awaitStatus("ACTIVE", Duration.ofSeconds(60)).path("ip").get(0).asText();
        requiresPassword(password);
        try (Jedis j = client()) {
            j.auth(password);
            assertThat(j.get("k")).isEqualTo("v");
            assertThat(info(j, "redis_version")).startsWith("6.2.");
        }
        assertThat(api.delete("/instances/" + id).status()).isEqualTo(202);
        String restoredId = id;
        await().atMost(Duration.ofSeconds(60)).until(() -> api.get("/instances/" + restoredId).status() == 404);
        id = source;
        assertThat(api.delete("/instances/" + id).status()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(60)).until(() -> api.get("/instances/" + id).status() == 404);
        id = null;
    }

    // ---- helpers ---------------------------------------------------------------------------------------------

    private static String create(String name, String version, String extra) {
        return "{\"instance\": {\"name\": \"" + name + "\", \"flavorRef\": \"1\", \"volume\": {\"size\": 1},"
                + " \"datastore\": {\"type\": \"redis\", \"version\": \"" + version + "\"}" + extra + "}}";
    }

    private void requiresPassword(String password) {
        try (Jedis anonymous = client()) {
            assertThatThrownBy(() -> anonymous.get("greeting")).isInstanceOf(JedisDataException.class)
                    .hasMessageContaining("NOAUTH");
            assertThat(anonymous.auth(password)).isEqualTo("OK");
            anonymous.set("after-auth", "yes");
        }
        try (Jedis wrong = client()) {
            assertThatThrownBy(() -> wrong.auth("not-the-password")).isInstanceOf(JedisDataException.class);
        }
    }

    private Jedis client() {
        return new Jedis(new HostAndPort(ip, 6379), DefaultJedisClientConfig.builder().autoNegotiateProtocol(false)
                .connectionTimeoutMillis(3000).socketTimeoutMillis(3000).build());
    }

    private static String info(Jedis j, String field) {
        return j.info().lines().filter(l -> l.startsWith(field + ":")).findFirst().orElseThrow()
                .substring(field.length() + 1).strip();
    }

    private JsonNode awaitStatus(String status, Duration timeout) {
        JsonNode[] last = new JsonNode[1];
        await().atMost(timeout).pollInterval(Duration.ofMillis(50)).until(() -> {
            last[0] = api.get("/instances/" + id).body().path("instance");
            assertThat(last[0].path("status").asText()).as(last[0].toString()).isNotEqualTo("ERROR");
            return status.equals(last[0].path("status").asText());
        });
        return last[0];
    }

    private Path instanceDir() {
        return state.resolve("instances").resolve(id);
    }

    private long serverPid() {
        try {
            return Long.parseLong(Files.readString(instanceDir().resolve("agent/server.pid")).trim());
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
