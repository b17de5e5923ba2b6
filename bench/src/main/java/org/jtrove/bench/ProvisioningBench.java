package org.jtrove.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.jtrove.server.AllInOne;
import org.jtrove.server.JtroveConfig;
import org.jtrove.store.DatastoreVersionRecord;

/**
 * Provisioning benchmark: how long jtrove takes from POST /instances to ACTIVE, against doing the same by hand
 * (initialise a data directory, start the server, first successful {@code SELECT 1}); the two are interleaved
 * in time so that other load on the machine affects both alike. Needs root, the database
 * server packages and the OS user {@value #DB_USER}. Usage: {@code ProvisioningBench [--runs=N] [--baseline-runs=M]}.
 */
public final class ProvisioningBench {
    private static final String DB_USER = "jtrove-db";
    private static final List<String> AS_DB_USER = List.of("setpriv", "--reuid=" + DB_USER, "--regid=" + DB_USER,
            "--init-groups", "--reset-env", "--");
    private static final String PG_BIN = "/usr/lib/postgresql/15/bin/";
    private static final Duration TIMEOUT = Duration.ofMinutes(3);
    private static final long POLL_MS = 20;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final String api;

    private ProvisioningBench(String api) {
        this.api = api;
    }

    /** A datastore to measure: its jtrove name and version, and how to provision it by hand. */
    private record Target(String type, String version, ByHand byHand) {}

    private interface ByHand {
        /** Provisions in {@code dir} (owned by the database user); returns ms until the first query succeeded. */
        long run(Path dir) throws Exception;
    }

    public static void main(String[] args) {
        int runs = 10;
        int baselineRuns = 5;
        for (String a : args) {
            if (a.startsWith("--runs=")) {
                runs = Integer.parseInt(a.substring(7));
            } else if (a.startsWith("--baseline-runs=")) {
                baselineRuns = Integer.parseInt(a.substring(16));
            } else {
                runs = 0;
            }
        }
        if (runs < 1 || baselineRuns < 1) {
            System.err.println("usage: ProvisioningBench [--runs=N] [--baseline-runs=M] (N, M >= 1)");
            System.exit(2);
        }
        Path root = null;
        try {
            root = Files.createTempDirectory(Path.of("/tmp"), "jtrove-bench-");
            Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
            run(root, runs, baselineRuns);
            exec("rm", "-rf", root.toString());
            System.exit(0);
        } catch (Throwable e) {
            System.err.println("BENCHMARK FAILED: " + e);
            e.printStackTrace();
            System.err.println("(files left in " + root + ")");
            System.exit(1);
        }
    }

    private static void run(Path root, int runs, int baselineRuns) throws Exception {
        List<Target> targets = List.of(
                new Target("postgresql", "15", ProvisioningBench::postgresqlByHand),
                new Target("mariadb", "10.11", ProvisioningBench::mariadbByHand));
        Path state = root.resolve("state");
        JtroveConfig config = JtroveConfig.defaults().with("state_dir", state.toString()).with("port", 0)
                .with("bind_host", "127.0.0.1").with("address_base", 20).with("auth", "noauth").with("rate_limit_per_minute", 0);
        Path baselineDir = root.resolve("baseline");
        Files.createDirectories(baselineDir);
        String loadBefore = loadAverage();
        List<List<Long>> jtrove = new ArrayList<>();
        List<List<Long>> byHand = new ArrayList<>();
        try (AllInOne server = new AllInOne(config)) {
            ProvisioningBench bench = new ProvisioningBench("http://127.0.0.1:" + server.port() + "/v1.0/bench");
            waitForTemplates(server, state.resolve("templates"));
            for (Target t : targets) {
                List<Long> j = new ArrayList<>();
                List<Long> h = new ArrayList<>();
                // interleaved, so that load from elsewhere on the machine hits both sides alike
                int n = Math.max(runs, baselineRuns);
                for (int i = 1; i <= n; i++) {
                    if ((long) i * runs / n > (long) (i - 1) * runs / n) {
                        j.add(bench.createActiveDelete(t, i));
                    }
                    if ((long) i * baselineRuns / n > (long) (i - 1) * baselineRuns / n) {
                        Path dir = baselineDir.resolve(t.type() + "-" + i);
                        Files.createDirectories(dir);
                        exec("chown", DB_USER + ":" + DB_USER, dir.toString());
                        h.add(t.byHand().run(dir));
                        exec("rm", "-rf", dir.toString());
                    }
                }
                jtrove.add(j);
                byHand.add(h);
            }
        }
        System.out.println();
        System.out.println("Provisioning time in ms. jtrove: POST /instances until GET shows ACTIVE (polled every "
                + POLL_MS + " ms).");
        System.out.println("By hand: initdb / mariadb-install-db + start the server + first successful JDBC SELECT 1.");
        System.out.printf("%-16s %6s %8s %8s   %6s %8s %8s   %s%n", "datastore", "jtrove", "median", "max",
                "hand", "median", "max", "jtrove/hand (median)");
        for (int d = 0; d < targets.size(); d++) {
            List<Long> j = jtrove.get(d);
            List<Long> h = byHand.get(d);
            System.out.printf("%-16s %6d %8.0f %8d   %6d %8.0f %8d   %.2f%n", targets.get(d).type() + " "
                    + targets.get(d).version(), j.size(), median(j), max(j), h.size(), median(h), max(h),
                    median(j) / median(h));
        }
        for (int d = 0; d < targets.size(); d++) {
            System.out.println(targets.get(d).type() + " runs: jtrove " + jtrove.get(d) + ", by hand " + byHand.get(d));
        }
        System.out.println("load average (1/5/15 min) before: " + loadBefore + ", after: " + loadAverage()
                + "; " + Runtime.getRuntime().availableProcessors() + " CPUs");
    }

