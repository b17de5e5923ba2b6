package org.jtrove.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.jtrove.server.ApiClient.Response;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Instance access (issue 8 §2) on real servers: {@code allowed_cidrs} admits only its sources on the instance's
 * address and on its public port (clients bound to 127.0.0.2 and 127.0.0.3, and psql and mariadb from 127.0.0.1),
 * a public instance is forwarded from {@code public_address}, jtrove's own traffic (guest agent, backups) always
 * gets through, everything keeps working while jtrove is down and after it starts again, and a delete leaves no
 * nftables table or forwarder behind.
 */
@Tag("e2e")
class InstanceAccessE2ETest {
    private static final String ALLOWED = "127.0.0.2";
    private static final String REFUSED = "127.0.0.3";

    @Test
    void publicAndRestrictedPostgresqlIsEnforcedAcrossARestartAndLeavesNothing() throws Exception {
        Path state = TestServers.stateDir("access");
        JtroveConfig base = TestServers.config(state);
        String publicAddress = "127." + base.guestAgent.addressBase() + ".255.255";
        JtroveConfig config = base.with("public_address", publicAddress);
        AllInOne server = new AllInOne(config);
        ApiClient api = new ApiClient(server.port(), "project-access");
        String id = null;
        try {
            // Bad access is refused before anything is built.
            for (String bad : List.of("{\"allowed_cidrs\": [\"10.0.0.1/8\"]}", "{\"allowed_cidrs\": [\"nope\"]}",
                    "{\"is_public\": \"yes\"}", "{\"allowed_cidrs\": [\"127.0.0.2\", \"127.0.0.2/32\"]}", "[]",
                    "{\"is_public\": true, \"extra\": 1}")) {
                Response r = api.post("/instances", pgCreate("bad", bad));
                assertThat(r.status()).as(bad).isEqualTo(400);
                BadInputE2ETest.assertTroveFault(r, 400);
            }
            assertThat(api.get("/instances").body().path("instances")).as("nothing was created").isEmpty();

            Response created = api.post("/instances", pgCreate("pub",
                    "{\"is_public\": true, \"allowed_cidrs\": [\"" + ALLOWED + "/32\", \"2001:db8::/32\"]}"));
            assertThat(created.status()).as(created.raw()).isEqualTo(200);
            id = created.body().at("/instance/id").asText();
            assertThat(created.body().at("/instance/access").toString())
                    .isEqualTo("{\"is_public\":true,\"allowed_cidrs\":[\"127.0.0.2/32\",\"2001:db8::/32\"]}");
            JsonNode view = awaitActive(api, id);
            String ip = view.at("/ip/0").asText();
            int publicPort = publicPort(view, publicAddress);
            assertThat(view.path("ip")).hasSize(2);
            assertThat(view.at("/ip/1").asText()).isEqualTo(publicAddress);
            assertThat(nftTables()).contains(table(id));

            assertThat(pgConnects(ip, 5432, ALLOWED)).isTrue();
            assertThat(pgConnects(ip, 5432, REFUSED)).isFalse();
            assertThat(pgConnects(publicAddress, publicPort, ALLOWED)).isTrue();
            assertThat(pgConnects(publicAddress, publicPort, REFUSED)).isFalse();
            assertThat(psql(ip, 5432)).as("psql connects from 127.0.0.1").contains("Connection refused");
            assertThat(psql(publicAddress, publicPort)).contains("Connection refused");

            // jtrove's own traffic gets through: the guest agent's admin connections and a backup.
            String instance = "/instances/" + id;
            assertThat(api.post(instance + "/databases", "{\"databases\": [{\"name\": \"reports\"}]}").status())
                    .isEqualTo(202);
            assertThat(api.get(instance + "/databases").body().path("databases").findValuesAsText("name"))
                    .contains("app", "reports");
            String backup = api.post("/backups", "{\"backup\": {\"name\": \"b\", \"instance\": \"" + id + "\"}}")
                    .body().at("/backup/id").asText();
            awaitBackup(api, backup);

            // Bad updates change nothing.
            for (String bad : List.of("{\"allowed_cidrs\": [\"300.1.1.1\"]}", "{\"allowed_cidrs\": \"127.0.0.1\"}",
                    "null", "{\"is_public\": null}")) {
                Response r = api.put(instance, "{\"instance\": {\"access\": " + bad + "}}");
                assertThat(r.status()).as(bad).isEqualTo(400);
                BadInputE2ETest.assertTroveFault(r, 400);
            }
            assertThat(api.get(instance).body().at("/instance/access/allowed_cidrs/0").asText()).isEqualTo("127.0.0.2/32");

            // PUT: another source list; the missing is_public keeps its value.
            assertThat(api.put(instance, "{\"instance\": {\"access\": {\"allowed_cidrs\": [\"127.0.0.1/32\", \""
                    + REFUSED + "\"]}}}").status()).isEqualTo(202);
            view = awaitAccess(api, id, "{\"is_public\":true,\"allowed_cidrs\":[\"127.0.0.1/32\",\"127.0.0.3\"]}");
            assertThat(publicPort(view, publicAddress)).as("the public port stays").isEqualTo(publicPort);
            assertThat(psql(ip, 5432)).isEqualTo("1");
            assertThat(psql(publicAddress, publicPort)).isEqualTo("1");
            assertThat(pgConnects(ip, 5432, ALLOWED)).isFalse();
            assertThat(pgConnects(ip, 5432, REFUSED)).isTrue();
            assertThat(pgConnects(publicAddress, publicPort, ALLOWED)).isFalse();

            // PATCH: private and open to any source; no public path, no table, no forwarder.
            long forwarder = forwarderPid(state, id);
            assertThat(api.patch(instance, "{\"instance\": {\"access\": {\"is_public\": false, \"allowed_cidrs\": []}}}")
                    .status()).isEqualTo(202);
            view = awaitAccess(api, id, "{\"is_public\":false,\"allowed_cidrs\":[]}");
            assertThat(view.path("addresses").findValuesAsText("type")).containsExactly("private");
            assertThat(view.path("ip")).hasSize(1);
            assertThat(ProcessHandle.of(forwarder).filter(ProcessHandle::isAlive)).isEmpty();
            assertThat(nftTables()).doesNotContain(table(id));
            assertThat(pgConnects(publicAddress, publicPort, ALLOWED)).isFalse();
            assertThat(pgConnects(ip, 5432, REFUSED)).isTrue();

            // Public and restricted again, then jtrove stops: the rules and the forwarder stay in force.
            assertThat(api.put(instance, "{\"instance\": {\"access\": {\"is_public\": true, \"allowed_cidrs\": [\""
                    + ALLOWED + "/32\"]}}}").status()).isEqualTo(202);
            view = awaitAccess(api, id, "{\"is_public\":true,\"allowed_cidrs\":[\"127.0.0.2/32\"]}");
            int port = publicPort(view, publicAddress);
            forwarder = forwarderPid(state, id);
            server.close();
            server = null;
            assertThat(pgConnects(ip, 5432, ALLOWED)).isTrue();
            assertThat(pgConnects(ip, 5432, REFUSED)).isFalse();
            assertThat(pgConnects(publicAddress, port, ALLOWED)).as("the forwarder outlives jtrove").isTrue();
            assertThat(pgConnects(publicAddress, port, REFUSED)).isFalse();

            server = new AllInOne(config);
            api = new ApiClient(server.port(), "project-access");
            view = awaitActive(api, id);
            assertThat(forwarderPid(state, id)).as("the next jtrove adopts the forwarder").isEqualTo(forwarder);
            assertThat(publicPort(view, publicAddress)).isEqualTo(port);
            assertThat(pgConnects(publicAddress, port, ALLOWED)).isTrue();
            assertThat(pgConnects(ip, 5432, REFUSED)).isFalse();
            assertThat(api.get(instance + "/databases").status()).as("the guest agent reaches it again").isEqualTo(200);

            // Delete: no table, no forwarder.
            assertThat(api.delete(instance).status()).isEqualTo(202);
            ApiClient client = api;
            String gone = id;
            await().atMost(Duration.ofSeconds(60)).until(() -> client.get("/instances/" + gone).status() == 404);
            id = null;
            assertThat(nftTables()).doesNotContain(table(gone));
            assertThat(ProcessHandle.of(forwarder).filter(ProcessHandle::isAlive)).isEmpty();
            assertThat(pgConnects(publicAddress, port, ALLOWED)).isFalse();
        } finally {
            if (server == null) {
                server = new AllInOne(config);
                api = new ApiClient(server.port(), "project-access");
            }
            deleteAll(api);
            server.close();
        }
    }

