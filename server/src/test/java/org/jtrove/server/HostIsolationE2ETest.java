package org.jtrove.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Instances of different projects share a host, so each server runs as its own OS user with private data and
 * runtime directories: root (a superuser) on one instance cannot read another instance's files.
 */
@Tag("e2e")
class HostIsolationE2ETest {

    @Test
    void rootOnOneInstanceCannotReadAnotherInstancesFiles() throws Exception {
        Path state = TestServers.stateDir("hostiso");
        try (AllInOne server = new AllInOne(TestServers.config(state))) {
            ApiClient a = new ApiClient(server.port(), "project-a");
            ApiClient b = new ApiClient(server.port(), "project-b");
            String body = "{\"instance\": {\"name\": \"i\", \"flavorRef\": \"1\", \"volume\": {\"size\": 1},"
                    + " \"datastore\": {\"type\": \"postgresql\", \"version\": \"15\"}}}";
            String idA = a.post("/instances", body).body().at("/instance/id").asText();
            String idB = b.post("/instances", body).body().at("/instance/id").asText();
            try {
                await().atMost(Duration.ofSeconds(60)).until(() ->
                        "ACTIVE".equals(a.get("/instances/" + idA).body().at("/instance/status").asText())
                                && "ACTIVE".equals(b.get("/instances/" + idB).body().at("/instance/status").asText()));
                long pidA = Long.parseLong(Files.readString(state.resolve("instances/" + idA + "/agent/server.pid")).trim());
                long pidB = Long.parseLong(Files.readString(state.resolve("instances/" + idB + "/agent/server.pid")).trim());
                assertThat(uid(pidA)).isNotEqualTo(uid(pidB)).isNotEqualTo("0");

                String password = a.post("/instances/" + idA + "/root", null).body().at("/user/password").asText();
                String ipA = a.get("/instances/" + idA).body().at("/instance/ip/0").asText();
                Path dataA = state.resolve("instances/" + idA + "/data");
                Path dataB = state.resolve("instances/" + idB + "/data");
                try (Connection c = DriverManager.getConnection("jdbc:postgresql://" + ipA + ":5432/postgres", "root", password)) {
                    assertThat(read(c, dataA.resolve("PG_VERSION"))).startsWith("15");
                    assertThatThrownBy(() -> read(c, dataB.resolve("PG_VERSION")))
                            .isInstanceOf(SQLException.class).hasMessageContaining("ermission denied");
                    assertThatThrownBy(() -> read(c, state.resolve("instances/" + idB + "/agent/admin.secret")))
                            .isInstanceOf(SQLException.class);
                }
            } finally {
                a.delete("/instances/" + idA);
                b.delete("/instances/" + idB);
                await().atMost(Duration.ofSeconds(60)).until(() -> a.get("/instances/" + idA).status() == 404
                        && b.get("/instances/" + idB).status() == 404);
            }
        }
    }

    private static String read(Connection c, Path file) throws SQLException {
        try (var ps = c.prepareStatement("SELECT pg_read_file(?)")) {
            ps.setString(1, file.toString());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        }
    }

    private static String uid(long pid) throws Exception {
        return Files.readAllLines(Path.of("/proc/" + pid + "/status")).stream().filter(l -> l.startsWith("Uid:"))
                .findFirst().orElseThrow().split("\\s+")[1];
    }
}
