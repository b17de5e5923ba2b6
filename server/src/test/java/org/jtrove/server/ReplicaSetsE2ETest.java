package org.jtrove.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.jtrove.server.ApiClient.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * What a PostgreSQL replica set shares, on real servers: jtrove's {@code replication_mode} (synchronous: the source's
 * synchronous_standby_names names its replicas, kept in step when the mode changes, on detach and on eject; a commit
 * waits while the replicas are stopped; after a kill -9 of the source under a write load and eject_replica_source,
 * every commit a client saw acknowledged is on the new source; when the only synchronous replica dies, deleting it
 * releases the blocked commits), and the set's writer address (a client keeps one address for writes across a
 * promotion, within the source's allowed_cidrs, also across a restart of jtrove; it goes with the set).
 */
@Tag("e2e")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReplicaSetsE2ETest {
    private static final String USER = "u";
    private static final String PASSWORD = "U-pass-1";
    /** Where this test's clients connect from; the writer test's instances admit only it. */
    private static final String CLIENT = "127.0.0.2";
    private Path state;
    private JtroveConfig config;
    private AllInOne server;
    private ApiClient api;

    @BeforeAll
    void start() throws Exception {
        state = TestServers.stateDir("replica-sets");
        config = TestServers.config(state);
        server = new AllInOne(config);
        api = new ApiClient(server.port(), "project-replica-sets");
    }

    @AfterAll
    void stop() {
        if (server != null) {
            ReplicaTests.deleteAll(api);
            server.close();
        }
    }

    @Test
    void synchronousReplicationLosesNoAcknowledgedCommit() throws Exception {
        int before = api.get("/instances").body().path("instances").size();
        Response badValue = api.post("/instances", createBody("sync-bad", ", \"replication_mode\": \"semi\""));
        assertThat(badValue.status()).as(badValue.raw()).isEqualTo(400);
        assertThat(badValue.body().at("/badRequest/message").asText()).contains("replication_mode");
        Response notPostgresql = api.post("/instances", "{\"instance\": {\"name\": \"sync-maria\", \"flavorRef\": \"1\","
                + " \"volume\": {\"size\": 1}, \"datastore\": {\"type\": \"mariadb\"},"
                + " \"replication_mode\": \"synchronous\"}}");
        assertThat(notPostgresql.status()).as(notPostgresql.raw()).isEqualTo(400);
        assertThat(notPostgresql.body().at("/badRequest/message").asText()).contains("PostgreSQL");
        assertThat(api.get("/instances").body().path("instances")).as("refusals change nothing").hasSize(before);

        String source = create("sync-src", "");
        assertThat(api.get("/instances/" + source).body().at("/instance/replication_mode").asText())
                .isEqualTo("asynchronous");
        Response replicaWithMode = api.post("/instances", "{\"instance\": {\"name\": \"r\", \"replica_of\": \"" + source
                + "\", \"replication_mode\": \"synchronous\"}}");
        assertThat(replicaWithMode.status()).as(replicaWithMode.raw()).isEqualTo(400);
        Response created = api.post("/instances", "{\"instance\": {\"name\": \"sync-rep\", \"replica_of\": \"" + source
                + "\", \"replica_count\": 3}}");
        assertThat(created.status()).as(created.raw()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(10)).until(() -> api.get("/instances/" + source).body()
                .at("/instance/replicas").size() == 3);
        List<String> all = api.get("/instances/" + source).body().at("/instance/replicas").findValuesAsText("id");
        all.forEach(r -> SqlInstances.awaitActive(api, r));
        assertThat(standbyNames(source)).as("asynchronous: no commit waits").isEmpty();

        // the mode changes on the running source: a reload names the replicas
        Response bad = api.patch("/instances/" + source, "{\"instance\": {\"replication_mode\": 1}}");
        assertThat(bad.status()).as(bad.raw()).isEqualTo(400);
        assertThat(api.patch("/instances/" + all.get(0), "{\"instance\": {\"replication_mode\": \"synchronous\"}}")
                .status()).as("set on the source only").isEqualTo(400);
        assertThat(api.get("/instances/" + source).body().at("/instance/replication_mode").asText())
                .isEqualTo("asynchronous");
        long serverPid = ReplicaTests.serverPid(state, source);
        Response patch = api.patch("/instances/" + source, "{\"instance\": {\"replication_mode\": \"synchronous\"}}");
        assertThat(patch.status()).as(patch.raw()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(30)).until(() -> standbyNames(source).equals(names(all)));
        assertThat(ReplicaTests.serverPid(state, source)).as("a reload, not a restart").isEqualTo(serverPid);
        for (String i : Stream.concat(Stream.of(source), all.stream()).toList()) {
            assertThat(api.get("/instances/" + i).body().at("/instance/replication_mode").asText()).as(i)
                    .isEqualTo("synchronous");
        }

        // a commit does not return while no replica can take it
        insert(ip(source), 0);
        List<Long> stopped = all.stream().flatMap(r -> serverProcesses(r).stream()).toList();
        signal("STOP", stopped);
        CompletableFuture<Void> commit;
        try {
            commit = CompletableFuture.runAsync(() -> insertUnchecked(ip(source), 1));
            Thread.sleep(3000);
            assertThat(commit).as("the commit waits for a replica").isNotDone();
        } finally {
            signal("CONT", stopped);
        }
        commit.get(30, TimeUnit.SECONDS);

        // a detached replica is no longer waited for
        String detached = all.get(2);
        List<String> replicas = all.subList(0, 2);
        assertThat(api.patch("/instances/" + detached, "{\"instance\": {\"replica_of\": null}}").status()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(60)).until(() -> !api.get("/instances/" + detached).body().path("instance")
                .has("replica_of"));
        assertThat(standbyNames(source)).isEqualTo(names(replicas));
        assertThat(api.delete("/instances/" + detached).status()).isEqualTo(202);

        // a write load; the source's server is killed; eject: every acknowledged commit is on the new source
        Set<Integer> acknowledged = new ConcurrentSkipListSet<>();
        CompletableFuture<Void> load = CompletableFuture.runAsync(() -> {
            try (Connection c = connect(ip(source)); Statement s = c.createStatement()) {
                for (int n = 100; ; n++) {
                    s.execute("INSERT INTO t VALUES (" + n + ")");
                    acknowledged.add(n);
                }
            } catch (SQLException e) {
                // the server died
            }
        });
        await().atMost(Duration.ofSeconds(30)).until(() -> acknowledged.size() >= 200);
        ReplicaTests.killServer(state, source);
        load.get(30, TimeUnit.SECONDS);
        String leader = ReplicaTests.ejectAndAwaitNewSource(api, source, replicas);
        String follower = replicas.stream().filter(r -> !r.equals(leader)).findFirst().orElseThrow();
        assertThat(values(ip(leader))).as("every acknowledged commit").containsAll(acknowledged).contains(0, 1);
        assertThat(api.get("/instances/" + leader).body().at("/instance/replication_mode").asText())
                .as("the set's mode moves with the source role").isEqualTo("synchronous");
        await().atMost(Duration.ofSeconds(30)).until(() -> standbyNames(leader).equals(names(List.of(follower))));

        // the only synchronous replica dies: commits wait, until it is deleted
        ReplicaTests.killServer(state, follower);
        CompletableFuture<Void> blocked = CompletableFuture.runAsync(() -> insertUnchecked(ip(leader), 2));
        Thread.sleep(3000);
        assertThat(blocked).as("PostgreSQL waits for a synchronous replica").isNotDone();
        assertThat(api.delete("/instances/" + follower).status()).isEqualTo(202);
        blocked.get(60, TimeUnit.SECONDS);
        assertThat(standbyNames(leader)).isEmpty();
        assertThat(api.delete("/instances/" + source).status()).isEqualTo(202);
    }

    @Test
    void theWriterAddressFollowsThePrimary() throws Exception {
        String source = create("writer-src", ", \"access\": {\"allowed_cidrs\": [\"" + CLIENT + "/32\"]}");
        assertThat(writer(source)).as("no replica set yet").isNull();
        Response created = api.post("/instances", "{\"instance\": {\"name\": \"writer-rep\", \"replica_of\": \""
                + source + "\"}}");
        assertThat(created.status()).as(created.raw()).isEqualTo(200);
        String replica = created.body().at("/instance/id").asText();
        SqlInstances.awaitActive(api, replica);
        JsonNode writer = writer(source);
        assertThat(writer).as(api.get("/instances/" + source).raw()).isNotNull();
        String address = writer.path("address").asText();
        assertThat(writer.path("port").asInt()).isEqualTo(5432);
        assertThat(writer(replica)).as("every member shows it").isEqualTo(writer);
        assertThat(address).isNotIn(ip(source), ip(replica));

        assertThat(serverAddress(address)).isEqualTo(ip(source));
        insert(address, 1);
        assertThat(values(ip(source))).contains(1);
        try (Connection c = connect(address, "127.0.0.3")) {
            throw new AssertionError("the source's allowed_cidrs admit only " + CLIENT + ", not " + c);
        } catch (SQLException e) {
            assertThat(e.getSQLState()).as(e.getMessage()).startsWith("08");   // connection refused
        }

        Response promote = api.post("/instances/" + replica + "/action", "{\"promote_to_replica_source\": {}}");
        assertThat(promote.status()).as(promote.raw()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200)).until(() -> {
            JsonNode r = api.get("/instances/" + replica).body().path("instance");
            JsonNode s = api.get("/instances/" + source).body().path("instance");
            assertThat(r.path("status").asText()).as(r.toString()).isNotEqualTo("ERROR");
            return "ACTIVE".equals(r.path("status").asText()) && "ACTIVE".equals(s.path("status").asText())
                    && s.at("/replica_of/id").asText().equals(replica);
        });
        assertThat(writer(replica)).as("the same address").isEqualTo(writer);
        assertThat(writer(source)).isEqualTo(writer);
        assertThat(serverAddress(address)).as("now reaches the new source").isEqualTo(ip(replica));
        insert(address, 2);
        assertThat(values(ip(replica))).contains(1, 2);
        assertThatThrownBy(() -> insert(ip(source), 3)).as("the old source takes no writes")
                .isInstanceOf(SQLException.class).hasMessageContaining("read-only");

        // jtrove stops; the rules outlive it; lost meanwhile (as at a reboot), its next start puts them back
        String newSource = ip(replica);
        server.close();
        server = null;
        assertThat(serverAddress(address)).as("the rule outlives jtrove").isEqualTo(newSource);
        String table = "jtrove_writer_" + address.replace('.', '_');
        assertThat(new ProcessBuilder("nft", "delete", "table", "ip", table).start().waitFor()).isZero();
        server = new AllInOne(config);
        api = new ApiClient(server.port(), "project-replica-sets");
        assertThat(serverAddress(address)).as("forwarded again at start").isEqualTo(newSource);
        insert(address, 4);

        assertThat(api.delete("/instances/" + source).status()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(60)).until(() -> api.get("/instances/" + source).status() == 404);
        assertThat(writer(replica)).as("kept while the set's source lives").isEqualTo(writer);
        assertThat(api.delete("/instances/" + replica).status()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(60)).until(() -> api.get("/instances/" + replica).status() == 404);
        assertThat(nftTables()).as("the writer address goes with its set")
                .doesNotContain(table);
    }

    // ---- helpers ---------------------------------------------------------------------------------------------

    private String createBody(String name, String extra) {
        return "{\"instance\": {\"name\": \"" + name + "\", \"flavorRef\": \"1\", \"volume\": {\"size\": 1},"
                + " \"datastore\": {\"type\": \"postgresql\"}, \"databases\": [{\"name\": \"app\"}],"
                + " \"users\": [{\"name\": \"" + USER + "\", \"password\": \"" + PASSWORD + "\","
                + " \"databases\": [{\"name\": \"app\"}]}]" + extra + "}}";
    }

    /** Creates an ACTIVE PostgreSQL instance with the database app, the user u, and the table t. */
    private String create(String name, String extra) throws SQLException {
        Response r = api.post("/instances", createBody(name, extra));
        assertThat(r.status()).as(r.raw()).isEqualTo(200);
        String id = r.body().at("/instance/id").asText();
        try (Connection c = connect(SqlInstances.awaitActive(api, id).at("/ip/0").asText());
             Statement s = c.createStatement()) {
            s.execute("CREATE TABLE t (v INT PRIMARY KEY)");
        }
        return id;
    }

    private String ip(String id) {
        return api.get("/instances/" + id).body().at("/instance/ip/0").asText();
    }

    /** The application_name a replica's server gives its source (see PostgresqlReplication). */
    private static String applicationName(String replicaId) {
        return "jtrove_" + replicaId.replace("-", "").toLowerCase(Locale.ROOT);
    }

    /** synchronous_standby_names naming {@code replicas}, as jtrove writes it. */
    private static String names(List<String> replicas) {
        return "ANY 1 (" + String.join(", ", replicas.stream().map(ReplicaSetsE2ETest::applicationName).sorted()
                .toList()) + ")";
    }

    private String standbyNames(String id) throws SQLException {
        try (Connection c = connect(ip(id)); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SHOW synchronous_standby_names")) {
            rs.next();
            return rs.getString(1);
        }
    }

    /** The instance's postmaster and its children (the WAL receiver among them). */
    private List<Long> serverProcesses(String id) {
        try {
            ProcessHandle postmaster = ProcessHandle.of(ReplicaTests.serverPid(state, id)).orElseThrow();
            List<Long> out = new ArrayList<>(postmaster.descendants().map(ProcessHandle::pid).toList());
            out.add(postmaster.pid());
            return out;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void signal(String name, List<Long> pids) throws Exception {
        List<String> command = new ArrayList<>(List.of("kill", "-" + name));
        pids.forEach(p -> command.add(Long.toString(p)));
        new ProcessBuilder(command).inheritIO().start().waitFor();
    }

    /** The set's writer address in the instance's view ({@code addresses} entry of type writer), or null. */
    private JsonNode writer(String id) {
        for (JsonNode a : api.get("/instances/" + id).body().at("/instance/addresses")) {
            if ("writer".equals(a.path("type").asText())) {
                return a;
            }
        }
        return null;
    }

    /** The address of the server a connection to {@code ip} reaches. */
    private static String serverAddress(String ip) throws SQLException {
        try (Connection c = connect(ip); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT host(inet_server_addr())")) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static String nftTables() throws Exception {
        Process p = new ProcessBuilder("nft", "list", "tables").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return out;
    }

    private static Connection connect(String ip) throws SQLException {
        return connect(ip, CLIENT);
    }

    private static Connection connect(String ip, String from) throws SQLException {
        Properties p = new Properties();
        p.setProperty("localSocketAddress", from);
        p.setProperty("user", USER);
        p.setProperty("password", PASSWORD);
        p.setProperty("connectTimeout", "5");
        return DriverManager.getConnection("jdbc:postgresql://" + ip + ":5432/app", p);
    }

    private static void insert(String ip, int value) throws SQLException {
        try (Connection c = connect(ip); Statement s = c.createStatement()) {
            s.execute("INSERT INTO t VALUES (" + value + ")");
        }
    }

    private static void insertUnchecked(String ip, int value) {
        try {
            insert(ip, value);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<Integer> values(String ip) throws SQLException {
        List<Integer> out = new ArrayList<>();
        try (Connection c = connect(ip); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT v FROM t")) {
            while (rs.next()) {
                out.add(rs.getInt(1));
            }
        }
        return out;
    }
}
