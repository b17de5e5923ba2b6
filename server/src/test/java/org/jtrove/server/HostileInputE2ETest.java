package org.jtrove.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.jtrove.model.Json;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A bounded generated-input campaign: thousands of hostile requests across every route (bad JSON, wrong types,
 * unknown fields, unicode, control characters, path traversal in ids, SQL meta-characters in every name field)
 * must give no 5xx, create nothing, and leave the server healthy.
 */
@Tag("e2e")
class HostileInputE2ETest {
    private static final long SEED = Long.getLong("jtrove.fuzz.seed", 20261125L);
    private static final int REQUESTS = Integer.getInteger("jtrove.fuzz.requests", 3000);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static final String[] HOSTILE_STRINGS = {
        "", " ", "a'b", "a\"b", "a;DROP TABLE users;--", "x' OR '1'='1", "a\\b", "a`b", "../../etc/passwd", "..",
        "%00", "a\u0000b", "a\nb", "a\rb", "\t", "\u202e\u0645\u0631\u062d\u0628\u0627", "\uD83D\uDE00", "名前",
        "a".repeat(300), "postgres", "os_admin", "template1", "$(reboot)",
        "a b", "-leading", "%' --", "*", "a/b", "\u0000", "\u001b[31m", "x".repeat(70)
    };
    private static final String[] HOSTILE_IDS = {
        "../../etc/passwd", "..%2f..%2fetc", "%2e%2e", "' OR 1=1--", "00000000-0000-0000-0000-000000000000",
        "a".repeat(200), "名前", "%00", "null", "-1", "1e9", "\u202e"
    };

