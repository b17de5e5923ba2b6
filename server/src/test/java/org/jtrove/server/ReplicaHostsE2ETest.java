package org.jtrove.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jtrove.server.ApiClient.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Replicas in the deployed shape ({@link ServiceTopology}) with two guest-agent hosts, host-a and host-b (each its
 * own process, state and address range): a replica is placed on the other host than its source, and its build
 * ends ACTIVE, following the source, although both taskmanagers were killed (SIGKILL) in the middle of it; the
 * snapshot it was built from is removed from backup storage all the same.
 */
@Tag("e2e")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReplicaHostsE2ETest {
    private static final String PASSWORD = "Hosts-pw-1";
    private ServiceTopology topology;

    @BeforeAll
    void start() throws Exception {
        int base = 230 + (int) (ProcessHandle.current().pid() % 12);
        Map<String, Integer> hosts = new LinkedHashMap<>();
        hosts.put("host-a", base);
        hosts.put("host-b", base + 12);
        topology = ServiceTopology.start(1, 2, hosts, Map.of("DEFAULT/task_lease", "4"));
    }

    @AfterAll
    void stop() throws Exception {
        if (topology != null) {
            topology.close();
        }
    }

    @Test
    void aReplicaIsPlacedOnTheOtherHostAndItsBuildSurvivesKilledTaskmanagers() throws Exception {
        ApiClient api = topology.api("project-hosts");
        Response r = api.post("/instances", "{\"instance\": {\"name\": \"src\", \"flavorRef\": \"1\", \"volume\":"
                + " {\"size\": 1}, \"datastore\": {\"type\": \"postgresql\"}, \"databases\": [{\"name\": \"app\"}],"
                + " \"users\": [{\"name\": \"alice\", \"password\": \"" + PASSWORD + "\", \"databases\": [{\"name\":"
                + " \"app\"}]}]}}");
        assertThat(r.status()).as(r.raw()).isEqualTo(200);
        String source = r.body().at("/instance/id").asText();
        SqlInstances.awaitActive(api, source);
        insert(api, source, 1);

        Response created = api.post("/instances", "{\"instance\": {\"name\": \"rep\", \"replica_of\": \"" + source + "\"}}");
        assertThat(created.status()).as(created.raw()).isEqualTo(200);
        String replica = created.body().at("/instance/id").asText();
        // mid-build: once the snapshot is being written to backup storage (or after 5 s), both taskmanagers die
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (backupObjects().isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(api.get("/instances/" + replica).body().at("/instance/status").asText()).isEqualTo("BUILD");
        topology.service("taskmanager-1").kill();
        topology.service("taskmanager-2").kill();
        Thread.sleep(1000);
        topology.service("taskmanager-1").start();
        topology.service("taskmanager-2").start();

        SqlInstances.awaitActive(api, replica);
        assertThat(hostOf(replica)).as("the replica's host").isNotEqualTo(hostOf(source));
        assertThat(api.get("/instances/" + replica).body().at("/instance/replica_of/id").asText()).isEqualTo(source);
        assertThat(values(api, replica)).containsExactly(1);
        insert(api, source, 2);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(values(api, replica)).containsExactly(1, 2));
        assertThat(api.get("/backups").body().path("backups")).as("backups listed").isEmpty();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(backupObjects()).as("the snapshot's object").isEmpty());

        assertThat(api.delete("/instances/" + replica).status()).isEqualTo(202);
        await().atMost(Duration.ofMinutes(2)).until(() -> api.get("/instances/" + replica).status() == 404);
        assertThat(api.delete("/instances/" + source).status()).isEqualTo(202);
        await().atMost(Duration.ofMinutes(2)).until(() -> api.get("/instances/" + source).status() == 404);
        assertThat(topology.instanceDirectories()).as("instance directories").isEmpty();
    }

    /** The host whose state holds the instance's directory. */
    private String hostOf(String id) throws Exception {
        return topology.instanceDirectories().stream().filter(d -> d.endsWith("/" + id))
                .map(d -> d.substring(0, d.indexOf('/'))).findFirst().orElseThrow();
    }

    private List<String> backupObjects() throws Exception {
        Path dir = topology.root.resolve("backups");
        try (var files = Files.list(dir)) {
            // the continuous archive's objects (archive-<instance>-<log>) are not backups
            return files.map(f -> f.getFileName().toString()).filter(f -> !f.startsWith("archive-")).toList();
        }
    }

    private static String ip(ApiClient api, String id) {
        return api.get("/instances/" + id).body().at("/instance/ip/0").asText();
    }

    private static void insert(ApiClient api, String id, int value) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://" + ip(api, id) + ":5432/app", "alice",
                PASSWORD); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS t (v INT PRIMARY KEY)");
            s.execute("INSERT INTO t VALUES (" + value + ")");
        }
    }

    private static List<Integer> values(ApiClient api, String id) throws Exception {
        List<Integer> out = new ArrayList<>();
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://" + ip(api, id) + ":5432/app", "alice",
                PASSWORD); Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT v FROM t ORDER BY v")) {
            while (rs.next()) {
                out.add(rs.getInt(1));
            }
        }
        return out;
    }
}