    @Test
    void jtroveReachesRestrictedMariadbAndRedisInstancesWhileClientsAreRefused() throws Exception {
        Path state = TestServers.stateDir("access-my");
        try (AllInOne server = new AllInOne(TestServers.config(state))) {
            ApiClient api = new ApiClient(server.port(), "project-access2");
            try {
                String access = "\"access\": {\"allowed_cidrs\": [\"" + ALLOWED + "/32\"]}";
                String my = api.post("/instances", "{\"instance\": {\"name\": \"my\", \"flavorRef\": \"1\","
                        + " \"volume\": {\"size\": 1}, \"datastore\": {\"type\": \"mariadb\", \"version\": \"10.11\"},"
                        + " \"databases\": [{\"name\": \"shop\"}], \"users\": [{\"name\": \"bob\", \"password\":"
                        + " \"bob-pw-12\", \"databases\": [{\"name\": \"shop\"}]}], " + access + "}}")
                        .body().at("/instance/id").asText();
                String rd = api.post("/instances", "{\"instance\": {\"name\": \"rd\", \"flavorRef\": \"1\","
                        + " \"volume\": {\"size\": 1}, \"datastore\": {\"type\": \"redis\", \"version\": \"7.0\"}, "
                        + access + "}}").body().at("/instance/id").asText();
                // Reaching ACTIVE needs the guest agent's admin connections and health checks to get through.
                String myIp = awaitActive(api, my).at("/ip/0").asText();
                String rdIp = awaitActive(api, rd).at("/ip/0").asText();

                assertThat(mariadbConnects(myIp, ALLOWED)).isTrue();
                assertThat(mariadbConnects(myIp, REFUSED)).isFalse();
                Process client = new ProcessBuilder("mariadb", "--no-defaults", "--connect-timeout=5", "-h", myIp,
                        "-u", "bob", "-pbob-pw-12", "-N", "-B", "shop", "-e", "SELECT 1").redirectErrorStream(true).start();
                String out = new String(client.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertThat(client.waitFor(30, TimeUnit.SECONDS)).isTrue();
                assertThat(client.exitValue()).isNotZero();
                assertThat(out).as("the mariadb client from 127.0.0.1").contains("Can't connect to server on");

                assertThat(api.post("/instances/" + my + "/databases", "{\"databases\": [{\"name\": \"more\"}]}")
                        .status()).isEqualTo(202);
                String backup = api.post("/backups", "{\"backup\": {\"name\": \"b\", \"instance\": \"" + my + "\"}}")
                        .body().at("/backup/id").asText();
                awaitBackup(api, backup);

                assertThat(redisAnswer(rdIp, ALLOWED)).isEqualTo("+PONG");
                assertThat(redisAnswer(rdIp, REFUSED)).isNull();
                Response root = api.post("/instances/" + rd + "/root", null);
                assertThat(root.status()).as("the guest agent sets the root password over its own connection")
                        .isEqualTo(200);
                assertThat(redisAnswer(rdIp, ALLOWED)).startsWith("-NOAUTH");
            } finally {
                deleteAll(api);
            }
        }
    }

    // ---- helpers ---------------------------------------------------------------------------------------------

    private static String pgCreate(String name, String access) {
        return "{\"instance\": {\"name\": \"" + name + "\", \"flavorRef\": \"1\", \"volume\": {\"size\": 1},"
                + " \"datastore\": {\"type\": \"postgresql\", \"version\": \"15\"}, \"databases\": [{\"name\": \"app\"}],"
                + " \"users\": [{\"name\": \"alice\", \"password\": \"alice-pw-1\", \"databases\": [{\"name\": \"app\"}]}],"
                + " \"access\": " + access + "}}";
    }

    private static JsonNode awaitActive(ApiClient api, String id) {
        return awaitView(api, id, view -> true);
    }

    /** Waits for the update task to end (operating_status is back) with {@code access} recorded and shown. */
    private static JsonNode awaitAccess(ApiClient api, String id, String access) {
        return awaitView(api, id, view -> access.equals(view.path("access").toString()));
    }

    /** Waits until the instance is ACTIVE and HEALTHY (no task running) and {@code also} holds; ERROR fails. */
    private static JsonNode awaitView(ApiClient api, String id, Predicate<JsonNode> also) {
        JsonNode[] view = new JsonNode[1];
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(100)).until(() -> {
            view[0] = api.get("/instances/" + id).body().path("instance");
            assertThat(view[0].path("status").asText()).as(view[0].toString()).isNotEqualTo("ERROR");
            return "ACTIVE".equals(view[0].path("status").asText())
                    && "HEALTHY".equals(view[0].path("operating_status").asText()) && also.test(view[0]);
        });
        return view[0];
    }