    // ---- jtrove ----------------------------------------------------------------------------------------------

    /** Creates an instance, returns ms until it is ACTIVE, then deletes it and waits until it is gone. */
    private long createActiveDelete(Target t, int n) throws Exception {
        Map<String, Object> body = Map.of("instance", Map.of("name", "b" + n, "flavorRef", "1",
                "volume", Map.of("size", 1), "datastore", Map.of("type", t.type(), "version", t.version())));
        long start = System.nanoTime();
        String id = expect(call("POST", "/instances", body), 200).path("instance").path("id").asText();
        long ms;
        try {
            ms = waitFor(id, "ACTIVE", start);
        } catch (Exception e) {
            try {
                delete(id);
            } catch (Exception d) {
                e.addSuppressed(d);
            }
            throw e;
        }
        delete(id);
        return ms;
    }

    private void delete(String id) throws Exception {
        expect(call("DELETE", "/instances/" + id, null), 202);
        waitFor(id, null, System.nanoTime());
    }

    /** Polls the instance until it has {@code status} (or, for null, is gone); fails on ERROR. Returns ms taken. */
    private long waitFor(String id, String status, long start) throws Exception {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (true) {
            HttpResponse<String> r = call("GET", "/instances/" + id, null);
            if (status == null && r.statusCode() == 404) {
                return ms(start);
            }
            JsonNode instance = expect(r, 200).path("instance");
            String now = instance.path("status").asText();
            if (now.equals(status)) {
                return ms(start);
            }
            if (now.equals("ERROR")) {
                throw new IllegalStateException("instance " + id + " (" + instance.path("datastore") + ") is in ERROR: "
                        + instance.path("fault").path("message").asText());
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("instance " + id + " is still " + now + " after " + TIMEOUT.toSeconds()
                        + " s, waiting for " + (status == null ? "it to be deleted" : status));
            }
            Thread.sleep(POLL_MS);
        }
    }

