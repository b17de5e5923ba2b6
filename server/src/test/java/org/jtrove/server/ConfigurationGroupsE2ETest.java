package org.jtrove.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jtrove.server.ApiClient.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Configuration groups against real servers: values checked against the catalogue, applied live (dynamic) or
 * after a restart (RESTART_REQUIRED), kept across restarts, applied at build, reset on detach; one project never
 * sees another's groups.
 */
@Tag("e2e")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConfigurationGroupsE2ETest {
    private static final String PG = "{\"type\": \"postgresql\", \"version\": \"15\"}";
    private static final String MARIADB = "{\"type\": \"mariadb\", \"version\": \"10.11\"}";
    private static final String REDIS = "{\"type\": \"redis\"}";
    private AllInOne server;
    private ApiClient api;
    private ApiClient other;
    private final List<String> instances = new ArrayList<>();

    @BeforeAll
    void start() throws Exception {
        Path state = TestServers.stateDir("config");
        server = new AllInOne(TestServers.config(state));
        api = new ApiClient(server.port(), "project-c");
        other = new ApiClient(server.port(), "project-d");
    }

    @AfterAll
    void stop() {
        if (server != null) {
            instances.forEach(id -> api.delete("/instances/" + id));
            await().atMost(Duration.ofSeconds(60)).until(() -> instances.stream()
                    .allMatch(id -> api.get("/instances/" + id).status() == 404));
            server.close();
        }
    }

    @Test
    void parametersAreListedPerDatastoreVersion() {
        JsonNode list = api.get("/datastores/postgresql/versions/15/parameters").body().path("configuration-parameters");
        JsonNode workMem = find(list, "work_mem");
        assertThat(workMem.path("type").asText()).isEqualTo("integer");
        assertThat(workMem.path("restart_required").asBoolean()).isFalse();
        assertThat(workMem.path("min").asLong()).isEqualTo(64);
        assertThat(find(list, "shared_buffers").path("restart_required").asBoolean()).isTrue();

        String versionId = workMem.path("datastore_version_id").asText();
        Response bare = api.get("/datastores/versions/" + versionId + "/parameters/max_connections");
        assertThat(bare.status()).isEqualTo(200);
        assertThat(bare.body().path("name").asText()).as("a parameter is answered bare").isEqualTo("max_connections");
        assertThat(bare.body().path("restart_required").asBoolean()).isTrue();
        assertThat(api.get("/datastores/versions/" + versionId + "/parameters").body()
                .path("configuration-parameters").size()).isEqualTo(list.size());
        assertThat(api.get("/datastores/postgresql/versions/15/parameters/no_such").status()).isEqualTo(404);
        assertThat(api.get("/datastores/postgresql/versions/99/parameters").status()).isEqualTo(404);

        JsonNode mariadb = api.get("/datastores/mariadb/versions/10.11/parameters").body().path("configuration-parameters");
        assertThat(find(mariadb, "back_log").path("restart_required").asBoolean()).isTrue();
        assertThat(find(mariadb, "wait_timeout").path("restart_required").asBoolean()).isFalse();
    }

    @Test
    void invalidGroupsGetTroveErrorsAndCreateNothing() {
        assertError(api.post("/configurations", group("g", "{\"no_such_param\": 1}", PG)), 422, "not supported");
        assertError(api.post("/configurations", group("g", "{\"work_mem\": \"8MB\"}", PG)), 422, "not of type integer");
        assertError(api.post("/configurations", group("g", "{\"work_mem\": 1}", PG)), 422, "below the minimum");
        assertError(api.post("/configurations", group("g", "{\"max_connections\": 100000000}", PG)), 422, "above the maximum");
        assertError(api.post("/configurations", group("g", "{\"autovacuum\": 1}", PG)), 422, "not of type boolean");
        assertError(api.post("/configurations", group("g", "{\"wal_level\": \"minimal'; DROP TABLE x; --\"}", PG)),
                422, "not one of");
        assertError(api.post("/configurations", group("g", "[1]", PG)), 400, "must be an object");
        assertError(api.post("/configurations", "{\"configuration\": {\"name\": \"g\"}}"), 400, "'values' is a required");
        assertError(api.post("/configurations", "{\"configuration\": {\"name\": \"g\", \"values\": {}, \"x\": 1}}"), 400,
                "Additional properties");
        assertError(api.post("/configurations", "{\"configuration\": "), 400, "not valid JSON");
        assertError(api.post("/configurations", group("g", "{}", "{\"type\": \"nope\"}")), 404, "cannot be found");
        assertThat(api.get("/configurations").body().path("configurations")).isEmpty();
    }

    @Test
    void projectsNeverSeeEachOthersGroups() {
        Response created = api.post("/configurations", "{\"configuration\": {\"name\": \"mine\", \"description\": \"d\","
                + " \"values\": {\"work_mem\": 5000}}}");
        assertThat(created.status()).isEqualTo(200);
        JsonNode c = created.body().path("configuration");
        String id = c.path("id").asText();
        assertThat(c.path("datastore_name").asText()).as("default datastore").isNotEmpty();
        assertThat(c.path("values").path("work_mem").asLong()).isEqualTo(5000);
        assertThat(c.path("instance_count").asInt()).isZero();
        try {
            assertThat(other.get("/configurations/" + id).status()).isEqualTo(404);
            assertThat(other.get("/configurations").body().path("configurations")).isEmpty();
            assertThat(other.put("/configurations/" + id, "{\"configuration\": {\"values\": {}}}").status()).isEqualTo(404);
            assertThat(other.patch("/configurations/" + id, "{\"configuration\": {\"values\": {}}}").status()).isEqualTo(404);
            assertThat(other.delete("/configurations/" + id).status()).isEqualTo(404);
            assertThat(other.get("/configurations/" + id + "/instances").status()).isEqualTo(404);
            assertThat(api.get("/configurations/" + id).body().at("/configuration/values/work_mem").asLong()).isEqualTo(5000);
            assertThat(api.get("/configurations").body().path("configurations").findValuesAsText("id")).contains(id);
        } finally {
            assertThat(api.delete("/configurations/" + id).status()).isEqualTo(202);
        }
        assertThat(api.get("/configurations/" + id).status()).isEqualTo(404);
    }

    @Test
    void postgresqlDynamicAndRestartRequiredValues() throws Exception {
        String g1 = createGroup("pg-tuning", "{\"work_mem\": 8192, \"max_connections\": 77}", PG);
        String mariadbGroup = createGroup("for-mariadb", "{\"wait_timeout\": 100}", MARIADB);
        String id = createInstance("pg-a", PG, null);
        awaitStatus(id, "ACTIVE");
        String ip = ip(id);
        assertThat(pg(ip, "SHOW work_mem")).isEqualTo("2MB");
        assertThat(pg(ip, "SHOW max_connections")).isEqualTo("64");

        assertError(api.put("/instances/" + id, "{\"instance\": {\"configuration\": \"" + mariadbGroup + "\"}}"), 400,
                "another datastore version");
        assertThat(api.put("/instances/" + id, "{\"instance\": {\"configuration\": \"" + g1 + "\"}}").status()).isEqualTo(202);
        assertThat(pg(ip, "SHOW work_mem")).as("dynamic: at once").isEqualTo("8MB");
        assertThat(pg(ip, "SHOW max_connections")).as("restart required: not yet").isEqualTo("64");
        JsonNode shown = api.get("/instances/" + id).body().path("instance");
        assertThat(shown.path("status").asText()).isEqualTo("RESTART_REQUIRED");
        assertThat(shown.at("/configuration/id").asText()).isEqualTo(g1);
        assertThat(shown.at("/configuration/name").asText()).isEqualTo("pg-tuning");

        String g2 = createGroup("other", "{\"work_mem\": 1024}", PG);
        assertError(api.put("/instances/" + id, "{\"instance\": {\"configuration\": \"" + g2 + "\"}}"), 400, "already has");
        assertError(api.delete("/configurations/" + g1), 400, "attached");
        assertThat(api.get("/configurations/" + g1 + "/instances").body().path("instances").findValuesAsText("id"))
                .containsExactly(id);
        assertThat(api.get("/configurations/" + g1).body().at("/configuration/instance_count").asInt()).isEqualTo(1);

        restart(id);
        assertThat(pg(ip, "SHOW max_connections")).as("restart required: after the restart").isEqualTo("77");
        assertThat(pg(ip, "SHOW work_mem")).as("kept across the restart").isEqualTo("8MB");
        JsonNode effective = api.get("/instances/" + id + "/configuration").body().at("/instance/configuration");
        assertThat(effective.path("work_mem").asLong()).isEqualTo(8192);
        assertThat(effective.path("max_connections").asLong()).isEqualTo(77);
        assertThat(effective.path("shared_buffers").asLong()).as("flavor default, 128MB in 8 kB pages").isEqualTo(16384);

        assertThat(api.patch("/configurations/" + g1, "{\"configuration\": {\"values\": {\"work_mem\": 16384}}}").status())
                .isEqualTo(200);
        assertThat(pg(ip, "SHOW work_mem")).isEqualTo("16MB");
        assertThat(status(id)).as("a dynamic change needs no restart").isEqualTo("ACTIVE");
        assertThat(api.get("/configurations/" + g1).body().at("/configuration/values/max_connections").asLong())
                .as("PATCH merges").isEqualTo(77);

        assertThat(api.put("/configurations/" + g1, "{\"configuration\": {\"values\": {\"work_mem\": 4096}}}").status())
                .isEqualTo(202);
        assertThat(pg(ip, "SHOW work_mem")).isEqualTo("4MB");
        assertThat(status(id)).as("max_connections was removed: back to the default after a restart")
                .isEqualTo("RESTART_REQUIRED");

        assertThat(api.put("/instances/" + id, "{\"instance\": {\"configuration\": null}}").status()).isEqualTo(202);
        assertThat(pg(ip, "SHOW work_mem")).as("detach resets to the flavor's value").isEqualTo("2MB");
        assertThat(api.get("/instances/" + id).body().path("instance").has("configuration")).isFalse();
        restart(id);
        assertThat(pg(ip, "SHOW max_connections")).isEqualTo("64");
        assertThat(api.delete("/configurations/" + g2).status()).isEqualTo(202);

        // A group attached at create is in effect from the first start, with no restart.
        assertThat(api.patch("/configurations/" + g1, "{\"configuration\": {\"values\": {\"shared_buffers\": 2048}}}")
                .status()).isEqualTo(200);
        assertError(api.post("/instances", instanceBody("pg-x", PG, mariadbGroup)), 400, "another datastore version");
        String foreign = new ApiClient(server.port(), "project-e").post("/configurations", group("theirs", "{}", PG))
                .body().at("/configuration/id").asText();
        assertError(api.post("/instances", instanceBody("pg-x", PG, foreign)), 404, "cannot be found");
        String b = createInstance("pg-b", PG, g1);
        awaitStatus(b, "ACTIVE");
        assertThat(pg(ip(b), "SHOW shared_buffers")).isEqualTo("16MB");
        assertThat(pg(ip(b), "SHOW work_mem")).isEqualTo("4MB");
        assertThat(api.get("/instances/" + b).body().at("/instance/configuration/id").asText()).isEqualTo(g1);
    }

    @Test
    void mariadbDynamicAndRestartRequiredValues() throws Exception {
        String m1 = createGroup("maria", "{\"max_connections\": 91, \"back_log\": 33}", MARIADB);
        String id = createInstance("maria-a", MARIADB, m1);
        awaitStatus(id, "ACTIVE");
        String ip = ip(id);
        assertThat(my(ip, "SELECT @@GLOBAL.max_connections")).isEqualTo("91");
        assertThat(my(ip, "SELECT @@GLOBAL.back_log")).as("applied before the first start").isEqualTo("33");

        assertThat(api.patch("/configurations/" + m1,
                "{\"configuration\": {\"values\": {\"wait_timeout\": 1234, \"back_log\": 44}}}").status()).isEqualTo(200);
        assertThat(my(ip, "SELECT @@GLOBAL.wait_timeout")).isEqualTo("1234");
        assertThat(my(ip, "SELECT @@GLOBAL.back_log")).isEqualTo("33");
        assertThat(status(id)).isEqualTo("RESTART_REQUIRED");
        restart(id);
        assertThat(my(ip, "SELECT @@GLOBAL.back_log")).isEqualTo("44");
        assertThat(my(ip, "SELECT @@GLOBAL.max_connections")).isEqualTo("91");
        assertThat(my(ip, "SELECT @@GLOBAL.wait_timeout")).isEqualTo("1234");
        JsonNode effective = api.get("/instances/" + id + "/configuration").body().at("/instance/configuration");
        assertThat(effective.path("back_log").asLong()).isEqualTo(44);
        assertThat(effective.path("performance_schema").isBoolean()).isTrue();

        assertThat(api.put("/instances/" + id, "{\"instance\": {}}").status()).as("an empty update detaches").isEqualTo(202);
        assertThat(my(ip, "SELECT @@GLOBAL.max_connections")).as("the flavor's value").isEqualTo("64");
        assertThat(my(ip, "SELECT @@GLOBAL.wait_timeout")).as("the server default").isEqualTo("28800");
        assertThat(status(id)).isEqualTo("RESTART_REQUIRED");
        restart(id);
        assertThat(my(ip, "SELECT @@GLOBAL.back_log")).isNotEqualTo("44");
        assertThat(my(ip, "SELECT @@GLOBAL.max_connections")).isEqualTo("64");
        assertThat(api.delete("/configurations/" + m1).status()).isEqualTo(202);
    }

    @Test
    void redisDynamicAndRestartRequiredValues() throws Exception {
        String r1 = createGroup("redis", "{\"maxmemory-policy\": \"allkeys-lru\", \"databases\": 32}", REDIS);
        Response created = api.post("/instances", "{\"instance\": {\"name\": \"redis-a\", \"flavorRef\": \"1\","
                + " \"volume\": {\"size\": 1}, \"datastore\": " + REDIS + ", \"configuration\": \"" + r1 + "\"}}");
        assertThat(created.status()).as(created.raw()).isEqualTo(200);
        String id = created.body().at("/instance/id").asText();
        instances.add(id);
        awaitStatus(id, "ACTIVE");
        JsonNode effective = api.get("/instances/" + id + "/configuration").body().at("/instance/configuration");
        assertThat(effective.path("maxmemory-policy").asText()).isEqualTo("allkeys-lru");
        assertThat(effective.path("databases").asLong()).as("applied before the first start").isEqualTo(32);
        try (var j = new redis.clients.jedis.Jedis(ip(id), 6379)) {
            j.select(31);   // only exists with databases = 32
        }

        assertThat(api.patch("/configurations/" + r1,
                "{\"configuration\": {\"values\": {\"timeout\": 77, \"save\": \"900 1\", \"databases\": 8}}}").status())
                .isEqualTo(200);
        effective = api.get("/instances/" + id + "/configuration").body().at("/instance/configuration");
        assertThat(effective.path("timeout").asLong()).as("dynamic: at once").isEqualTo(77);
        assertThat(effective.path("save").asText()).isEqualTo("900 1");
        assertThat(effective.path("databases").asLong()).as("restart required").isEqualTo(32);
        assertThat(status(id)).isEqualTo("RESTART_REQUIRED");
        restart(id);
        effective = api.get("/instances/" + id + "/configuration").body().at("/instance/configuration");
        assertThat(effective.path("databases").asLong()).isEqualTo(8);
        assertThat(effective.path("timeout").asLong()).isEqualTo(77);
        assertThat(effective.path("save").asText()).isEqualTo("900 1");

        assertThat(api.put("/instances/" + id, "{\"instance\": {\"configuration\": null}}").status()).isEqualTo(202);
        effective = api.get("/instances/" + id + "/configuration").body().at("/instance/configuration");
        assertThat(effective.path("maxmemory-policy").asText()).as("jtrove's default again").isEqualTo("noeviction");
        assertThat(effective.path("save").asText()).isEqualTo("3600 1 300 100 60 10000");
        assertThat(api.post("/configurations", group("bad", "{\"maxmemory-policy\": \"sometimes\"}", REDIS)).status())
                .isEqualTo(422);
        // A value only the server can judge is refused on attach and never reaches the file read at start.
        String hourly = createGroup("hourly", "{\"save\": \"hourly\"}", REDIS);
        Response refused = api.put("/instances/" + id, "{\"instance\": {\"configuration\": \"" + hourly + "\"}}");
        assertThat(refused.status()).as(refused.raw()).isEqualTo(422);
        assertThat(api.get("/instances/" + id).body().path("instance").has("configuration")).isFalse();
        restart(id);
        assertThat(api.delete("/configurations/" + hourly).status()).isEqualTo(202);
        assertThat(api.delete("/configurations/" + r1).status()).isEqualTo(202);
    }

    // ---- helpers ---------------------------------------------------------------------------------------------

    private static String group(String name, String values, String datastore) {
        return "{\"configuration\": {\"name\": \"" + name + "\", \"values\": " + values + ", \"datastore\": " + datastore + "}}";
    }

    private String createGroup(String name, String values, String datastore) {
        Response r = api.post("/configurations", group(name, values, datastore));
        assertThat(r.status()).as(r.raw()).isEqualTo(200);
        return r.body().at("/configuration/id").asText();
    }

    private static String instanceBody(String name, String datastore, String configuration) {
        return "{\"instance\": {\"name\": \"" + name + "\", \"flavorRef\": \"1\", \"volume\": {\"size\": 1},"
                + " \"datastore\": " + datastore + ", \"users\": [{\"name\": \"alice\", \"password\": \"alice-pw1\"}]"
                + (configuration == null ? "" : ", \"configuration\": \"" + configuration + "\"") + "}}";
    }

    private String createInstance(String name, String datastore, String configuration) {
        Response r = api.post("/instances", instanceBody(name, datastore, configuration));
        assertThat(r.status()).as(r.raw()).isEqualTo(200);
        String id = r.body().at("/instance/id").asText();
        instances.add(id);
        return id;
    }

    private void restart(String id) {
        assertThat(api.post("/instances/" + id + "/action", "{\"restart\": {}}").status()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(50)).until(() -> "ACTIVE".equals(status(id)));
    }

    private void awaitStatus(String id, String status) {
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(100)).until(() -> status.equals(status(id)));
    }

    private String status(String id) {
        return api.get("/instances/" + id).body().at("/instance/status").asText();
    }

    private String ip(String id) {
        return api.get("/instances/" + id).body().at("/instance/ip/0").asText();
    }

    private static String pg(String ip, String sql) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://" + ip + ":5432/postgres", "alice", "alice-pw1");
             ResultSet rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static String my(String ip, String sql) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:mariadb://" + ip + ":3306/", "alice", "alice-pw1");
             ResultSet rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static JsonNode find(JsonNode list, String name) {
        for (JsonNode p : list) {
            if (name.equals(p.path("name").asText())) {
                return p;
            }
        }
        throw new AssertionError("no parameter " + name + " in " + list);
    }

    private static void assertError(Response r, int status, String message) {
        assertThat(r.status()).as(r.raw()).isEqualTo(status);
        assertThat(r.body().elements().next().path("message").asText()).contains(message);
    }
}
