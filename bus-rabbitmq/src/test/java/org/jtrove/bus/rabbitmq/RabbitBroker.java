package org.jtrove.bus.rabbitmq;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.jtrove.model.Json;

/**
 * A private RabbitMQ broker for tests and benchmarks: Debian's {@code rabbitmq-server} started by hand (no
 * systemd), listening on free loopback ports only, with its own node name, Erlang cookie, epmd port, data and log
 * directories under one temporary directory, {@code rabbitmq_management} enabled through an
 * {@code enabled_plugins} file, and an administrator with a random password instead of the default {@code guest}
 * user. With {@link #startTls()} it also listens for AMQPS with certificates from a CA the fixture makes with
 * openssl, and requires a client certificate.
 *
 * <p>{@link #close()} kills the broker and its epmd and removes the directory; a watchdog process does the same
 * if this JVM dies without closing it (killed, or a test run aborted). Use it in a try-with-resources block or in
 * {@code @BeforeAll}/{@code @AfterAll}. Needs {@code bin/install-deps} (rabbitmq-server, openssl). Starting takes
 * about 8 s (longer under load).
 */
public final class RabbitBroker implements AutoCloseable {
    private static final Path SERVER = Path.of("/usr/lib/rabbitmq/bin/rabbitmq-server");
    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);
    private static final String ADMIN = "jtrove-admin";
    /** The kernel's clock ticks per second (USER_HZ), 100 on Linux for x86 and ARM. */
    private static final long CLOCK_TICKS = 100;
    private final Path dir;
    private final boolean tls;
    private final String nodeName;
    private final String adminPassword;
    private final int amqpPort;
    private final int amqpsPort;
    private final int managementPort;
    private final int epmdPort;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private Process launcher;
    private Process watchdog;
    private Process epmd;

    private RabbitBroker(boolean tls) throws IOException {
        this.tls = tls;
        this.dir = Files.createTempDirectory("jtrove-rabbit-");
        String token = HexFormat.of().formatHex(random(4));
        this.nodeName = "jtrove-" + token + "@localhost";
        this.adminPassword = Base64.getUrlEncoder().withoutPadding().encodeToString(random(18));
        this.amqpPort = freePort();
        this.amqpsPort = freePort();
        this.managementPort = freePort();
        this.epmdPort = freePort();
    }

    /** Starts a broker with plain AMQP and the management API. */
    public static RabbitBroker start() {
        return launch(false);
    }

    /** Starts a broker that also listens for AMQPS ({@link #tlsConfig()}) with a CA made for it. */
    public static RabbitBroker startTls() {
        return launch(true);
    }

    private static RabbitBroker launch(boolean tls) {
        RabbitBroker b = null;
        try {
            b = new RabbitBroker(tls);
            b.configure();
            b.startWatchdog();
            b.startEpmd();
            b.boot();
            b.deleteUser("guest");
            return b;
        } catch (IOException | RuntimeException e) {
            if (b != null) {
                b.close();
            }
            throw new IllegalStateException("could not start a private RabbitMQ broker: " + e.getMessage(), e);
        }
    }

    // ---- what a test needs ----------------------------------------------------------------------------------

    /** Messaging settings reaching this broker as its administrator over plain AMQP. */
    public MessagingConfig config() {
        return MessagingConfig.from(Map.of(
                MessagingConfig.Key.TRANSPORT_URL.path(), transportUrl(ADMIN, adminPassword, amqpPort),
                MessagingConfig.Key.MANAGEMENT_URL.path(), "http://127.0.0.1:" + managementPort));
    }

    /** The same over TLS, with this broker's CA and a client certificate. */
    public MessagingConfig tlsConfig() {
        if (!tls) {
            throw new IllegalStateException("this broker was started without TLS; use RabbitBroker.startTls()");
        }
        return MessagingConfig.from(Map.of(
                MessagingConfig.Key.TRANSPORT_URL.path(), transportUrl(ADMIN, adminPassword, amqpsPort),
                MessagingConfig.Key.MANAGEMENT_URL.path(), "http://127.0.0.1:" + managementPort,
                MessagingConfig.Key.SSL.path(), "true",
                MessagingConfig.Key.SSL_CA_FILE.path(), tlsFile("ca.pem").toString(),
                MessagingConfig.Key.SSL_CERT_FILE.path(), tlsFile("client.pem").toString(),
                MessagingConfig.Key.SSL_KEY_FILE.path(), tlsFile("client.key").toString()));
    }

    /** Settings with other values on top of {@link #config()} (keys as {@link MessagingConfig.Key#path()}). */
    public MessagingConfig config(Map<String, String> overrides) {
        Map<String, String> values = new HashMap<>(Map.of(
                MessagingConfig.Key.TRANSPORT_URL.path(), transportUrl(ADMIN, adminPassword, amqpPort),
                MessagingConfig.Key.MANAGEMENT_URL.path(), "http://127.0.0.1:" + managementPort));
        values.putAll(overrides);
        return MessagingConfig.from(values);
    }

    /** A transport URL for another broker user (a guest's). */
    public String transportUrl(String user, String password) {
        return transportUrl(user, password, amqpPort);
    }

    private static String transportUrl(String user, String password, int port) {
        return new TransportUrl(List.of(new TransportUrl.Host("127.0.0.1", port)), user, password, "/").format();
    }

    public int amqpPort() {
        return amqpPort;
    }

    /** The port of the broker's own epmd (Erlang's port mapper), on 127.0.0.1. */
    public int epmdPort() {
        return epmdPort;
    }

    /** The directory holding the broker's configuration, data and logs (gone after {@link #close()}). */
    public Path directory() {
        return dir;
    }

    public int managementPort() {
        return managementPort;
    }

    /** A file of the TLS material: ca.pem, server.pem, server.key, client.pem, client.key. */
    public Path tlsFile(String name) {
        return dir.resolve("tls").resolve(name);
    }

    /** GET on the management API as the administrator, e.g. {@code /api/queues}. */
    public JsonNode management(String path) {
        HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + path))
                .GET());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("GET " + path + " answered " + r.statusCode() + ": " + r.body());
        }
        return Json.parse(r.body());
    }

    /** Names of the broker's users. */
    public List<String> users() {
        List<String> names = new ArrayList<>();
        management("/api/users").forEach(u -> names.add(u.get("name").asText()));
        return names;
    }

    /** Names of the queues of the default virtual host. */
    public List<String> queues() {
        List<String> names = new ArrayList<>();
        management("/api/queues/%2F").forEach(q -> names.add(q.get("name").asText()));
        return names;
    }

    /** Messages ready in a queue (the management API's figure, refreshed every few seconds). */
    public int ready(String queue) {
        return management("/api/queues/%2F/" + queue).path("messages_ready").asInt();
    }

    /**
     * Closes, from the broker's side, the connections of the channels the filter picks (from {@code /api/channels},
     * e.g. those holding unacknowledged messages); returns how many connections were closed.
     */
    public int closeConnections(Predicate<JsonNode> channelFilter) {
        Set<String> names = new HashSet<>();
        management("/api/channels").forEach(ch -> {
            if (channelFilter.test(ch)) {
                names.add(ch.path("connection_details").path("name").asText());
            }
        });
        for (String name : names) {
            send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + "/api/connections/"
                    + URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20"))).DELETE());
        }
        return names.size();
    }

    private void deleteUser(String user) {
        HttpResponse<String> r = send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + managementPort + "/api/users/" + user)).DELETE());
        if (r.statusCode() != 204 && r.statusCode() != 404) {
            throw new IllegalStateException("deleting user " + user + " answered " + r.statusCode());
        }
    }

    private HttpResponse<String> send(HttpRequest.Builder request) {
        String auth = Base64.getEncoder().encodeToString((ADMIN + ":" + adminPassword).getBytes(StandardCharsets.UTF_8));
        try {
            return http.send(request.header("Authorization", "Basic " + auth).timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException("management API: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** CPU time the broker's Erlang VM has used so far (user + system, from /proc), for benchmarks. */
    public Duration cpuTime() {
        long pid = brokerPid().orElseThrow(() -> new IllegalStateException("the broker is not running"));
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);   // utime, stime (fields 14 and 15)
            return Duration.ofMillis(ticks * 1000 / CLOCK_TICKS);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the broker's CPU time: " + e.getMessage(), e);
        }
    }

    // ---- faults ---------------------------------------------------------------------------------------------

    /** Kills the broker with SIGKILL (no clean shutdown); its data stays for {@link #restart()}. */
    public void kill() {
        brokerPid().flatMap(ProcessHandle::of).ifPresent(p -> {
            List<ProcessHandle> children = p.descendants().toList();
            p.destroyForcibly();
            p.onExit().join();
            children.forEach(c -> {
                c.destroyForcibly();
                c.onExit().join();
            });
        });
        waitForLauncher();
    }

    /** Stops the broker cleanly (SIGTERM); its data stays for {@link #restart()}. */
    public void stop() {
        brokerPid().flatMap(ProcessHandle::of).ifPresent(p -> {
            p.destroy();
            try {
                p.onExit().get(60, TimeUnit.SECONDS);
            } catch (Exception e) {
                p.destroyForcibly();
            }
        });
        waitForLauncher();
    }

    /** Starts the broker again on the same ports with the same data (after {@link #stop()} or {@link #kill()}). */
    public void restart() {
        try {
            Files.deleteIfExists(dir.resolve("pid"));
            boot();
        } catch (IOException e) {
            throw new IllegalStateException("restarting the broker: " + e.getMessage(), e);
        }
    }

    // ---- life -----------------------------------------------------------------------------------------------

    private void configure() throws IOException {
        Files.createDirectories(dir.resolve("home"));
        Files.createDirectories(dir.resolve("mnesia"));
        Files.createDirectories(dir.resolve("log"));
        Files.writeString(dir.resolve("enabled_plugins"), "[rabbitmq_management].\n");
        Files.writeString(dir.resolve("rabbitmq-env.conf"), "");
        StringBuilder conf = new StringBuilder()
                .append("listeners.tcp.1 = 127.0.0.1:").append(amqpPort).append('\n')
                .append("management.tcp.ip = 127.0.0.1\n")
                .append("management.tcp.port = ").append(managementPort).append('\n')
                .append("default_user = ").append(ADMIN).append('\n')
                .append("default_pass = ").append(adminPassword).append('\n')
                .append("default_user_tags.administrator = true\n")
                .append("loopback_users = none\n")
                .append("log.console = false\n")
                .append("log.file.level = info\n");
        if (tls) {
            makeCertificates();
            conf.append("listeners.ssl.1 = 127.0.0.1:").append(amqpsPort).append('\n')
                    .append("ssl_options.cacertfile = ").append(tlsFile("ca.pem")).append('\n')
                    .append("ssl_options.certfile = ").append(tlsFile("server.pem")).append('\n')
                    .append("ssl_options.keyfile = ").append(tlsFile("server.key")).append('\n')
                    .append("ssl_options.verify = verify_peer\n")
                    .append("ssl_options.fail_if_no_peer_cert = true\n");
        }
        Files.writeString(dir.resolve("rabbitmq.conf"), conf);
    }

    /** A CA, a server certificate for localhost and 127.0.0.1, and a client certificate, all made with openssl. */
    private void makeCertificates() throws IOException {
        Path t = Files.createDirectories(dir.resolve("tls"));
        run(t, "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=jtrove test CA",
                "-keyout", "ca.key", "-out", "ca.pem");
        Files.writeString(t.resolve("server.ext"), "subjectAltName=DNS:localhost,IP:127.0.0.1\n");
        for (String who : new String[] {"server", "client"}) {
            run(t, "openssl", "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=jtrove test " + who,
                    "-keyout", who + ".key", "-out", who + ".csr");
            List<String> sign = new ArrayList<>(List.of("openssl", "x509", "-req", "-in", who + ".csr", "-CA", "ca.pem",
                    "-CAkey", "ca.key", "-CAcreateserial", "-days", "2", "-out", who + ".pem"));
            if (who.equals("server")) {
                sign.addAll(List.of("-extfile", "server.ext"));
            }
            run(t, sign.toArray(new String[0]));
        }
    }

    private static void run(Path cwd, String... command) throws IOException {
        Process p = new ProcessBuilder(command).directory(cwd.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (p.waitFor() != 0) {
                throw new IOException(String.join(" ", command) + " failed: " + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    /** Kills the broker, its epmd and the directory once this JVM is gone, however it ended. */
    private void startWatchdog() throws IOException {
        String script = "while kill -0 " + ProcessHandle.current().pid() + " 2>/dev/null && [ -d '" + dir + "' ];"
                + " do sleep 1; done; " + cleanupScript();
        watchdog = new ProcessBuilder("setsid", "bash", "-c", script)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectErrorStream(true).start();
    }

    /** Kills the broker, then its epmd (until it is gone), then removes the directory. */
    private String cleanupScript() {
        String epmd = "ERL_EPMD_PORT=" + epmdPort + " epmd";
        return "[ -f '" + dir + "/pid' ] && kill -9 \"$(cat '" + dir + "/pid')\" 2>/dev/null;"
                + " for i in $(seq 40); do " + epmd + " -names >/dev/null 2>&1 || break; " + epmd + " -kill"
                + " >/dev/null 2>&1; sleep 0.25; done; rm -rf '" + dir + "'";
    }

    /**
     * An epmd of this broker's own, in the foreground so this JVM can wait for its end; {@code epmd -kill} stops
     * it even while a node is registered.
     */
    private void startEpmd() throws IOException {
        ProcessBuilder pb = new ProcessBuilder("epmd", "-relaxed_command_check")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("ERL_EPMD_PORT", String.valueOf(epmdPort));
        pb.environment().put("ERL_EPMD_ADDRESS", "127.0.0.1");
        epmd = pb.start();
    }

    private void boot() throws IOException {
        ProcessBuilder pb = new ProcessBuilder(SERVER.toString()).directory(dir.toFile())
                .redirectErrorStream(true).redirectOutput(dir.resolve("log").resolve("launcher.log").toFile());
        Map<String, String> env = pb.environment();
        env.clear();
        env.put("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
        env.put("LANG", "C.UTF-8");
        env.put("HOME", dir.resolve("home").toString());
        env.put("RABBITMQ_NODENAME", nodeName);
        env.put("RABBITMQ_NODE_IP_ADDRESS", "127.0.0.1");
        env.put("RABBITMQ_NODE_PORT", String.valueOf(amqpPort));
        env.put("RABBITMQ_DIST_PORT", String.valueOf(freePort()));
        env.put("ERL_EPMD_PORT", String.valueOf(epmdPort));
        env.put("ERL_EPMD_ADDRESS", "127.0.0.1");
        env.put("RABBITMQ_CONFIG_FILE", dir.resolve("rabbitmq.conf").toString());
        env.put("RABBITMQ_ADVANCED_CONFIG_FILE", dir.resolve("advanced.config").toString());
        env.put("RABBITMQ_CONF_ENV_FILE", dir.resolve("rabbitmq-env.conf").toString());
        env.put("RABBITMQ_ENABLED_PLUGINS_FILE", dir.resolve("enabled_plugins").toString());
        env.put("RABBITMQ_MNESIA_BASE", dir.resolve("mnesia").toString());
        env.put("RABBITMQ_LOG_BASE", dir.resolve("log").toString());
        env.put("RABBITMQ_PID_FILE", dir.resolve("pid").toString());
        env.put("RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS", "-kernel inet_dist_use_interface {127,0,0,1}");
        launcher = pb.start();
        Instant deadline = Instant.now().plus(START_TIMEOUT);
        while (!answers()) {
            if (!launcher.isAlive() || Instant.now().isAfter(deadline)) {
                throw new IllegalStateException("the broker did not come up ("
                        + (launcher.isAlive() ? "timeout" : "exit " + launcher.exitValue()) + "); log:\n" + logTail());
            }
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while the broker started", e);
            }
        }
    }

    private boolean answers() {
        try {
            return brokerPid().isPresent() && send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + managementPort + "/api/overview")).GET()).statusCode() == 200;
        } catch (IllegalStateException e) {
            return false;
        }
    }

    private String logTail() {
        StringBuilder b = new StringBuilder();
        try (Stream<Path> logs = Files.list(dir.resolve("log"))) {
            for (Path p : logs.filter(Files::isRegularFile).toList()) {
                List<String> lines = Files.readAllLines(p);
                b.append("== ").append(p.getFileName()).append('\n')
                        .append(String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size())))
                        .append('\n');
            }
        } catch (IOException e) {
            b.append("(no log: ").append(e.getMessage()).append(')');
        }
        return b.toString();
    }

    private Optional<Long> brokerPid() {
        try {
            String text = Files.readString(dir.resolve("pid")).trim();
            return text.isEmpty() ? Optional.empty() : Optional.of(Long.parseLong(text));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    private void waitForLauncher() {
        if (launcher != null) {
            try {
                if (!launcher.waitFor(30, TimeUnit.SECONDS)) {
                    launcher.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Kills the broker and its epmd and removes every file it wrote. */
    @Override
    public void close() {
        kill();
        if (launcher != null) {
            launcher.destroyForcibly();
        }
        try {
            Process p = new ProcessBuilder("bash", "-c", cleanupScript()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            p.waitFor(30, TimeUnit.SECONDS);
        } catch (IOException e) {
            deleteTree(dir);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Process p : new Process[] {epmd, watchdog}) {
            if (p != null) {
                p.destroyForcibly();
                try {
                    p.waitFor(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // nothing more to do
        }
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("no free port: " + e.getMessage(), e);
        }
    }

    private static byte[] random(int n) {
        byte[] b = new byte[n];
        new SecureRandom().nextBytes(b);
        return b;
    }
}
