package org.jtrove.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;
import org.jtrove.guestagent.Datastores;
import org.jtrove.model.guest.ServerBuild;
import org.jtrove.server.ApiClient.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Bad input gets a 4xx in Trove's error format and changes nothing. */
@Tag("e2e")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BadInputE2ETest {
    private Path state;
    private AllInOne server;
    private ApiClient api;

    @BeforeAll
    void start() throws Exception {
        state = TestServers.stateDir("badinput");
        server = new AllInOne(TestServers.config(state));
        api = new ApiClient(server.port(), "project-b");
        server.registration().register("postgresql", "15-retired",
                new ServerBuild("postgresql", "15", "/usr/lib/postgresql/15/bin", "/usr/lib/postgresql/15", "debian"), false);
    }

    @AfterAll
    void stop() {
        server.close();
    }

    static String create(String fields) {
        return "{\"instance\": {" + fields + "}}";
    }

    static final String OK = "\"name\": \"x\", \"flavorRef\": \"1\", \"volume\": {\"size\": 1}";
    static final String PG = ", \"datastore\": {\"type\": \"postgresql\", \"version\": \"15\"}";
    static final String MY = ", \"datastore\": {\"type\": \"mariadb\", \"version\": \"10.11\"}";

    static Stream<Arguments> badCreates() {
        String longName = "d".repeat(64);
        return Stream.of(
                Arguments.of("not json", "{\"instance\": ", 400),
                Arguments.of("array body", "[1, 2]", 400),
                Arguments.of("no instance", "{\"server\": {}}", 400),
                Arguments.of("no name", create("\"flavorRef\": \"1\", \"volume\": {\"size\": 1}"), 400),
                Arguments.of("blank name", create("\"name\": \"  \", \"flavorRef\": \"1\", \"volume\": {\"size\": 1}"), 400),
                Arguments.of("name not a string", create("\"name\": 5, \"flavorRef\": \"1\", \"volume\": {\"size\": 1}"), 400),
                Arguments.of("unknown flavor", create("\"name\": \"x\", \"flavorRef\": \"999\", \"volume\": {\"size\": 1}"), 400),
                Arguments.of("flavor is a list", create("\"name\": \"x\", \"flavorRef\": [1], \"volume\": {\"size\": 1}"), 400),
                Arguments.of("no volume", create("\"name\": \"x\", \"flavorRef\": \"1\""), 400),
                Arguments.of("volume 0", create("\"name\": \"x\", \"flavorRef\": \"1\", \"volume\": {\"size\": 0}"), 400),
                Arguments.of("volume -1", create("\"name\": \"x\", \"flavorRef\": \"1\", \"volume\": {\"size\": -1}"), 400),
                Arguments.of("volume text", create("\"name\": \"x\", \"flavorRef\": \"1\", \"volume\": {\"size\": \"big\"}"), 400),
                Arguments.of("volume too large", create("\"name\": \"x\", \"flavorRef\": \"1\", \"volume\": {\"size\": 11}"), 413),
                Arguments.of("unknown datastore", create(OK + ", \"datastore\": {\"type\": \"oracle\"}"), 404),
                Arguments.of("unknown version", create(OK + ", \"datastore\": {\"type\": \"postgresql\", \"version\": \"7\"}"), 400),
                Arguments.of("inactive version", create(OK + ", \"datastore\": {\"type\": \"postgresql\", \"version\": \"15-retired\"}"), 400),
                Arguments.of("db quote", create(OK + MY + ", \"databases\": [{\"name\": \"a'b\"}]"), 400),
                Arguments.of("db semicolon", create(OK + MY + ", \"databases\": [{\"name\": \"a;DROP TABLE x\"}]"), 400),
                Arguments.of("db backslash", create(OK + MY + ", \"databases\": [{\"name\": \"a\\\\b\"}]"), 400),
                Arguments.of("db two blanks", create(OK + MY + ", \"databases\": [{\"name\": \"a b c\"}]"), 400),
                Arguments.of("db period", create(OK + MY + ", \"databases\": [{\"name\": \"my.db\"}]"), 400),
                Arguments.of("db double quote", create(OK + MY + ", \"databases\": [{\"name\": \"a\\\"b\"}]"), 400),
                Arguments.of("db backtick", create(OK + MY + ", \"databases\": [{\"name\": \"a`b\"}]"), 400),
                Arguments.of("db too long", create(OK + PG + ", \"databases\": [{\"name\": \"" + longName + "\"}]"), 400),
                Arguments.of("db 64 bytes", create(OK + PG + ", \"databases\": [{\"name\": \"" + "\u00e9".repeat(32) + "\"}]"), 400),
                Arguments.of("db trailing blank", create(OK + PG + ", \"databases\": [{\"name\": \"ab \"}]"), 400),
                Arguments.of("db zero-width", create(OK + PG + ", \"databases\": [{\"name\": \"a\\u200bb\"}]"), 400),
                Arguments.of("db reserved postgres", create(OK + PG + ", \"databases\": [{\"name\": \"postgres\"}]"), 400),
                Arguments.of("db reserved mysql", create(OK + MY + ", \"databases\": [{\"name\": \"mysql\"}]"), 400),
                Arguments.of("db duplicate", create(OK + PG + ", \"databases\": [{\"name\": \"a\"}, {\"name\": \"a\"}]"), 400),
                Arguments.of("bad charset", create(OK + MY + ", \"databases\": [{\"name\": \"a\", \"character_set\": \"utf8; DROP\"}]"), 400),
                Arguments.of("user reserved root", create(OK + MY + ", \"users\": [{\"name\": \"root\", \"password\": \"p\"}]"), 400),
                Arguments.of("user reserved postgres", create(OK + PG + ", \"users\": [{\"name\": \"postgres\", \"password\": \"p\"}]"), 400),
                Arguments.of("user quote", create(OK + MY + ", \"users\": [{\"name\": \"x'y\", \"password\": \"p\"}]"), 400),
                Arguments.of("user without password", create(OK + PG + ", \"users\": [{\"name\": \"u\"}]"), 400),
                Arguments.of("user host on postgresql", create(OK + PG + ", \"users\": [{\"name\": \"u\", \"password\": \"p\", \"host\": \"10.0.0.1\"}]"), 400),
                Arguments.of("user host injection", create(OK + MY + ", \"users\": [{\"name\": \"u\", \"password\": \"p\", \"host\": \"%' OR 1\"}]"), 400),
                Arguments.of("user db not listed", create(OK + PG + ", \"users\": [{\"name\": \"u\", \"password\": \"p\", \"databases\": [{\"name\": \"other\"}]}]"), 400),
                Arguments.of("password with newline", create(OK + PG + ", \"users\": [{\"name\": \"u\", \"password\": \"p\\nq\"}]"), 400),
                Arguments.of("public without public_address", create(OK + PG + ", \"access\": {\"is_public\": true}"), 400),
                Arguments.of("access host bits", create(OK + PG + ", \"access\": {\"allowed_cidrs\": [\"10.0.0.1/8\"]}"), 400),
                Arguments.of("password empty after SASLprep", create(OK + PG + ", \"users\": [{\"name\": \"u\", \"password\": \"\\u200b\"}]"), 400),
                Arguments.of("user host name", create(OK + MY + ", \"users\": [{\"name\": \"u\", \"password\": \"p\", \"host\": \"localhost\"}]"), 400),
                Arguments.of("user reserved pg_", create(OK + PG + ", \"users\": [{\"name\": \"pg_admin\", \"password\": \"p\"}]"), 400),
                Arguments.of("unknown character set", create(OK + MY + ", \"databases\": [{\"name\": \"a\", \"character_set\": \"klingon\"}]"), 400),
                Arguments.of("unknown collation", create(OK + MY + ", \"databases\": [{\"name\": \"a\", \"collate\": \"klingon_ci\"}]"), 400),
                Arguments.of("collation of another set", create(OK + MY + ", \"databases\": [{\"name\": \"a\", \"character_set\": \"utf8mb4\", \"collate\": \"latin1_swedish_ci\"}]"), 400),
                Arguments.of("unknown encoding", create(OK + PG + ", \"databases\": [{\"name\": \"a\", \"character_set\": \"klingon\"}]"), 400),
                Arguments.of("client-only encoding", create(OK + PG + ", \"databases\": [{\"name\": \"a\", \"character_set\": \"SJIS\"}]"), 400),
                Arguments.of("unknown locale", create(OK + PG + ", \"databases\": [{\"name\": \"a\", \"collate\": \"xx_YY.UTF-8\"}]"), 400),
                Arguments.of("locale of another encoding", create(OK + PG + ", \"databases\": [{\"name\": \"a\", \"character_set\": \"LATIN1\", \"collate\": \"C.UTF-8\"}]"), 400),
                Arguments.of("replica_of a missing instance", create("\"name\": \"r\", \"replica_of\": \"5b5a9b3c-8d5e-4b1b-9b39-0d6f1c1e2f3a\""), 404),
                Arguments.of("trailing garbage", create(OK + PG) + " garbage", 400),
                Arguments.of("two objects", create(OK + PG) + create(OK + PG), 400),
                Arguments.of("duplicate key", create(OK + PG + ", \"name\": \"y\""), 400));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badCreates")
    void badCreateIsRejectedAndCreatesNothing(String what, String body, int status) throws Exception {
        Response r = api.post("/instances", body);
        assertThat(r.status()).as(r.raw()).isEqualTo(status);
        assertTroveFault(r, status);
        assertThat(api.get("/instances").body().path("instances")).isEmpty();
        assertThat(instanceDirs()).isZero();
    }

    @Test
    void oversizedBodyIs413() {
        Response r = api.post("/instances", create("\"name\": \"" + "n".repeat(1_100_000) + "\""));
        assertThat(r.status()).isEqualTo(413);
        assertTroveFault(r, 413);
    }

    @Test
    void unknownResourcesAre404InTroveFormat() {
        for (String path : new String[] {"/instances/nope", "/nothing-here", "/datastores/oracle", "/flavors/999",
                "/instances/nope/databases", "/datastores/postgresql/versions/7"}) {
            Response r = api.get(path);
            assertThat(r.status()).as(path).isEqualTo(404);
            assertTroveFault(r, 404);
        }
        assertThat(api.delete("/instances/nope").status()).isEqualTo(404);
        assertThat(api.post("/instances/nope/action", "{\"restart\": {}}").status()).isEqualTo(404);
    }

    @Test
    void badNamesOnALiveInstanceChangeNothing() {
        Response created = api.post("/instances", create(OK + PG + ", \"databases\": [{\"name\": \"app\"}]"));
        String id = created.body().at("/instance/id").asText();
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> "ACTIVE".equals(
                    api.get("/instances/" + id).body().at("/instance/status").asText()));
            String base = "/instances/" + id;
            // Trove's PostgreSQL names admit quotes, ';' and blanks (they are quoted): these are what it refuses
            for (String name : new String[] {"ab ", "a\\u200bb", "a\\u202eb", "postgres", "template1", "x".repeat(64)}) {
                Response r = api.post(base + "/databases", "{\"databases\": [{\"name\": \"" + name + "\"}]}");
                assertThat(r.status()).as(name).isEqualTo(400);
                assertTroveFault(r, 400);
            }
            for (String name : new String[] {"postgres", "os_admin", "root", "pg_x", "x".repeat(64), "\u00e9".repeat(32)}) {
                Response u = api.post(base + "/users", "{\"users\": [{\"name\": \"" + name + "\", \"password\": \"p\"}]}");
                assertThat(u.status()).as(name).isEqualTo(400);
                assertTroveFault(u, 400);
            }
            assertThat(api.delete(base + "/databases/a;b").status()).isEqualTo(404);
            assertThat(api.get(base + "/users/a'b").status()).isEqualTo(404);
            assertThat(api.get(base + "/users/postgres").status()).isEqualTo(400);
            assertThat(api.delete(base + "/databases/template1").status()).isEqualTo(400);
            assertThat(api.post(base + "/action", "{\"explode\": {}}").status()).isEqualTo(400);
            assertThat(api.post(base + "/action", "{\"restart\": {}, \"resize\": {}}").status()).isEqualTo(400);
            assertThat(api.put(base, "{\"instance\": {\"flavor\": \"2\"}}").status()).isEqualTo(400);
            Response notPublic = api.put(base, "{\"instance\": {\"access\": {\"is_public\": true}}}");
            assertThat(notPublic.status()).isEqualTo(400);
            assertThat(notPublic.body().at("/badRequest/message").asText()).contains("public_address");
            assertThat(api.get(base).body().at("/instance/access/is_public").asBoolean()).isFalse();
            assertThat(api.get(base + "/databases").body().path("databases").findValuesAsText("name")).containsExactly("app");
            assertThat(api.get(base + "/users").body().path("users")).isEmpty();

            assertThat(api.put(base, "{\"instance\": {\"name\": \"renamed\"}}").status()).isEqualTo(202);
            assertThat(api.get(base).body().at("/instance/name").asText()).isEqualTo("renamed");
            assertThat(api.patch(base, "{\"instance\": {\"name\": \"patched\"}}").status()).isEqualTo(202);
            assertThat(api.get(base).body().at("/instance/name").asText()).isEqualTo("patched");
            assertThat(new ApiClient(server.port(), "project-other").get(base).status()).isEqualTo(404);
        } finally {
            api.delete("/instances/" + id);
            await().atMost(Duration.ofSeconds(60)).until(() -> api.get("/instances/" + id).status() == 404);
        }
    }

    @Test
    void backupsOfAnUnknownDatastoreAre404() {
        Response r = api.get("/backups?datastore=NOT_FOUND");
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.body().at("/itemNotFound/message").asText()).isEqualTo("Datastore 'NOT_FOUND' cannot be found.");
        assertThat(api.get("/backups?datastore=postgresql").status()).isEqualTo(200);
    }

    @Test
    void configurationParameterNamesMatchWithoutRegardToCase() {
        Response r = api.post("/configurations", "{\"configuration\": {\"name\": \"ci\", \"values\": {\"Max_Connections\": 200},"
                + " \"datastore\": {\"type\": \"postgresql\", \"version\": \"15\"}}}");
        assertThat(r.status()).as(r.raw()).isEqualTo(200);
        assertThat(r.body().at("/configuration/values").toString()).isEqualTo("{\"max_connections\":200}");
        assertThat(api.get("/datastores/postgresql/versions/15/parameters/MAX_CONNECTIONS").body().path("name").asText())
                .isEqualTo("max_connections");
        Response twice = api.post("/configurations", "{\"configuration\": {\"name\": \"ci2\", \"values\": {\"work_mem\": 200,"
                + " \"WORK_MEM\": 300}, \"datastore\": {\"type\": \"postgresql\", \"version\": \"15\"}}}");
        assertThat(twice.status()).isEqualTo(400);
        assertThat(api.delete("/configurations/" + r.body().at("/configuration/id").asText()).status()).isEqualTo(202);
    }

    @Test
    void aReplicaOfAMissingInstanceIsNotFoundRatherThanAFlavorError() {
        Response r = api.post("/instances", create("\"name\": \"r\", \"replica_of\": \"5b5a9b3c-8d5e-4b1b-9b39-0d6f1c1e2f3a\","
                + " \"replica_count\": 1"));
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.raw()).contains("5b5a9b3c-8d5e-4b1b-9b39-0d6f1c1e2f3a").doesNotContain("flavorRef");
    }

    static void assertTroveFault(Response r, int status) {
        JsonNode body = r.body();
        assertThat(body).as(r.raw()).isNotNull();
        assertThat(body.size()).isEqualTo(1);
        JsonNode fault = body.elements().next();
        assertThat(fault.path("code").asInt()).isEqualTo(status);
        assertThat(fault.path("message").asText()).isNotBlank();
    }

    private long instanceDirs() throws Exception {
        Path dir = state.resolve("instances");
        if (!Files.exists(dir)) {
            return 0;
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.count();
        }
    }
}
