package org.jtrove.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * Backup schedules through the API on a real PostgreSQL instance: a schedule running every minute makes backups, its
 * retention (count 1) deletes the older one with its stored object; bad input is refused with 400 changing nothing;
 * another project sees no schedule.
 */
@Tag("e2e")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BackupScheduleE2ETest {
    private Path state;
    private AllInOne server;
    private ApiClient api;

    @BeforeAll
    void start() throws Exception {
        state = TestServers.stateDir("schedules");
        server = new AllInOne(TestServers.config(state).with("backup_schedule_interval", 1));
        api = new ApiClient(server.port(), "project-sched");
    }

    @AfterAll
    void stop() {
        if (server != null) {
            SqlInstances.deleteAll(api);
            server.close();
        }
    }

    @Test
    void aScheduleEveryMinuteMakesBackupsAndItsRetentionPrunesThem() throws Exception {
        Response created = api.post("/instances", "{\"instance\": {\"name\": \"sched\", \"flavorRef\": \"1\","
                + " \"volume\": {\"size\": 2}, \"datastore\": {\"type\": \"postgresql\"}}}");
        assertThat(created.status()).as(created.raw()).isEqualTo(200);
        String instance = created.body().at("/instance/id").asText();
        SqlInstances.awaitActive(api, instance);
        String schedules = "/instances/" + instance + "/schedules";

        for (String bad : List.of("{\"schedule\": {\"name\": \"s\", \"pattern\": \"every minute\"}}",
                "{\"schedule\": {\"name\": \"s\", \"pattern\": \"61 * * * *\"}}",
                "{\"schedule\": {\"name\": \"s\", \"pattern\": \"* * * * *\", \"retention_count\": 0}}",
                "{\"schedule\": {\"name\": \"s\", \"pattern\": \"* * * * *\", \"retention_count\": 1, \"retention_days\": 1}}",
                "{\"schedule\": {\"name\": \"s\", \"pattern\": \"* * * * *\", \"color\": \"red\"}}",
                "{\"schedule\": {\"pattern\": \"* * * * *\"}}")) {
            Response r = api.post(schedules, bad);
            assertThat(r.status()).as(bad + " -> " + r.raw()).isEqualTo(400);
            assertThat(r.body().at("/badRequest/code").asInt()).isEqualTo(400);
        }
        assertThat(api.get(schedules).body().path("schedules")).as("refusals change nothing").isEmpty();

        Response r = api.post(schedules, "{\"schedule\": {\"name\": \"every-minute\", \"pattern\": \"* * * * *\","
                + " \"description\": \"test\", \"retention_count\": 1}}");
        assertThat(r.status()).as(r.raw()).isEqualTo(200);
        String schedule = r.body().at("/schedule/id").asText();
        assertThat(r.body().at("/schedule/pattern").asText()).isEqualTo("* * * * *");
        assertThat(r.body().at("/schedule/next_execution_time").asText()).isNotEmpty();
        assertThat(api.get(schedules).body().path("schedules")).hasSize(1);

        ApiClient other = new ApiClient(server.port(), "project-other");
        assertThat(other.get(schedules).status()).as("another project").isEqualTo(404);
        assertThat(other.get(schedules + "/" + schedule).status()).isEqualTo(404);
        assertThat(other.delete(schedules + "/" + schedule).status()).isEqualTo(404);

        List<String> seen = new ArrayList<>();
        await().atMost(Duration.ofSeconds(200)).pollInterval(Duration.ofSeconds(1)).until(() -> {
            for (JsonNode b : api.get("/backups?instance_id=" + instance).body().path("backups")) {
                if ("COMPLETED".equals(b.path("status").asText()) && !seen.contains(b.path("id").asText())) {
                    seen.add(b.path("id").asText());
                }
            }
            return seen.size() >= 2;
        });
        String first = seen.get(0);
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() ->
                api.get("/backups/" + first).status() == 404);
        try (var files = Files.list(state.resolve("backups"))) {
            assertThat(files.map(f -> f.getFileName().toString())).noneMatch(n -> n.startsWith(first));
        }
        assertThat(api.get("/backups/" + seen.get(1)).body().at("/backup/status").asText()).isEqualTo("COMPLETED");
        assertThat(api.get(schedules + "/" + schedule).body().at("/schedule/last_execution_time").asText()).isNotEmpty();

        assertThat(api.delete(schedules + "/" + schedule).status()).isEqualTo(202);
        assertThat(api.get(schedules + "/" + schedule).status()).isEqualTo(404);
        api.delete("/instances/" + instance);
    }
}
