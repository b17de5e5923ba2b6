package org.jtrove.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.jtrove.identity.BuiltinIdentity;
import org.jtrove.identity.PasswordHasher;
import org.jtrove.model.Json;
import org.jtrove.server.ApiClient.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Built-in identity: tokens from /v3, every /v1.0 request checked, and projects that cannot see each other. */
@Tag("e2e")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class IdentityIsolationE2ETest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private Path state;
    private AllInOne server;
    private String projectA;
    private String projectB;
    private String instanceOfA;

    record Token(String token, String projectId) {}

    @BeforeAll
    void start() throws Exception {
        state = TestServers.stateDir("identity");
        server = new AllInOne(TestServers.config(state).with("auth", "builtin").with("admin_password", "Admin-pw-123"));
        BuiltinIdentity identity = new BuiltinIdentity(server.store().identity, new PasswordHasher(4), Duration.ofHours(1));
        identity.createProject("team-a");
        identity.createProject("team-b");
        identity.createUser("alice", "alice-password");
        identity.createUser("bob", "bob-password");
        identity.assignRole("alice", "team-a", "member");
        identity.assignRole("bob", "team-b", "member");
        projectA = token("alice", "alice-password", "team-a").projectId();
        projectB = token("bob", "bob-password", "team-b").projectId();

        ApiClient a = new ApiClient(server.port(), projectA, token("alice", "alice-password", "team-a").token());
        Response created = a.post("/instances", "{\"instance\": {\"name\": \"a-db\", \"flavorRef\": \"1\","
                + " \"volume\": {\"size\": 1}, \"datastore\": {\"type\": \"postgresql\", \"version\": \"15\"},"
                + " \"databases\": [{\"name\": \"app\"}], \"users\": [{\"name\": \"u1\", \"password\": \"u1-pw\"}]}}");
        assertThat(created.status()).as(created.raw()).isEqualTo(200);
        instanceOfA = created.body().at("/instance/id").asText();
        await().atMost(Duration.ofSeconds(60)).until(() ->
                "ACTIVE".equals(a.get("/instances/" + instanceOfA).body().at("/instance/status").asText()));
    }

    @AfterAll
    void stop() {
        ApiClient a = new ApiClient(server.port(), projectA, token("alice", "alice-password", "team-a").token());
        a.delete("/instances/" + instanceOfA);
        await().atMost(Duration.ofSeconds(60)).until(() -> a.get("/instances/" + instanceOfA).status() == 404);
        server.close();
    }

    @Test
    void bootstrapAdminAndOpenrc() throws Exception {
        Path openrc = state.resolve("openrc");
        assertThat(Files.getPosixFilePermissions(openrc)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        String text = Files.readString(openrc);
        assertThat(text).contains("export OS_AUTH_URL=http://127.0.0.1:" + server.port() + "/v3", "export OS_USERNAME=admin",
                "export OS_PASSWORD='Admin-pw-123'", "export OS_PROJECT_NAME=admin", "OS_USER_DOMAIN_NAME=Default",
                "OS_PROJECT_DOMAIN_NAME=Default", "OS_IDENTITY_API_VERSION=3");
        Token admin = token("admin", "Admin-pw-123", "admin");
        assertThat(new ApiClient(server.port(), admin.projectId(), admin.token()).get("/instances").status()).isEqualTo(200);
        assertThat(server.store().identity.user("alice").orElseThrow().passwordHash())
                .startsWith("$2").doesNotContain("alice-password");
    }

    @Test
    void tokensAreRequiredAndChecked() throws Exception {
        Response none = new ApiClient(server.port(), projectA).get("/instances");
        assertThat(none.status()).isEqualTo(401);
        assertThat(none.body().at("/error/code").asInt()).isEqualTo(401);
        assertThat(new ApiClient(server.port(), projectA, "not-a-token").get("/instances").status()).isEqualTo(401);
        assertThat(authStatus("alice", "wrong-password", "team-a")).isEqualTo(401);
        assertThat(authStatus("nobody", "alice-password", "team-a")).isEqualTo(401);
        assertThat(authStatus("alice", "alice-password", "team-b")).as("no role in team-b").isEqualTo(401);
        assertThat(post("/v3/auth/tokens", "{\"auth\": ", null).statusCode()).isEqualTo(400);

        Token t = token("alice", "alice-password", "team-a");
        ApiClient a = new ApiClient(server.port(), projectA, t.token());
        assertThat(a.get("/instances").status()).isEqualTo(200);
        HttpResponse<String> revoked = send(HttpRequest.newBuilder(uri("/v3/auth/tokens")).DELETE()
                .header("X-Auth-Token", t.token()).header("X-Subject-Token", t.token()));
        assertThat(revoked.statusCode()).isEqualTo(204);
        assertThat(a.get("/instances").status()).isEqualTo(401);
    }

    @Test
    void tokensExpire() throws Exception {
        Path other = TestServers.stateDir("expiry");
        try (AllInOne shortLived = new AllInOne(TestServers.config(other).with("auth", "builtin")
                .with("admin_password", "Admin-pw-123").with("token_lifetime_seconds", 2))) {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + shortLived.port()
                    + "/v3/auth/tokens")).POST(HttpRequest.BodyPublishers.ofString(authBody("admin", "Admin-pw-123", "admin")))
                    .header("Content-Type", "application/json").build(), HttpResponse.BodyHandlers.ofString());
            String token = r.headers().firstValue("X-Subject-Token").orElseThrow();
            String project = Json.parse(r.body()).at("/token/project/id").asText();
            ApiClient c = new ApiClient(shortLived.port(), project, token);
            assertThat(c.get("/flavors").status()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(10)).until(() -> c.get("/flavors").status() == 401);
        }
    }

    @Test
    void aProjectCannotReachAnotherProjectsResources() {
        ApiClient bob = new ApiClient(server.port(), projectB, token("bob", "bob-password", "team-b").token());
        ApiClient bobInA = new ApiClient(server.port(), projectA, token("bob", "bob-password", "team-b").token());
        String inst = "/instances/" + instanceOfA;
        // Naming the other project in the path: 403 in Trove's format, for every route.
        for (String[] call : List.of(new String[] {"GET", "/instances"}, new String[] {"GET", "/instances/detail"},
                new String[] {"GET", inst}, new String[] {"PUT", inst}, new String[] {"PATCH", inst},
                new String[] {"DELETE", inst}, new String[] {"POST", inst + "/action"},
                new String[] {"GET", inst + "/databases"}, new String[] {"POST", inst + "/databases"},
                new String[] {"DELETE", inst + "/databases/app"}, new String[] {"GET", inst + "/users"},
                new String[] {"POST", inst + "/users"}, new String[] {"GET", inst + "/users/u1"},
                new String[] {"PUT", inst + "/users/u1"}, new String[] {"DELETE", inst + "/users/u1"},
                new String[] {"GET", inst + "/users/u1/databases"}, new String[] {"PUT", inst + "/users/u1/databases"},
                new String[] {"GET", inst + "/root"}, new String[] {"POST", inst + "/root"}, new String[] {"DELETE", inst + "/root"},
                new String[] {"POST", "/instances"}, new String[] {"GET", "/flavors"}, new String[] {"GET", "/datastores"})) {
            Response r = bobInA.send(call[0], call[1], call[0].equals("GET") || call[0].equals("DELETE") ? null
                    : "{\"instance\": {\"name\": \"stolen\"}, \"restart\": {}, \"databases\": [{\"name\": \"x\"}],"
                    + " \"users\": [{\"name\": \"x\", \"password\": \"y\"}], \"user\": {\"password\": \"zzz\"}}");
            assertThat(r.status()).as(call[0] + " " + call[1]).isEqualTo(403);
            assertThat(r.body().path("forbidden").path("code").asInt()).isEqualTo(403);
        }
        // Using one's own project in the path with the other project's instance id: it does not exist.
        for (String[] call : List.of(new String[] {"GET", inst}, new String[] {"PUT", inst}, new String[] {"DELETE", inst},
                new String[] {"POST", inst + "/action"}, new String[] {"GET", inst + "/databases"},
                new String[] {"GET", inst + "/users"}, new String[] {"GET", inst + "/root"}, new String[] {"POST", inst + "/root"})) {
            Response r = bob.send(call[0], call[1], call[0].equals("PUT") ? "{\"instance\": {\"name\": \"stolen\"}}"
                    : call[0].equals("POST") && call[1].endsWith("action") ? "{\"restart\": {}}" : null);
            assertThat(r.status()).as(call[0] + " " + call[1]).isEqualTo(404);
        }
        assertThat(bob.get("/instances").body().path("instances")).isEmpty();
        ApiClient alice = new ApiClient(server.port(), projectA, token("alice", "alice-password", "team-a").token());
        JsonNode mine = alice.get(inst).body().path("instance");
        assertThat(mine.path("name").asText()).isEqualTo("a-db");
        assertThat(mine.path("status").asText()).isEqualTo("ACTIVE");
        assertThat(alice.get(inst + "/users").body().path("users").findValuesAsText("name")).containsExactly("u1");
    }

    @Test
    void adminOnlyRoutesRefuseMembers() {
        ApiClient alice = new ApiClient(server.port(), projectA, token("alice", "alice-password", "team-a").token());
        Response change = alice.put("/mgmt/quotas/" + projectA, "{\"quotas\": {\"instances\": 100}}");
        assertThat(change.status()).isEqualTo(401);
        assertThat(change.body().path("unauthorized").path("message").asText()).contains("admin");
        assertThat(alice.get("/mgmt/quotas/" + projectA).status()).isEqualTo(200);
        assertThat(alice.get("/mgmt/quotas/" + projectB).status()).isEqualTo(403);
        Token admin = token("admin", "Admin-pw-123", "admin");
        ApiClient root = new ApiClient(server.port(), admin.projectId(), admin.token());
        assertThat(root.put("/mgmt/quotas/" + projectB, "{\"quotas\": {\"instances\": 7}}").status()).isEqualTo(200);
        ApiClient bob = new ApiClient(server.port(), projectB, token("bob", "bob-password", "team-b").token());
        assertThat(bob.get("/limits").body().at("/limits/0/max_instances").asInt()).isEqualTo(7);

        String version = "{\"version\": {\"name\": \"15-extra\", \"datastore_name\": \"postgresql\","
                + " \"datastore_manager\": \"postgresql\", \"active\": true, \"image\": \"/usr/lib/postgresql/15/bin\"}}";
        for (String[] call : List.of(new String[] {"GET", "/mgmt/datastore-versions"},
                new String[] {"POST", "/mgmt/datastore-versions"}, new String[] {"GET", "/mgmt/instances"},
                new String[] {"DELETE", "/datastores/postgresql"}, new String[] {"PUT", "/mgmt/quotas/" + projectA})) {
            assertThat(alice.send(call[0], call[1], call[0].equals("GET") || call[0].equals("DELETE") ? null : version)
                    .status()).as(call[0] + " " + call[1]).isEqualTo(401);
        }
        assertThat(root.post("/mgmt/datastore-versions", version).status()).isEqualTo(202);
        JsonNode versions = root.get("/mgmt/datastore-versions").body().path("versions");
        String id = null;
        for (JsonNode v : versions) {
            if (v.path("name").asText().equals("15-extra")) {
                id = v.path("id").asText();
            }
        }
        assertThat(id).isNotNull();
        assertThat(alice.get("/datastores/postgresql/versions/15-extra").status()).isEqualTo(200);
        assertThat(alice.patch("/mgmt/datastore-versions/" + id, "{\"active\": false}").status()).isEqualTo(401);
        assertThat(root.patch("/mgmt/datastore-versions/" + id, "{\"active\": false}").status()).isEqualTo(202);
        assertThat(alice.get("/datastores/postgresql/versions/15-extra").status()).isEqualTo(404);
        assertThat(alice.delete("/mgmt/datastore-versions/" + id).status()).isEqualTo(401);
        assertThat(root.delete("/mgmt/datastore-versions/" + id).status()).isEqualTo(202);
        assertThat(root.get("/mgmt/datastore-versions/" + id).status()).isEqualTo(404);
        assertThat(root.post("/mgmt/datastore-versions", version.replace("/usr/lib/postgresql/15/bin", "/nonexistent"))
                .status()).isEqualTo(400);
        assertThat(root.delete("/datastores/postgresql").status()).as("has versions").isEqualTo(400);
        JsonNode all = root.get("/mgmt/instances").body().path("instances");
        assertThat(all).anyMatch(i -> i.path("id").asText().equals(instanceOfA) && i.path("tenant_id").asText().equals(projectA));
    }

    @Test
    void anExternalKeystoneValidatesTokens() throws Exception {
        BuiltinIdentity identity = new BuiltinIdentity(server.store().identity, new PasswordHasher(4), Duration.ofHours(1));
        if (server.store().identity.project("service").isEmpty()) {
            identity.createProject("service");
            identity.createUser("trove", "trove-service-pw");
            identity.assignRole("trove", "service", "admin");
        }
        Path other = TestServers.stateDir("keystone");
        try (AllInOne consumer = new AllInOne(TestServers.config(other).with("auth", "keystone")
                .with("keystone_url", "http://127.0.0.1:" + server.port() + "/v3")
                .with("keystone_service_user", "trove").with("keystone_service_password", "trove-service-pw")
                .with("keystone_service_project", "service"))) {
            Token alice = token("alice", "alice-password", "team-a");
            assertThat(new ApiClient(consumer.port(), projectA, alice.token()).get("/instances").status()).isEqualTo(200);
            assertThat(new ApiClient(consumer.port(), projectB, alice.token()).get("/instances").status()).isEqualTo(403);
            assertThat(new ApiClient(consumer.port(), projectA, "forged").get("/instances").status()).isEqualTo(401);
            assertThat(new ApiClient(consumer.port(), projectA).get("/instances").status()).isEqualTo(401);
        }
    }

    // ---- helpers ---------------------------------------------------------------------------------------------

    private Token token(String user, String password, String project) {
        HttpResponse<String> r = post("/v3/auth/tokens", authBody(user, password, project), null);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        return new Token(r.headers().firstValue("X-Subject-Token").orElseThrow(),
                Json.parse(r.body()).at("/token/project/id").asText());
    }

    private int authStatus(String user, String password, String project) {
        return post("/v3/auth/tokens", authBody(user, password, project), null).statusCode();
    }

    static String authBody(String user, String password, String project) {
        return "{\"auth\": {\"identity\": {\"methods\": [\"password\"], \"password\": {\"user\": {\"name\": \"" + user
                + "\", \"domain\": {\"name\": \"Default\"}, \"password\": \"" + password + "\"}}},"
                + " \"scope\": {\"project\": {\"name\": \"" + project + "\", \"domain\": {\"name\": \"Default\"}}}}}";
    }

    private HttpResponse<String> post(String path, String body, String token) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).POST(HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json");
        if (token != null) {
            b.header("X-Auth-Token", token);
        }
        return send(b);
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.port() + path);
    }

    private static HttpResponse<String> send(HttpRequest.Builder b) {
        try {
            return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
