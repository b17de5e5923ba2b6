package org.jtrove.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** A create that was in flight when jtrove stopped finishes after the next start. */
@Tag("e2e")
class RestartDuringBuildE2ETest {

    @Test
    void aBuildInterruptedByAStopFinishesAfterTheNextStart() throws Exception {
        Path state = TestServers.stateDir("inflight");
        JtroveConfig config = TestServers.config(state);
        AllInOne server = new AllInOne(config);
        ApiClient api = new ApiClient(server.port(), "project-d");
        var created = api.post("/instances", "{\"instance\": {\"name\": \"inflight\", \"flavorRef\": \"1\","
                + " \"volume\": {\"size\": 1}, \"datastore\": {\"type\": \"postgresql\", \"version\": \"15\"},"
                + " \"databases\": [{\"name\": \"app\"}],"
                + " \"users\": [{\"name\": \"alice\", \"password\": \"alice-pw\", \"databases\": [{\"name\": \"app\"}]}]}}");
        String id = created.body().at("/instance/id").asText();
        Thread.sleep(150);
        server.close();

        server = new AllInOne(config);
        try {
            ApiClient again = new ApiClient(server.port(), "project-d");
            String[] ip = new String[1];
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> {
                var instance = again.get("/instances/" + id).body().path("instance");
                assertThat(instance.path("status").asText()).as(instance.toString()).isNotEqualTo("ERROR");
                ip[0] = instance.path("ip").path(0).asText();
                return "ACTIVE".equals(instance.path("status").asText());
            });
            try (Connection c = DriverManager.getConnection("jdbc:postgresql://" + ip[0] + ":5432/app", "alice", "alice-pw")) {
                assertThat(c.isValid(5)).isTrue();
            }
            assertThat(again.delete("/instances/" + id).status()).isEqualTo(202);
            await().atMost(Duration.ofSeconds(60)).until(() -> again.get("/instances/" + id).status() == 404);
        } finally {
            server.close();
        }
    }
}
