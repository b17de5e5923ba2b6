package org.jtrove.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jtrove.server.ApiClient.Response;
import org.jtrove.server.InstanceLifecycleE2ETest.Kind;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Automatic failover in the deployed shape ({@link ServiceTopology}: two taskmanagers, two guest-agent hosts), for
 * PostgreSQL and MariaDB, on one source and its replica (on the other host):
 * <ol>
 * <li>the source's database server is killed (SIGKILL): within the failover window the replica takes over and is
 * writable with the data written before; the old source is fenced, then rejoins as a replica of the new source;</li>
 * <li>then the new source's whole guest-agent host process and its server are killed: the rejoined replica takes
 * over; when the host is started again the old source does not take writes, and rejoins as a replica.</li>
 * </ol>
 * Detection-to-writable times are printed ({@code failover: ...}).
 */
@Tag("e2e")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FailoverE2ETest {
    private static final String PASSWORD = "Failover-pw-1";
    private ServiceTopology topology;

    @BeforeAll
    void start() throws Exception {
        int base = 1 + (int) (ProcessHandle.current().pid() % 9);   // 1-9 and 21-29: no other test's range
        Map<String, Integer> hosts = new LinkedHashMap<>();
        hosts.put("host-a", base);
        hosts.put("host-b", base + 20);
        topology = ServiceTopology.start(1, 2, hosts, Map.of("DEFAULT/task_lease", "4"));
    }

    @AfterAll
    void stop() throws Exception {
        if (topology != null) {
            topology.close();
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aLostSourceFailsOverAndRejoinsAsAReplica(Kind kind) throws Exception {
        ApiClient api = topology.api("project-failover");
        Response refused = api.post("/instances", "{\"instance\": {\"name\": \"bad\", \"flavorRef\": \"1\", \"volume\":"
                + " {\"size\": 1}, \"datastore\": {\"type\": \"" + kind.type + "\"}, \"auto_failover\": 1}}");
        assertThat(refused.status()).as(refused.raw()).isEqualTo(400);
        assertThat(api.get("/instances").body().path("instances")).as("instances after a refused create").isEmpty();
        Response r = api.post("/instances", "{\"instance\": {\"name\": \"src\", \"flavorRef\": \"1\", \"volume\":"
                + " {\"size\": 1}, \"datastore\": {\"type\": \"" + kind.type + "\"}, \"databases\": [{\"name\": \"app\"}],"
                + " \"users\": [{\"name\": \"alice\", \"password\": \"" + PASSWORD + "\", \"databases\": [{\"name\":"
                + " \"app\"}]}]}}");
        assertThat(r.status()).as(r.raw()).isEqualTo(200);
        String first = r.body().at("/instance/id").asText();
        SqlInstances.awaitActive(api, first);
        assertThat(api.get("/instances/" + first).body().at("/instance/auto_failover").asBoolean())
                .as("auto_failover of an instance without replicas").isFalse();
        execute(kind, api, first, "CREATE TABLE t (v INT PRIMARY KEY)");
        execute(kind, api, first, "INSERT INTO t VALUES (1)");

        Response created = api.post("/instances", "{\"instance\": {\"name\": \"rep\", \"replica_of\": \"" + first + "\"}}");
        assertThat(created.status()).as(created.raw()).isEqualTo(200);
        String second = created.body().at("/instance/id").asText();
        SqlInstances.awaitActive(api, second);
        assertThat(hostOf(second)).isNotEqualTo(hostOf(first));
        autoFailoverIsChangedOnlyByGoodValues(api, first);

        // 1. the source's server is killed
        killServer(first);
        long killed = System.nanoTime();
        awaitWritable(kind, api, second, 2, killed, "server of " + first + " killed");
        assertThat(values(kind, api, second)).containsExactly(1, 2);
        JsonNode old = api.get("/instances/" + first).body().path("instance");
        assertThat(old.at("/failover/new_source").asText()).as(old.toString()).isEqualTo(second);
        assertThat(old.at("/failover/fenced").asText()).as(old.toString()).isNotEmpty();
        assertThat(old.path("replica_of").isMissingNode()).as("not a replica yet: " + old).isTrue();
        awaitRejoined(kind, api, first, second, List.of(1, 2));

        // 2. the new source's whole guest-agent host and its server are killed
        String host = hostOf(second);
        JtroveProcess agentHost = topology.service("guestagent-" + host);
        long pid = serverPid(second);
        agentHost.kill();
        kill(pid);
        killed = System.nanoTime();
        awaitWritable(kind, api, first, 3, killed, "host " + host + " of " + second + " and its server killed");
        agentHost.start();
        assertThatThrownBy(() -> execute(kind, api, second, "INSERT INTO t VALUES (99)"))
                .as("a write to the fenced old source after its host came back").isInstanceOf(SQLException.class);
        awaitRejoined(kind, api, second, first, List.of(1, 2, 3));

        assertThat(api.delete("/instances/" + second).status()).isEqualTo(202);
        await().atMost(Duration.ofMinutes(2)).until(() -> api.get("/instances/" + second).status() == 404);
        assertThat(api.delete("/instances/" + first).status()).isEqualTo(202);
        await().atMost(Duration.ofMinutes(2)).until(() -> api.get("/instances/" + first).status() == 404);
        assertThat(topology.instanceDirectories()).as("instance directories").isEmpty();
    }

    /** auto_failover: on by default for a source; a bad value is refused with 400 and changes nothing. */
    private static void autoFailoverIsChangedOnlyByGoodValues(ApiClient api, String source) {
        assertThat(api.get("/instances/" + source).body().at("/instance/auto_failover").asBoolean()).isTrue();
        Response bad = api.patch("/instances/" + source, "{\"instance\": {\"auto_failover\": \"yes\"}}");
        assertThat(bad.status()).as(bad.raw()).isEqualTo(400);
        assertThat(bad.body().at("/badRequest/message").asText()).contains("auto_failover");
        assertThat(api.patch("/instances/" + source, "{\"instance\": {\"auto_failover\": false}}").status()).isEqualTo(202);
        assertThat(api.get("/instances/" + source).body().at("/instance/auto_failover").asBoolean()).isFalse();
        assertThat(api.patch("/instances/" + source, "{\"instance\": {\"auto_failover\": null}}").status()).isEqualTo(202);
        assertThat(api.get("/instances/" + source).body().at("/instance/auto_failover").asBoolean()).isTrue();
    }

    /** Waits until {@code id} is a source that takes the write of {@code value}; prints how long it took. */
    private static void awaitWritable(Kind kind, ApiClient api, String id, int value, long since, String what) {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).ignoreExceptions().untilAsserted(() -> {
            assertThat(api.get("/instances/" + id).body().at("/instance/replica_of").isMissingNode()).isTrue();
            execute(kind, api, id, "INSERT INTO t VALUES (" + value + ")");
        });
        long writable = (System.nanoTime() - since) / 1_000_000;
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            JsonNode e = api.get("/instances/" + id).body().at("/instance/failover");
            return id.equals(e.path("new_source").asText()) && e.path("promoted").isTextual();
        });
        JsonNode event = api.get("/instances/" + id).body().at("/instance/failover");
        System.out.printf("failover (%s): %s; replica %s writable %d ms after the kill (first seen down %s, confirmed"
                + " %s, promoted %s: %d ms from detection to writable)%n", kind.type, what, id,
                writable, event.path("down_since").asText(),
                event.path("detected").asText(), event.path("promoted").asText(), Duration.between(
                        Instant.parse(event.path("detected").asText()), Instant.parse(event.path("promoted").asText()))
                        .toMillis());
    }

    /** Waits until {@code id} is an ACTIVE replica of {@code source} holding {@code values}, refusing writes. */
    private void awaitRejoined(Kind kind, ApiClient api, String id, String source, List<Integer> values)
            throws Exception {
        long since = System.nanoTime();
        await().atMost(Duration.ofSeconds(150)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            JsonNode view = api.get("/instances/" + id).body().path("instance");
            assertThat(view.path("status").asText()).as(view.toString()).isNotEqualTo("ERROR");
            assertThat(view.at("/replica_of/id").asText()).as(view.toString()).isEqualTo(source);
            assertThat(view.path("status").asText()).as(view.toString()).isEqualTo("ACTIVE");
        });
        System.out.printf("failover (%s): %s rejoined as a replica of %s in %d ms%n", kind.type, id, source,
                (System.nanoTime() - since) / 1_000_000);
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() ->
                assertThat(values(kind, api, id)).containsExactlyElementsOf(values));
        assertThatThrownBy(() -> execute(kind, api, id, "INSERT INTO t VALUES (100)"))
                .as("a write to the rejoined replica").isInstanceOf(SQLException.class);
        assertThat(api.get("/instances/" + id).body().at("/instance/failover/rejoined_by").asText())
                .as("PostgreSQL rewinds (pg_rewind), MariaDB gets a fresh copy")
                .isEqualTo(kind == Kind.POSTGRESQL ? "rewind" : "copy");
        JsonNode sourceView = api.get("/instances/" + source).body().path("instance");
        assertThat(sourceView.at("/replicas/0/id").asText()).as(sourceView.toString()).isEqualTo(id);
    }

    /** The host whose state holds the instance's directory. */
    private String hostOf(String id) throws Exception {
        return topology.instanceDirectories().stream().filter(d -> d.endsWith("/" + id))
                .map(d -> d.substring(0, d.indexOf('/'))).findFirst().orElseThrow();
    }

    private long serverPid(String id) throws Exception {
        Path pidFile = topology.stateOf("guestagent-" + hostOf(id)).resolve("instances").resolve(id)
                .resolve("agent").resolve("server.pid");
        return Long.parseLong(Files.readString(pidFile).trim());
    }

    private void killServer(String id) throws Exception {
        kill(serverPid(id));
    }

    private static void kill(long pid) throws Exception {
        assertThat(new ProcessBuilder("kill", "-KILL", Long.toString(pid)).start().waitFor()).isZero();
    }

    private static String ip(ApiClient api, String id) {
        return api.get("/instances/" + id).body().at("/instance/ip/0").asText();
    }

    private static void execute(Kind kind, ApiClient api, String id, String sql) throws SQLException {
        try (Connection c = kind.connect(ip(api, id), "app", "alice", PASSWORD); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private static List<Integer> values(Kind kind, ApiClient api, String id) throws SQLException {
        List<Integer> out = new ArrayList<>();
        try (Connection c = kind.connect(ip(api, id), "app", "alice", PASSWORD); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT v FROM t ORDER BY v")) {
            while (rs.next()) {
                out.add(rs.getInt(1));
            }
        }
        return out;
    }
}
