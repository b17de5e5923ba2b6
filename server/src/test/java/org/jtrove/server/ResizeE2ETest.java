package org.jtrove.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.jtrove.server.ApiClient.Response;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Flavor resize applies the new memory settings on the real server; volume resize only grows. */
@Tag("e2e")
class ResizeE2ETest {

    @Test
    void flavorAndVolumeResize() throws Exception {
        Path state = TestServers.stateDir("resize");
        try (AllInOne server = new AllInOne(TestServers.config(state))) {
            ApiClient api = new ApiClient(server.port(), "project-r");
            String id = api.post("/instances", "{\"instance\": {\"name\": \"r\", \"flavorRef\": \"1\", \"volume\": {\"size\": 1},"
                    + " \"datastore\": {\"type\": \"postgresql\", \"version\": \"15\"},"
                    + " \"users\": [{\"name\": \"alice\", \"password\": \"alice-pw\"}]}}").body().at("/instance/id").asText();
            String action = "/instances/" + id + "/action";
            try {
                awaitActive(api, id);
                String ip = api.get("/instances/" + id).body().at("/instance/ip/0").asText();
                assertThat(sharedBuffers(ip)).isEqualTo("128MB");

                assertThat(api.post(action, "{\"resize\": {\"flavorRef\": \"1\"}}").status()).as("same flavor").isEqualTo(400);
                assertThat(api.post(action, "{\"resize\": {\"flavorRef\": \"99\"}}").status()).as("no such flavor").isEqualTo(400);
                assertThat(api.post(action, "{\"resize\": {\"flavorRef\": \"2\"}}").status()).isEqualTo(202);
                Set<String> seen = new HashSet<>();
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20)).until(() -> {
                    JsonNode i = api.get("/instances/" + id).body().path("instance");
                    seen.add(i.path("status").asText());
                    return "ACTIVE".equals(i.path("status").asText()) && "2".equals(i.at("/flavor/id").asText());
                });
                assertThat(seen).contains("RESIZE");
                assertThat(sharedBuffers(ip)).isEqualTo("256MB");

                Response shrink = api.post(action, "{\"resize\": {\"volume\": {\"size\": 1}}}");
                assertThat(shrink.status()).isEqualTo(400);
                assertThat(shrink.body().path("badRequest").path("message").asText()).contains("only grow");
                assertThat(api.post(action, "{\"resize\": {\"volume\": {\"size\": 11}}}").status()).isEqualTo(413);
                assertThat(api.post(action, "{\"resize\": {\"volume\": {\"size\": 3}}}").status()).isEqualTo(202);
                assertThat(api.get("/instances/" + id).body().at("/instance/volume/size").asInt()).isEqualTo(3);
                assertThat(api.post(action, "{\"resize\": {\"volume\": {\"size\": 4}, \"flavorRef\": \"3\"}}").status())
                        .isEqualTo(400);
            } finally {
                api.delete("/instances/" + id);
                await().atMost(Duration.ofSeconds(60)).until(() -> api.get("/instances/" + id).status() == 404);
            }
        }
    }

    private static void awaitActive(ApiClient api, String id) {
        await().atMost(Duration.ofSeconds(60)).until(() ->
                "ACTIVE".equals(api.get("/instances/" + id).body().at("/instance/status").asText()));
    }

    private static String sharedBuffers(String ip) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://" + ip + ":5432/postgres", "alice", "alice-pw");
             ResultSet rs = c.createStatement().executeQuery("SHOW shared_buffers")) {
            rs.next();
            return rs.getString(1);
        }
    }
}
