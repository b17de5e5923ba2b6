package org.jtrove.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.jtrove.server.ApiClient.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Point-in-time restore on real servers: rows committed a few seconds apart after a full backup, a restore to a
 * moment between two of them holds exactly the rows committed before it; a time outside the archived window is
 * refused with 400 stating the window; the archived WAL and binary logs are sealed in the backup storage.
 */
@Tag("e2e")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PointInTimeRestoreE2ETest {
    private static final String MARKER = "pitr-marker-text-that-must-not-be-readable";
    private Path state;
    private AllInOne server;
    private ApiClient api;

    @BeforeAll
    void start() throws Exception {
        state = TestServers.stateDir("pitr");
        server = new AllInOne(TestServers.config(state));
        api = new ApiClient(server.port(), "project-pitr");
    }

    @AfterAll
    void stop() {
        if (server != null) {
            SqlInstances.deleteAll(api);
            server.close();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"postgresql", "mariadb"})
    void restoreToAMomentBetweenTwoCommits(String kind) throws Exception {
        String source = create(kind, "pitr-src-" + kind);
        String ip = ip(source);
        try (Connection c = connect(kind, ip)) {
            exec(c, "CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(200))");
            exec(c, "INSERT INTO t VALUES (1, 'before the backup')");
        }
        String backup = api.post("/backups", "{\"backup\": {\"name\": \"base\", \"instance\": \"" + source + "\"}}")
                .body().at("/backup/id").asText();
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200)).until(() ->
                "COMPLETED".equals(api.get("/backups/" + backup).body().at("/backup/status").asText()));
        Instant backupDone = Instant.parse(api.get("/backups/" + backup).body().at("/backup/updated").asText() + "Z");

        List<Instant> committed = new ArrayList<>();
        List<Instant> started = new ArrayList<>();
        try (Connection c = connect(kind, ip)) {
            for (int id = 2; id <= 5; id++) {
                Thread.sleep(3000);
                started.add(Instant.now());
                exec(c, "INSERT INTO t VALUES (" + id + ", '" + MARKER + " " + id + "')");
                committed.add(Instant.now());
            }
        }
        // between the commit of row 3 and the start of row 4's insert
        Instant target = committed.get(1).plus(Duration.between(committed.get(1), started.get(2)).dividedBy(2));
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() -> {
            JsonNode latest = api.get("/instances/" + source).body().at("/instance/latest_restorable_time");
            return latest.isTextual() && Instant.parse(latest.asText()).isAfter(committed.get(3));
        });

        assertThat(api.get("/instances/" + source).body().at("/instance/log_archive_error").isMissingNode()).isTrue();
        if ("postgresql".equals(kind)) {
            Path spool;
            try (var found = Files.find(state, 4, (p, attrs) -> p.endsWith(Path.of("instances", source, "archive")))) {
                spool = found.findFirst().orElseThrow();
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                try (var files = Files.list(spool)) {
                    return files.count() <= 1;   // uploaded segments leave the spool
                }
            });
        }
        Response tooLate = restore(kind, backup, Instant.now().plus(Duration.ofHours(1)));
        assertThat(tooLate.status()).as(tooLate.raw()).isEqualTo(400);
        assertThat(tooLate.body().at("/badRequest/message").asText()).contains("outside the archived window")
                .contains(source);
        Response tooEarly = restore(kind, backup, backupDone.minusSeconds(3600));
        assertThat(tooEarly.status()).as(tooEarly.raw()).isEqualTo(400);
        assertThat(api.post("/instances", restoreBody(kind, backup, "\"yesterday\"")).status()).isEqualTo(400);

        Response r = restore(kind, backup, target);
        assertThat(r.status()).as(r.raw()).isEqualTo(200);
        String restored = r.body().at("/instance/id").asText();
        SqlInstances.awaitActive(api, restored);
        assertThat(ids(kind, ip(restored))).as("rows committed before %s", target).containsExactly(1, 2, 3);
        assertThat(ids(kind, ip)).containsExactly(1, 2, 3, 4, 5);

        List<Path> archived;
        try (var files = Files.list(state.resolve("backups"))) {
            archived = files.filter(f -> f.getFileName().toString().startsWith("archive-" + source + "-")).toList();
        }
        assertThat(archived).as("archived logs in the backup storage").isNotEmpty();
        for (Path file : archived) {
            byte[] bytes = Files.readAllBytes(file);
            assertThat(new String(bytes, StandardCharsets.ISO_8859_1)).as("sealed " + file).doesNotContain(MARKER);
            assertThat(bytes.length > 4 && bytes[0] == (byte) 0xfe && bytes[1] == 'b' && bytes[2] == 'i' && bytes[3] == 'n')
                    .as("binary log magic in " + file).isFalse();
        }
        // an upload cut off by a killed agent (see the fault campaigns) goes with its instance; the stored files stay
        Path cutOff = state.resolve("backups").resolve("archive-" + restored + "-000000010000000000000009.jtl.partial");
        Files.writeString(cutOff, "cut off");
        api.delete("/instances/" + restored);
        api.delete("/instances/" + source);
        await().atMost(Duration.ofMinutes(1)).until(() -> api.get("/instances/" + restored).status() == 404);
        assertThat(cutOff).doesNotExist();
        assertThat(archived).allMatch(Files::exists);
    }

    private Response restore(String kind, String backup, Instant time) {
        return api.post("/instances", restoreBody(kind, backup, "\"" + time + "\""));
    }

    private static String restoreBody(String kind, String backup, String time) {
        return "{\"instance\": {\"name\": \"pitr-" + kind + "\", \"flavorRef\": \"1\", \"volume\": {\"size\": 2},"
                + " \"restorePoint\": {\"backupRef\": \"" + backup + "\", \"restoreTime\": " + time + "}}}";
    }

    private String create(String kind, String name) {
        Response r = api.post("/instances", "{\"instance\": {\"name\": \"" + name + "\", \"flavorRef\": \"1\","
                + " \"volume\": {\"size\": 2}, \"datastore\": {\"type\": \"" + kind + "\"}, \"databases\": [{\"name\":"
                + " \"app\"}], \"users\": [{\"name\": \"u\", \"password\": \"u-pass-1\", \"databases\": [{\"name\":"
                + " \"app\"}]}]}}");
        assertThat(r.status()).as(r.raw()).isEqualTo(200);
        String id = r.body().at("/instance/id").asText();
        SqlInstances.awaitActive(api, id);
        return id;
    }

    private String ip(String id) {
        return api.get("/instances/" + id).body().at("/instance/ip/0").asText();
    }

    private static Connection connect(String kind, String ip) throws SQLException {
        String url = "postgresql".equals(kind) ? "jdbc:postgresql://" + ip + ":5432/app" : "jdbc:mariadb://" + ip + ":3306/app";
        return DriverManager.getConnection(url, "u", "u-pass-1");
    }

    private static void exec(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private static List<Integer> ids(String kind, String ip) throws SQLException {
        List<Integer> out = new ArrayList<>();
        try (Connection c = connect(kind, ip); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT id FROM t ORDER BY id")) {
            while (rs.next()) {
                out.add(rs.getInt(1));
            }
        }
        return out;
    }
}
