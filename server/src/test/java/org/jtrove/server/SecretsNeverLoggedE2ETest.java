package org.jtrove.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;
import org.jtrove.server.ApiClient.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.slf4j.LoggerFactory;

/**
 * Issue 8 §9: every API request is logged on one line with its request id (the {@code X-Openstack-Request-Id} the
 * response carries), and no password, token or key reaches any log line. Everything jtrove logs while this test
 * drives requests carrying secrets (identity tokens, instance create with users, user create, password changes,
 * root enable with a password, bad requests holding passwords, a backup) on real PostgreSQL and MariaDB servers is
 * captured at DEBUG, as {@code JTROVE_LOG_LEVEL=DEBUG} would write it, and scanned.
 */
@Tag("e2e")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SecretsNeverLoggedE2ETest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final Pattern ACCESS_LINE = Pattern.compile("(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS) \\S+ \\d{3}"
            + " \\d+ ms project=\\S+ user=\\S+ request_id=req-[0-9a-f-]{36}( global_request_id=req-[0-9a-f-]{36})?"
            + " remote=\\S+");
    private final List<String> secrets = new ArrayList<>();
    private final ByteArrayOutputStream captured = new ByteArrayOutputStream();
    private OutputStreamAppender<ILoggingEvent> appender;
    private Level rootLevel;
    private Path state;
    private AllInOne server;
    private ApiClient api;
    private String project;
    private final List<String> instances = new ArrayList<>();

    @BeforeAll
    void start() throws Exception {
        LoggerContext logging = (LoggerContext) LoggerFactory.getILoggerFactory();
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(logging);
        encoder.setPattern("%d %-5level [%thread] %logger - %msg%n%ex");
        encoder.start();
        appender = new OutputStreamAppender<>();
        appender.setContext(logging);
        appender.setEncoder(encoder);
        appender.setOutputStream(captured);
        appender.start();
        Logger root = logging.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        rootLevel = root.getLevel();
        root.setLevel(Level.DEBUG);
        root.addAppender(appender);

        state = TestServers.stateDir("secrets");
        server = new AllInOne(TestServers.config(state).with("auth", "builtin").with("admin_password", secret("admin-pw")));
        Tokens.createMember(server, "sam", secret("sam-pw"), "team-s");
    }

    @AfterAll
    void stop() {
        try {
            if (server != null) {
                instances.forEach(id -> api.delete("/instances/" + id));
                await().atMost(Duration.ofSeconds(60)).until(() ->
                        instances.stream().allMatch(id -> api.get("/instances/" + id).status() == 404));
                server.close();
            }
        } finally {
            Logger root = ((LoggerContext) LoggerFactory.getILoggerFactory()).getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
            root.detachAppender(appender);
            root.setLevel(rootLevel);
            appender.stop();
        }
    }

    @Test
    void requestsCarryingSecretsLeaveNoneInTheLogs() throws Exception {
        assertThat(Tokens.request(server.port(), "sam", secret("wrong-pw"), "team-s").statusCode()).isEqualTo(401);
        Tokens.Token sam = Tokens.issue(server.port(), "sam", secrets.get(1), "team-s");
        Tokens.Token admin = Tokens.issue(server.port(), "admin", secrets.get(0), "admin");
        secrets.add(sam.token());
        secrets.add(admin.token());
        project = sam.projectId();
        api = new ApiClient(server.port(), project, sam.token());
        assertThat(new ApiClient(server.port(), project, secret("forged-token")).get("/instances").status()).isEqualTo(401);
        assertThat(api.get("/instances?limit=5&password=" + secret("query-pw")).status()).isEqualTo(200);

        String pg = create("postgresql", "15");
        String maria = create("mariadb", "10.11");
        for (String id : List.of(pg, maria)) {
            usersAndRoot(id);
        }
        Response backup = api.post("/backups", "{\"backup\": {\"name\": \"b1\", \"instance\": \"" + pg + "\"}}");
        assertThat(backup.status()).as(backup.raw()).isEqualTo(202);
        String backupId = backup.body().at("/backup/id").asText();
        await().atMost(Duration.ofSeconds(120)).until(() ->
                "COMPLETED".equals(api.get("/backups/" + backupId).body().at("/backup/status").asText()));
        byte[] key = Base64.getDecoder().decode(Files.readString(state.resolve("backup.key")).trim());
        secrets.add(Files.readString(state.resolve("backup.key")).trim());
        secrets.add(HexFormat.of().formatHex(key));
        for (String id : instances) {
            secrets.add(Files.readString(state.resolve("instances").resolve(id).resolve("agent/admin.secret")).trim());
        }

        for (String secret : List.copyOf(secrets)) {
            secrets.add(mysqlNativeHash(secret));   // what MariaDB's CREATE/ALTER USER ... IDENTIFIED BY PASSWORD carry
        }
        String log = logged();
        assertThat(secrets).hasSizeGreaterThan(40).allMatch(s -> s.length() >= 16);
        for (String secret : secrets) {
            assertThat(log).as("a secret reached the log").doesNotContain(secret);
        }
        assertThat(log).contains("password=***");
    }

    @Test
    void everyRequestIsLoggedOnOneLineWithItsRequestId() throws Exception {
        String project = "p" + UUID.randomUUID().toString().replace("-", "");
        HttpResponse<String> plain = send("/v1.0/" + project + "/flavors", null);
        String id = plain.headers().firstValue("x-openstack-request-id").orElseThrow();
        assertThat(id).matches("req-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
        assertThat(send("/v1.0/" + project + "/flavors", null).headers().firstValue("x-openstack-request-id"))
                .as("one id per request").isPresent().isNotEqualTo(java.util.Optional.of(id));

        // oslo.middleware: a well-formed incoming id is kept as the global request id, never echoed; others dropped.
        String global = "req-" + UUID.randomUUID();
        HttpResponse<String> withGlobal = send("/v1.0/" + project + "/flavors", global);
        String local = withGlobal.headers().firstValue("x-openstack-request-id").orElseThrow();
        assertThat(local).isNotEqualTo(global);
        HttpResponse<String> bogus = send("/v1.0/" + project + "/flavors", "req-NOT-WELL-FORMED-ATTACK");
        // Refused by Jetty's parser (a NUL byte) before it reaches the API: still one line and a request id.
        HttpResponse<String> refused = send("/v1.0/" + project + "/instances/a%00b", null);
        assertThat(refused.statusCode()).isEqualTo(400);
        String refusedId = refused.headers().firstValue("x-openstack-request-id").orElseThrow();

        await().atMost(Duration.ofSeconds(5)).until(() -> logged().contains(refusedId));
        String marker = " org.jtrove.api.AccessLog - ";
        List<String> lines = logged().lines().filter(l -> l.contains(marker)).toList();
        assertThat(lines).hasSizeGreaterThan(5).allSatisfy(l ->
                assertThat(ACCESS_LINE.matcher(l.substring(l.indexOf(marker) + marker.length()))).as(l).matches());
        assertThat(lines).filteredOn(l -> l.contains(id)).singleElement().asString()
                .contains("GET /v1.0/" + project + "/flavors 401 ").contains("project=- user=-");
        assertThat(lines).filteredOn(l -> l.contains(local)).singleElement().asString()
                .endsWith("request_id=" + local + " global_request_id=" + global + " remote=127.0.0.1");
        String bogusId = bogus.headers().firstValue("x-openstack-request-id").orElseThrow();
        assertThat(lines).filteredOn(l -> l.contains(bogusId)).singleElement().asString().doesNotContain("global");
        assertThat(logged()).doesNotContain("NOT-WELL-FORMED-ATTACK");
        assertThat(lines).filteredOn(l -> l.contains(refusedId)).singleElement().asString()
                .contains(" 400 ").contains("project=- user=-");

        Tokens.Token admin = Tokens.issue(server.port(), "admin", secrets.get(0), "admin");
        HttpResponse<String> authed = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                + "/v1.0/" + admin.projectId() + "/instances")).header("X-Auth-Token", admin.token()).build(),
                HttpResponse.BodyHandlers.ofString());
        String authedId = authed.headers().firstValue("x-openstack-request-id").orElseThrow();
        await().atMost(Duration.ofSeconds(5)).until(() -> logged().contains(authedId));
        String line = logged().lines().filter(l -> l.contains(authedId)).findFirst().orElseThrow();
        assertThat(line).contains("GET /v1.0/" + admin.projectId() + "/instances 200 ", "project=" + admin.projectId(),
                "user=" + server.store().identity.user("admin").orElseThrow().id());
    }

    // ---- helpers ---------------------------------------------------------------------------------------------

    /** A distinctive secret, remembered for the scan. */
    private String secret(String what) {
        String s = what + "-" + UUID.randomUUID().toString().substring(0, 13);
        secrets.add(s);
        return s;
    }

    private String create(String type, String version) {
        Response r = api.post("/instances", """
                {"instance": {"name": "%s-s", "flavorRef": "1", "volume": {"size": 1},
                  "datastore": {"type": "%s", "version": "%s"}, "databases": [{"name": "app"}],
                  "users": [{"name": "u1", "password": "%s", "databases": [{"name": "app"}]}]}}"""
                .formatted(type, type, version, secret("create-pw")));
        assertThat(r.status()).as(r.raw()).isEqualTo(200);
        String id = r.body().at("/instance/id").asText();
        instances.add(id);
        await().atMost(Duration.ofSeconds(90)).until(() ->
                "ACTIVE".equals(api.get("/instances/" + id).body().at("/instance/status").asText()));
        return id;
    }

    /** Every route that takes a password, plus refusals of requests holding one. */
    private void usersAndRoot(String id) {
        String users = "/instances/" + id + "/users";
        assertThat(api.post(users, user("u2", secret("user-pw"))).status()).isEqualTo(202);
        assertThat(api.put(users, "{\"users\": [{\"name\": \"u2\", \"password\": \"" + secret("change-pw") + "\"}]}")
                .status()).isEqualTo(202);
        assertThat(api.put(users + "/u2", "{\"user\": {\"password\": \"" + secret("attr-pw") + "\"}}").status())
                .isEqualTo(202);
        Response root = api.post("/instances/" + id + "/root", "{\"password\": \"" + secret("root-pw") + "\"}");
        assertThat(root.status()).as(root.raw()).isEqualTo(200);
        Response generated = api.post("/instances/" + id + "/root", "");
        assertThat(generated.status()).isEqualTo(200);
        secrets.add(generated.body().at("/user/password").asText());
        assertThat(api.delete("/instances/" + id + "/root").status()).isEqualTo(204);

        assertThat(api.post(users, user("u1", secret("duplicate-pw"))).status()).as("exists").isBetween(400, 499);
        assertThat(api.put(users + "/nobody", "{\"user\": {\"password\": \"" + secret("missing-pw") + "\"}}").status())
                .isEqualTo(404);
        assertThat(api.post(users, "{\"users\": [{\"name\": \"u3\", \"password\": \"" + secret("malformed-pw") + "\"")
                .status()).isEqualTo(400);
        assertThat(api.post(users, user("bad\\tname", secret("badname-pw"))).status()).as("a control character").isEqualTo(400);
    }

    /** MariaDB's mysql_native_password hash: '*' and the upper-case hex of SHA1(SHA1(password)). */
    private static String mysqlNativeHash(String password) throws java.security.NoSuchAlgorithmException {
        java.security.MessageDigest sha1 = java.security.MessageDigest.getInstance("SHA-1");
        byte[] once = sha1.digest(password.getBytes(StandardCharsets.UTF_8));
        return "*" + HexFormat.of().withUpperCase().formatHex(sha1.digest(once));
    }

    private static String user(String name, String password) {
        return "{\"users\": [{\"name\": \"" + name + "\", \"password\": \"" + password + "\"}]}";
    }

    private HttpResponse<String> send(String path, String requestId) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path));
        if (requestId != null) {
            b.header("X-Openstack-Request-Id", requestId);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private String logged() {
        synchronized (captured) {
            return captured.toString(StandardCharsets.UTF_8);
        }
    }
}