    private HttpResponse<String> call(String method, String path, Object body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(api + path)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json").header("Accept", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)))
                .build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode expect(HttpResponse<String> r, int status) throws IOException {
        if (r.statusCode() != status) {
            throw new IllegalStateException(r.request().method() + " " + r.request().uri() + ": expected " + status
                    + ", got " + r.statusCode() + " " + r.body());
        }
        return r.body().isBlank() ? JSON.nullNode() : JSON.readTree(r.body());
    }

    /** Waits until the server has initialised the template of every active datastore version (in the background). */
    private static void waitForTemplates(AllInOne server, Path templates) throws Exception {
        long count = server.store().datastores.list().stream()
                .flatMap(ds -> server.store().datastores.versions(ds.id()).stream())
                .filter(DatastoreVersionRecord::active).count();
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (readyTemplates(templates) < count) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("only " + readyTemplates(templates) + " of " + count
                        + " templates in " + templates + " are READY after " + TIMEOUT.toSeconds() + " s");
            }
            Thread.sleep(100);
        }
    }

    private static long readyTemplates(Path templates) throws IOException {
        if (!Files.isDirectory(templates)) {
            return 0;
        }
        try (Stream<Path> dirs = Files.list(templates)) {
            return dirs.filter(d -> Files.exists(d.resolve("READY"))).count();
        }
    }

    // ---- by hand ---------------------------------------------------------------------------------------------

    private static long postgresqlByHand(Path dir) throws Exception {
        Path data = dir.resolve("data");
        int port = freePort();
        long start = System.nanoTime();
        runAsDbUser(dir, PG_BIN + "initdb", "-D", data.toString(), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                "--locale=C.UTF-8");
        Process server = startAsDbUser(dir, PG_BIN + "postgres", "-D", data.toString(), "-c",
                "listen_addresses=127.0.0.1", "-c", "port=" + port, "-c", "unix_socket_directories=");
        try {
            firstQuery(server, dir, "jdbc:postgresql://127.0.0.1:" + port + "/postgres?connectTimeout=5", "postgres");
            return ms(start);
        } finally {
            stop(server);
        }
    }

    private static long mariadbByHand(Path dir) throws Exception {
        Path data = dir.resolve("data");
        int port = freePort();
        long start = System.nanoTime();
        runAsDbUser(dir, "/usr/bin/mariadb-install-db", "--no-defaults", "--datadir=" + data,
                "--auth-root-authentication-method=normal", "--skip-test-db", "--skip-name-resolve");
        Process server = startAsDbUser(dir, "/usr/sbin/mariadbd", "--no-defaults", "--datadir=" + data,
                "--port=" + port, "--bind-address=127.0.0.1", "--socket=" + data.resolve("s.sock"),
                "--pid-file=" + data.resolve("p.pid"), "--skip-name-resolve");
        try {
            firstQuery(server, dir, "jdbc:mariadb://127.0.0.1:" + port + "/?connectTimeout=5000", "root");
            return ms(start);
        } finally {
            stop(server);
        }
    }

    /** Retries every {@value #POLL_MS} ms until {@code SELECT 1} succeeds (user with an empty password). */
    private static void firstQuery(Process server, Path dir, String url, String user) throws Exception {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (true) {
            try (Connection c = DriverManager.getConnection(url, user, ""); Statement s = c.createStatement()) {
                s.execute("SELECT 1");
                return;
            } catch (SQLException e) {
                if (!server.isAlive() || System.nanoTime() > deadline) {
                    throw new IllegalStateException("no successful SELECT 1 on " + url + " (" + e.getMessage()
                            + "); server log: " + tail(dir.resolve("server.log")));
                }
                Thread.sleep(POLL_MS);
            }
        }
    }

    private static void runAsDbUser(Path dir, String... command) throws Exception {
        Process p = asDbUser(dir, "setup.log", command);
        if (!p.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException(command[0] + " did not finish within " + TIMEOUT.toSeconds() + " s");
        }
        if (p.exitValue() != 0) {
            throw new IllegalStateException(command[0] + " failed (exit " + p.exitValue() + "): "
                    + tail(dir.resolve("setup.log")));
        }
    }

    /** setpriv execs, so the returned process is the database server itself. */
    private static Process startAsDbUser(Path dir, String... command) throws IOException {
        return asDbUser(dir, "server.log", command);
    }

    private static Process asDbUser(Path dir, String log, String... command) throws IOException {
        List<String> full = new ArrayList<>(AS_DB_USER);
        full.addAll(List.of(command));
        return new ProcessBuilder(full).directory(dir.toFile()).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve(log).toFile())).start();
    }

    private static void stop(Process server) throws InterruptedException {
        server.destroy();
        if (!server.waitFor(60, TimeUnit.SECONDS)) {
            server.destroyForcibly();
            server.waitFor(10, TimeUnit.SECONDS);
        }
    }

    // ---- helpers ---------------------------------------------------------------------------------------------

    private static void exec(String... command) throws Exception {
        Commands.exec(command);
    }

    private static String loadAverage() throws IOException {
        String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
        return f[0] + " " + f[1] + " " + f[2];
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join(" | ", lines.subList(Math.max(0, lines.size() - 8), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    private static long ms(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }

    private static double median(List<Long> values) {
        List<Long> s = values.stream().sorted().toList();
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2.0;
    }

    private static long max(List<Long> values) {
        return values.stream().mapToLong(Long::longValue).max().orElse(0);
    }
}