    @Test
    void hostileRequestsGetNoServerErrorAndChangeNothing() throws Exception {
        Path state = TestServers.stateDir("hostile");
        try (AllInOne server = new AllInOne(TestServers.config(state).with("auth", "builtin")
                .with("admin_password", "Admin-pw-123"))) {
            String base = "http://127.0.0.1:" + server.port();
            HttpResponse<String> auth = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/v3/auth/tokens"))
                    .POST(HttpRequest.BodyPublishers.ofString(IdentityIsolationE2ETest.authBody("admin", "Admin-pw-123", "admin")))
                    .header("Content-Type", "application/json").build(), HttpResponse.BodyHandlers.ofString());
            String token = auth.headers().firstValue("X-Subject-Token").orElseThrow();
            String project = Json.parse(auth.body()).at("/token/project/id").asText();
            ApiClient api = new ApiClient(server.port(), project, token);
            String id = api.post("/instances", "{\"instance\": {\"name\": \"target\", \"flavorRef\": \"1\","
                    + " \"volume\": {\"size\": 1}, \"datastore\": {\"type\": \"postgresql\", \"version\": \"15\"},"
                    + " \"databases\": [{\"name\": \"app\"}], \"users\": [{\"name\": \"u1\", \"password\": \"u1-pw\"}]}}")
                    .body().at("/instance/id").asText();
            try {
                campaign(server, api, base, token, project, id);
            } finally {
                api.delete("/instances/" + id);
                await().atMost(Duration.ofSeconds(60)).until(() -> api.get("/instances/" + id).status() == 404);
            }
        }
    }

    private void campaign(AllInOne server, ApiClient api, String base, String token, String project, String id)
            throws Exception {
        await().atMost(Duration.ofSeconds(60)).until(() ->
                "ACTIVE".equals(api.get("/instances/" + id).body().at("/instance/status").asText()));

        String cfg = api.post("/configurations", "{\"configuration\": {\"name\": \"target-cfg\", \"values\":"
                + " {\"work_mem\": 5000}, \"datastore\": {\"type\": \"postgresql\", \"version\": \"15\"}}}")
                .body().at("/configuration/id").asText();
        Random random = new Random(SEED);
        Map<Integer, Integer> statuses = new TreeMap<>();
        List<String> failures = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofMinutes(4).toNanos();
        for (int n = 0; n < REQUESTS && System.nanoTime() < deadline; n++) {
            String[] route = route(random, project, id, cfg);
            String body = body(random, route[1]);
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + route[1]))
                    .timeout(Duration.ofSeconds(60))
                    .method(route[0], body == null ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
                    .header("Content-Type", random.nextInt(10) == 0 ? "text/plain" : "application/json");
            int tokenChoice = random.nextInt(20);
            if (tokenChoice > 1) {
                b.header("X-Auth-Token", token);
            } else if (tokenChoice == 1) {
                b.header("X-Auth-Token", pick(random, HOSTILE_STRINGS).replaceAll("[\\p{Cntrl}\\P{ASCII}]", "x") + "z");
            }
            HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
            statuses.merge(r.statusCode(), 1, Integer::sum);
            if (r.statusCode() >= 500 || (r.statusCode() >= 400 && !troveOrKeystoneError(r.body()))) {
                failures.add(route[0] + " " + route[1] + " " + abbreviate(body) + " -> " + r.statusCode() + " " + abbreviate(r.body()));
            }
        }
        System.out.println("hostile input campaign (seed " + SEED + "): status counts " + statuses);
        assertThat(failures).as("requests answered with 5xx or a non-Trove error body").isEmpty();

        JsonNode instances = api.get("/instances").body().path("instances");
        assertThat(instances).hasSize(1);
        assertThat(instances.get(0).path("name").asText()).isEqualTo("target");
        assertThat(api.get("/instances/" + id).body().at("/instance/status").asText()).isEqualTo("ACTIVE");
        assertThat(api.get("/instances/" + id + "/databases").body().path("databases").findValuesAsText("name"))
                .containsExactly("app");
        assertThat(api.get("/instances/" + id + "/users").body().path("users").findValuesAsText("name"))
                .containsExactly("u1");
        assertThat(api.get("/instances/" + id + "/root").body().path("rootEnabled").asBoolean()).isFalse();
        assertThat(server.store().identity.users()).hasSize(1);
        JsonNode groups = api.get("/configurations").body().path("configurations");
        assertThat(groups).hasSize(1);
        assertThat(api.get("/configurations/" + cfg).body().at("/configuration/values").toString())
                .isEqualTo("{\"work_mem\":5000}");
        assertThat(api.get("/instances/" + id).body().path("instance").has("configuration")).isFalse();
        assertThat(api.get("/instances/" + id).body().at("/instance/access").toString())
                .isEqualTo("{\"is_public\":false,\"allowed_cidrs\":[]}");
        assertThat(api.get("/backups").body().path("backups")).as("no backup was created").isEmpty();
        assertThat(api.get("/flavors").status()).isEqualTo(200);
    }

    private static String[] route(Random r, String project, String realId, String realCfg) {
        String p = "/v1.0/" + (r.nextInt(15) == 0 ? enc(pick(r, HOSTILE_IDS)) : project);
        String id = r.nextInt(3) == 0 ? enc(pick(r, HOSTILE_IDS)) : realId;
        String name = enc(pick(r, HOSTILE_STRINGS).isEmpty() ? "x y" : pick(r, HOSTILE_STRINGS));
        String cfg = r.nextInt(3) == 0 ? enc(pick(r, HOSTILE_IDS)) : realCfg;
        String[][] routes = {
            {"GET", p + "/instances"}, {"GET", p + "/instances/detail"}, {"POST", p + "/instances"},
            {"GET", p + "/instances/" + id}, {"PUT", p + "/instances/" + id}, {"PATCH", p + "/instances/" + id},
            {"DELETE", p + "/instances/" + enc(pick(r, HOSTILE_IDS))}, {"POST", p + "/instances/" + id + "/action"},
            {"GET", p + "/instances/" + id + "/databases"}, {"POST", p + "/instances/" + id + "/databases"},
            {"DELETE", p + "/instances/" + id + "/databases/" + name}, {"GET", p + "/instances/" + id + "/users"},
            {"POST", p + "/instances/" + id + "/users"}, {"PUT", p + "/instances/" + id + "/users"},
            {"GET", p + "/instances/" + id + "/users/" + name}, {"PUT", p + "/instances/" + id + "/users/" + name},
            {"DELETE", p + "/instances/" + id + "/users/" + name}, {"GET", p + "/instances/" + id + "/users/" + name + "/databases"},
            {"PUT", p + "/instances/" + id + "/users/" + name + "/databases"},
            {"DELETE", p + "/instances/" + id + "/users/" + name + "/databases/" + name},
            {"GET", p + "/instances/" + id + "/root"}, {"POST", p + "/instances/" + id + "/root"},
            {"DELETE", p + "/instances/" + id + "/root"}, {"GET", p + "/datastores/" + name},
            {"GET", p + "/datastores/" + name + "/versions/" + name}, {"GET", p + "/flavors/" + name},
            {"GET", p + "/instances?limit=" + name + "&marker=" + name}, {"GET", p + "/limits"},
            {"PUT", p + "/mgmt/quotas/" + enc(pick(r, HOSTILE_IDS))}, {"GET", p + "/mgmt/quotas/" + name},
            {"POST", "/v3/auth/tokens"}, {"GET", "/v3/auth/tokens"}, {"DELETE", "/v3/auth/tokens"},
            {"GET", "/" + name}, {"POST", p + "/" + name},
            {"GET", p + "/configurations"}, {"POST", p + "/configurations"}, {"GET", p + "/configurations/" + cfg},
            {"PUT", p + "/configurations/" + cfg}, {"PATCH", p + "/configurations/" + cfg},
            {"DELETE", p + "/configurations/" + enc(pick(r, HOSTILE_IDS))},
            {"GET", p + "/configurations/" + cfg + "/instances"}, {"GET", p + "/instances/" + id + "/configuration"},
            {"GET", p + "/datastores/" + name + "/versions/" + name + "/parameters"},
            {"GET", p + "/datastores/postgresql/versions/15/parameters/" + name},
            {"GET", p + "/datastores/versions/" + enc(pick(r, HOSTILE_IDS)) + "/parameters/" + name},
            {"GET", p + "/backups"}, {"POST", p + "/backups"}, {"GET", p + "/backups/" + enc(pick(r, HOSTILE_IDS))},
            {"DELETE", p + "/backups/" + enc(pick(r, HOSTILE_IDS))}, {"GET", p + "/instances/" + id + "/backups"},
            {"GET", p + "/backups?instance_id=" + name + "&datastore=" + name + "&limit=" + name},
        };
        return routes[r.nextInt(routes.length)];
    }

    /** A body that is always invalid somewhere: malformed, mistyped, unknown fields, or hostile names. */
    private static String body(Random r, String path) {
        switch (r.nextInt(12)) {
            case 0: return null;
            case 1: return "{\"instance\": ";
            case 2: return "[" + "[".repeat(r.nextInt(200)) ;
            case 3: return "{\"" + pick(r, HOSTILE_STRINGS).replace("\"", "") + "\": " + randomValue(r, 3) + "}";
            case 4: return "\u0000\u0001binary";
            default: break;
        }
        String bad = Json.write(pick(r, HOSTILE_STRINGS));
        String value = r.nextBoolean() ? bad : randomValue(r, 2);
        if (path.contains("/configurations")) {
            // Always one name outside every catalogue, so that no group is created or changed.
            return "{\"configuration\": {\"name\": " + bad + ", \"values\": {" + bad + ": " + value
                    + ", \"work_mem\": " + value + "}" + (r.nextBoolean() ? ", \"datastore\": " + value : "") + "}}";
        }
        // Trove's PostgreSQL names admit nearly anything (quoted on the server), so each body below also carries an
        // item that is refused in the end: a user naming a database the instance will not have, an existing
        // database or user (the guest checks the whole request before it changes anything).
        if (path.endsWith("/instances")) {
            return "{\"instance\": {\"name\": " + value + ", \"flavorRef\": " + (r.nextBoolean() ? "\"1\"" : value)
                    + ", \"volume\": {\"size\": " + (r.nextBoolean() ? "1" : value) + "}, \"databases\": [{\"name\": " + bad
                    + "}], \"users\": [{\"name\": " + bad + ", \"password\": " + value
                    + ", \"databases\": [{\"name\": \"not-in-databases\"}]}]" + (r.nextBoolean() ? ", \"evil\": 1" : "") + "}}";
        }
        if (path.endsWith("/databases")) {
            return "{\"databases\": [{\"name\": " + bad + ", \"character_set\": " + value + "}, {\"name\": \"app\"}]}";
        }
        if (path.endsWith("/users")) {
            return "{\"users\": [{\"name\": " + bad + ", \"password\": " + value + ", \"host\": " + bad + "},"
                    + " {\"name\": \"u1\", \"password\": \"u1-pw\"}]}";
        }
        if (path.endsWith("/action")) {
            return "{\"" + pick(r, new String[] {"resize", "explode", "restart\u0000", "reset_status"}) + "\": " + value + "}";
        }
        if (path.endsWith("/root")) {
            return "{\"password\": " + (r.nextBoolean() ? "\"" + "p".repeat(200) + "\"" : r.nextBoolean() ? "\"a\\u0001b\"" : "42") + "}";
        }
        if (path.contains("/users/")) {
            return "{\"user\": {\"name\": " + bad + ", \"password\": " + value + ", \"host\": " + bad + "}}";
        }
        if (path.contains("/v3/")) {
            return "{\"auth\": {\"identity\": {\"methods\": [\"password\"], \"password\": {\"user\": {\"name\": " + bad
                    + ", \"password\": " + value + "}}}, \"scope\": {\"project\": {\"name\": " + bad + "}}}}";
        }
        if (r.nextBoolean()) {
            // None of the hostile strings is a network, so the access stays as it is.
            return "{\"instance\": {\"access\": {\"is_public\": " + value + ", \"allowed_cidrs\": [" + bad + "]}}}";
        }
        return "{\"instance\": {\"name\": " + bad + ", \"configuration\": " + value + ", \"unknown\": " + value + "}}";
    }

    private static String randomValue(Random r, int depth) {
        return switch (depth <= 0 ? r.nextInt(5) : r.nextInt(8)) {
            case 0 -> "null";
            case 1 -> Long.toString(r.nextLong());
            case 2 -> "1e308";
            case 3 -> Json.write(pick(r, HOSTILE_STRINGS));
            case 4 -> r.nextBoolean() ? "true" : "-0.5";
            case 5 -> "[" + randomValue(r, depth - 1) + ", " + randomValue(r, depth - 1) + "]";
            case 6 -> "{\"k\": " + randomValue(r, depth - 1) + "}";
            default -> "\"" + "9".repeat(r.nextInt(50) + 1) + "\"";
        };
    }

    private static boolean troveOrKeystoneError(String body) {
        try {
            JsonNode n = Json.parse(body);
            if (n == null || !n.isObject() || n.size() != 1) {
                return false;
            }
            JsonNode fault = n.elements().next();
            return fault.path("code").isInt() && fault.path("message").isTextual();
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static String pick(Random r, String[] values) {
        return values[r.nextInt(values.length)];
    }

    private static String enc(String s) {
        StringBuilder out = new StringBuilder();
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if (Character.isLetterOrDigit(c) && c < 128 || "-_.~".indexOf(c) >= 0) {
                out.append(c);
            } else {
                out.append('%').append(String.format("%02X", b & 0xff));
            }
        }
        return out.toString();
    }

    private static String abbreviate(String s) {
        return s == null ? "" : s.length() > 200 ? s.substring(0, 200) + "..." : s;
    }
}
