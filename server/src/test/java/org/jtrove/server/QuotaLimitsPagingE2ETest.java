package org.jtrove.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.jtrove.server.ApiClient.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Quotas (also under concurrent creates), limits, rate limiting and pagination. */
@Tag("e2e")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class QuotaLimitsPagingE2ETest {
    private AllInOne server;
    private final List<ApiClient> toClean = new ArrayList<>();

    @BeforeAll
    void start() throws Exception {
        Path state = TestServers.stateDir("quota");
        server = new AllInOne(TestServers.config(state));
    }

    @AfterAll
    void stop() {
        for (ApiClient api : toClean) {
            for (JsonNode i : api.get("/instances").body().path("instances")) {
                String id = i.path("id").asText();
                await().atMost(Duration.ofSeconds(60)).until(() -> api.delete("/instances/" + id).status() != 422);
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> api.get("/instances").body().path("instances").isEmpty());
        }
        server.close();
    }

    private static String create(String name, int size) {
        return "{\"instance\": {\"name\": \"" + name + "\", \"flavorRef\": \"1\", \"volume\": {\"size\": " + size + "},"
                + " \"datastore\": {\"type\": \"postgresql\", \"version\": \"15\"}}}";
    }

    @Test
    void concurrentCreatesCannotShareTheLastFreeSlot() throws Exception {
        ApiClient api = new ApiClient(server.port(), "quota-project");
        toClean.add(api);
        assertThat(api.put("/mgmt/quotas/quota-project", "{\"quotas\": {\"instances\": 1, \"volumes\": 3}}").status()).isEqualTo(200);
        assertThat(api.post("/instances", create("too-big", 4)).status()).isEqualTo(413);

        ExecutorService pool = Executors.newFixedThreadPool(6);
        List<Future<Response>> results = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            String name = "racer-" + i;
            results.add(pool.submit((Callable<Response>) () -> api.post("/instances", create(name, 1))));
        }
        int ok = 0;
        for (Future<Response> f : results) {
            Response r = f.get();
            if (r.status() == 200) {
                ok++;
            } else {
                assertThat(r.status()).as(r.raw()).isEqualTo(413);
                assertThat(r.body().path("overLimit").path("message").asText()).contains("Quota exceeded", "instances");
            }
        }
        pool.shutdown();
        assertThat(ok).isEqualTo(1);
        assertThat(api.get("/instances").body().path("instances")).hasSize(1);

        JsonNode quotas = api.get("/mgmt/quotas/quota-project").body().path("quotas");
        assertThat(quotas.findValuesAsText("resource")).contains("instances", "volumes", "backups", "ram");
        for (JsonNode q : quotas) {
            if (q.path("resource").asText().equals("instances")) {
                assertThat(q.path("in_use").asInt()).isEqualTo(1);
                assertThat(q.path("limit").asInt()).isEqualTo(1);
            }
        }
        assertThat(api.put("/mgmt/quotas/quota-project", "{\"quotas\": {\"instances\": -2}}").status()).isEqualTo(400);
        assertThat(api.put("/mgmt/quotas/quota-project", "{\"quotas\": {\"cpus\": 3}}").status()).isEqualTo(404);
        JsonNode limits = api.get("/limits").body().path("limits");
        assertThat(limits.get(0).path("verb").asText()).isEqualTo("ABSOLUTE");
        assertThat(limits.get(0).path("max_instances").asInt()).isEqualTo(1);
        assertThat(limits.findValuesAsText("verb")).contains("POST", "GET", "PUT", "DELETE");
    }

    @Test
    void listsArePaged() throws Exception {
        ApiClient api = new ApiClient(server.port(), "paging-project");
        toClean.add(api);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Response r = api.post("/instances", create("p" + i, 1));
            assertThat(r.status()).as(r.raw()).isEqualTo(200);
            ids.add(r.body().at("/instance/id").asText());
        }
        Response first = api.get("/instances?limit=2");
        assertThat(first.body().path("instances")).hasSize(2);
        String next = first.body().at("/links/0/href").asText();
        assertThat(first.body().at("/links/0/rel").asText()).isEqualTo("next");
        String marker = URI.create(next).getQuery().replaceAll(".*marker=([^&]+).*", "$1");
        Response second = api.get("/instances?limit=2&marker=" + marker);
        assertThat(second.body().path("instances")).hasSize(1);
        assertThat(second.body().has("links")).isFalse();
        List<String> seen = new ArrayList<>();
        first.body().path("instances").forEach(i -> seen.add(i.path("id").asText()));
        second.body().path("instances").forEach(i -> seen.add(i.path("id").asText()));
        assertThat(seen).containsExactlyInAnyOrderElementsOf(ids);
        assertThat(api.get("/instances?limit=0").status()).isEqualTo(400);
        assertThat(api.get("/instances?limit=abc").status()).isEqualTo(400);

        String id = ids.get(0);
        await().atMost(Duration.ofSeconds(60)).until(() ->
                "ACTIVE".equals(api.get("/instances/" + id).body().at("/instance/status").asText()));
        assertThat(api.post("/instances/" + id + "/databases", "{\"databases\": [{\"name\": \"d1\"}, {\"name\": \"d2\"},"
                + " {\"name\": \"d3\"}]}").status()).isEqualTo(202);
        Response dbPage = api.get("/instances/" + id + "/databases?limit=2");
        assertThat(dbPage.body().path("databases").findValuesAsText("name")).containsExactly("d1", "d2");
        assertThat(api.get("/instances/" + id + "/databases?limit=2&marker=d2").body().path("databases")
                .findValuesAsText("name")).containsExactly("d3");
        assertThat(api.post("/instances/" + id + "/users", "{\"users\": [{\"name\": \"ua\", \"password\": \"pa\"},"
                + " {\"name\": \"ub\", \"password\": \"pb\"}]}").status()).isEqualTo(202);
        Response userPage = api.get("/instances/" + id + "/users?limit=1");
        assertThat(userPage.body().path("users").findValuesAsText("name")).containsExactly("ua");
        assertThat(userPage.body().at("/links/0/href").asText()).contains("marker=ua%40%25");
    }

    @Test
    void requestsAreRateLimitedPerProject() throws Exception {
        Path state = TestServers.stateDir("ratelimit");
        try (AllInOne limited = new AllInOne(TestServers.config(state).with("rate_limit_per_minute", 5))) {
            ApiClient api = new ApiClient(limited.port(), "busy");
            for (int i = 0; i < 5; i++) {
                assertThat(api.get("/flavors").status()).isEqualTo(200);
            }
            Response over = api.get("/flavors");
            assertThat(over.status()).isEqualTo(413);
            assertThat(over.body().path("overLimit").path("message").asText()).isEqualTo("This request was rate-limited.");
            assertThat(over.body().path("overLimit").path("retryAfter").asText()).isNotBlank();
            assertThat(new ApiClient(limited.port(), "quiet").get("/flavors").status()).as("other projects").isEqualTo(200);
            assertThat(api.post("/instances", "{}").status()).as("other verbs count apart").isEqualTo(400);
        }
    }
}