    private static void awaitBackup(ApiClient api, String backup) {
        await().atMost(Duration.ofSeconds(180)).until(() -> {
            JsonNode view = api.get("/backups/" + backup).body().path("backup");
            assertThat(view.path("status").asText()).as(view.toString()).isNotEqualTo("FAILED");
            return "COMPLETED".equals(view.path("status").asText());
        });
    }

    private static int publicPort(JsonNode view, String publicAddress) {
        for (JsonNode a : view.path("addresses")) {
            if ("public".equals(a.path("type").asText())) {
                assertThat(a.path("address").asText()).isEqualTo(publicAddress);
                return a.path("port").asInt();
            }
        }
        throw new AssertionError("no public address in " + view);
    }

    /** True if alice logs in from {@code source}; false if the connection is refused. */
    private static boolean pgConnects(String host, int port, String source) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", "alice");
        p.setProperty("password", "alice-pw-1");
        p.setProperty("connectTimeout", "5");
        p.setProperty("localSocketAddress", source);
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://" + host + ":" + port + "/app", p)) {
            return c.isValid(5);
        } catch (SQLException e) {
            if (refused(e)) {
                return false;
            }
            throw e;
        }
    }

    private static boolean mariadbConnects(String host, String source) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", "bob");
        p.setProperty("password", "bob-pw-12");
        p.setProperty("connectTimeout", "5000");
        p.setProperty("localSocketAddress", source);
        try (Connection c = DriverManager.getConnection("jdbc:mariadb://" + host + ":3306/shop", p)) {
            return c.isValid(5);
        } catch (SQLException e) {
            if (refused(e)) {
                return false;
            }
            throw e;
        }
    }

    private static boolean refused(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ConnectException) {
                return true;
            }
        }
        return false;
    }

    /** Redis's answer to PING over a connection from {@code source}, or null if the connection is refused. */
    private static String redisAnswer(String host, String source) throws IOException {
        try (Socket s = new Socket()) {
            s.bind(new InetSocketAddress(source, 0));
            s.connect(new InetSocketAddress(host, 6379), 5000);
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            StringBuilder line = new StringBuilder();
            for (int c = in.read(); c != -1 && c != '\r'; c = in.read()) {
                line.append((char) c);
            }
            return line.toString();
        } catch (ConnectException e) {
            return null;
        }
    }

    /** psql (the real client, connecting from 127.0.0.1) running SELECT 1 as alice: its output or its error. */
    private static String psql(String host, int port) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("psql", "-X", "-w", "-tA", "-h", host, "-p", Integer.toString(port),
                "-U", "alice", "-d", "app", "-c", "SELECT 1").redirectErrorStream(true);
        pb.environment().putAll(Map.of("PGPASSWORD", "alice-pw-1", "PGCONNECT_TIMEOUT", "5"));
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return out;
    }

    private static long forwarderPid(Path state, String id) throws IOException {
        return Long.parseLong(Files.readString(state.resolve("instances").resolve(id).resolve("forwarder.pid")).trim());
    }

    private static String table(String id) {
        return "jtrove_" + id.replace("-", "");
    }

    private static String nftTables() throws Exception {
        Process p = new ProcessBuilder("nft", "list", "tables").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return out;
    }

    /** Deletes every instance of the project (waiting out a running task) and checks that none left a table behind. */
    private static void deleteAll(ApiClient api) throws Exception {
        List<String> ids = new ArrayList<>();
        for (JsonNode i : api.get("/instances").body().path("instances")) {
            String id = i.path("id").asText();
            ids.add(id);
            await().atMost(Duration.ofSeconds(90)).until(() -> List.of(202, 404)
                    .contains(api.delete("/instances/" + id).status()));
        }
        await().atMost(Duration.ofSeconds(90)).until(() -> api.get("/instances").body().path("instances").isEmpty());
        String tables = nftTables();
        for (String id : ids) {
            assertThat(tables).doesNotContain(table(id));
        }
    }
}
