package org.jtrove.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jtrove.server.AllInOne;
import org.jtrove.server.JtroveConfig;

/**
 * Backup benchmark: a PostgreSQL 15 instance loaded with pgbench to about {@code --size-mb} MB; jtrove's full backup
 * (POST /backups to COMPLETED) and restore (POST /instances with restorePoint to ACTIVE) against, in the same run,
 * a raw copy of the same data directory ({@code cp -a}) and a compressed copy ({@code tar | zstd -3}) and their
 * reverse. Prints the times, the ratios, the stored size and the JVM's peak heap during each operation; checks the
 * restored data against the source. Usage: {@code BackupBench [--size-mb=N]} (root, Debian postgresql + zstd).
 */
public final class BackupBench {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final String api;

    private BackupBench(String api) {
        this.api = api;
    }

    public static void main(String[] args) {
        int sizeMb = 1000;
        for (String a : args) {
            if (a.startsWith("--size-mb=")) {
                sizeMb = Integer.parseInt(a.substring(10));
            } else {
                System.err.println("usage: BackupBench [--size-mb=N]");
                System.exit(2);
            }
        }
        Path root = null;
        try {
            root = Files.createTempDirectory(Path.of("/tmp"), "jtrove-bench-backup-");
            Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
            run(root, sizeMb);
            Commands.exec("rm", "-rf", root.toString());
            System.exit(0);
        } catch (Throwable e) {
            System.err.println("BENCHMARK FAILED: " + e);
            e.printStackTrace();
            System.err.println("(files left in " + root + ")");
            System.exit(1);
        }
    }

    private static void run(Path root, int sizeMb) throws Exception {
        Path state = root.resolve("state");
        JtroveConfig config = JtroveConfig.defaults().with("state_dir", state.toString()).with("port", 0)
                .with("bind_host", "127.0.0.1").with("address_base", 24).with("auth", "noauth")
                .with("rate_limit_per_minute", 0);
        try (AllInOne server = new AllInOne(config)) {
            BackupBench bench = new BackupBench("http://127.0.0.1:" + server.port() + "/v1.0/bench");
            String source = bench.createActive("{\"instance\": {\"name\": \"source\", \"flavorRef\": \"2\","
                    + " \"volume\": {\"size\": 10}, \"datastore\": {\"type\": \"postgresql\", \"version\": \"15\"}}}");
            String ip = bench.get("/instances/" + source).at("/instance/ip/0").asText();
            String password = bench.post("/instances/" + source + "/root", "{}").at("/user/password").asText();
            int scale = Math.max(1, sizeMb / 15);
            long t = System.nanoTime();
            Commands.execEnv(Map.of("PGPASSWORD", password), "/usr/lib/postgresql/15/bin/pgbench", "-i",
                    "-q", "-s", Integer.toString(scale), "-h", ip, "-U", "root", "postgres");
            long loadMs = ms(t);
            try (Connection c = pg(ip, password)) {
                c.createStatement().execute("CHECKPOINT");
            }
            String before = fingerprint(ip, password);
            long dbBytes;
            try (Connection c = pg(ip, password); ResultSet rs = c.createStatement().executeQuery(
                    "SELECT pg_database_size('postgres')")) {
                rs.next();
                dbBytes = rs.getLong(1);
            }
            Path data = state.resolve("instances").resolve(source).resolve("data");
            long dataBytes = Long.parseLong(Commands.exec("du", "-sb", data.toString()).split("\\s+")[0]);

            Path raw = root.resolve("raw-copy");
            t = System.nanoTime();
            Commands.exec("cp", "-a", data.toString(), raw.toString());
            long rawCopyMs = ms(t);
            Path zst = root.resolve("data.tar.zst");
            t = System.nanoTime();
            Commands.exec("sh", "-c", "tar -C " + data + " -cf - . | zstd -q -3 -T0 -o " + zst);
            long zstdMs = ms(t);

            resetPeaks();
            t = System.nanoTime();
            String backupId = bench.post("/backups", "{\"backup\": {\"name\": \"bench\", \"instance\": \"" + source + "\"}}")
                    .at("/backup/id").asText();
            JsonNode backup = bench.await("/backups/" + backupId, "/backup/status", "COMPLETED", Duration.ofMinutes(30));
            long backupMs = ms(t);
            long backupHeap = peakHeap();

            Path rawBack = root.resolve("raw-back");
            t = System.nanoTime();
            Commands.exec("cp", "-a", raw.toString(), rawBack.toString());
            long rawRestoreMs = ms(t);
            Path unzst = root.resolve("unzst");
            Files.createDirectories(unzst);
            t = System.nanoTime();
            Commands.exec("sh", "-c", "zstd -q -d -T0 -c " + zst + " | tar -C " + unzst + " -xf -");
            long unzstdMs = ms(t);

            resetPeaks();
            t = System.nanoTime();
            String restored = bench.createActive("{\"instance\": {\"name\": \"restored\", \"flavorRef\": \"2\","
                    + " \"volume\": {\"size\": 10}, \"restorePoint\": {\"backupRef\": \"" + backupId + "\"}}}");
            long restoreMs = ms(t);
            long restoreHeap = peakHeap();
            String rip = bench.get("/instances/" + restored).at("/instance/ip/0").asText();
            String after = fingerprint(rip, password);
            if (!before.equals(after)) {
                throw new IllegalStateException("restored data differs: " + before + " vs " + after);
            }

            long maxHeap = Runtime.getRuntime().maxMemory();
            System.out.printf("%nbackup benchmark: PostgreSQL 15, pgbench scale %d: database %d MB, data directory %d MB"
                    + " with WAL (load took %.1f s)%n", scale, dbBytes >> 20, dataBytes >> 20, loadMs / 1000.0);
            System.out.printf("stored backup %.1f MB (zstd -3 + AES-GCM), tar|zstd -3 baseline %d MB; JVM max heap %d MB%n",
                    backup.at("/backup/size").asDouble() * 1000, Files.size(zst) >> 20, maxHeap >> 20);
            System.out.println("operation   jtrove ms   cp -a ms   ratio   tar|zstd ms   ratio   peak heap MB");
            System.out.printf("backup     %9d  %9d  %6.2f  %11d  %6.2f  %12d%n", backupMs, rawCopyMs,
                    (double) backupMs / rawCopyMs, zstdMs, (double) backupMs / zstdMs, backupHeap >> 20);
            System.out.printf("restore    %9d  %9d  %6.2f  %11d  %6.2f  %12d%n", restoreMs, rawRestoreMs,
                    (double) restoreMs / rawRestoreMs, unzstdMs, (double) restoreMs / unzstdMs, restoreHeap >> 20);
            System.out.println("(restore = POST /instances with restorePoint until ACTIVE: unpack, recovery and start;"
                    + " restored data verified: " + after + ")");
            bench.delete("/instances/" + restored);
            bench.delete("/instances/" + source);
            bench.await("/instances/" + source, null, null, Duration.ofMinutes(2));
        }
    }

    private static String fingerprint(String ip, String password) throws Exception {
        try (Connection c = pg(ip, password); ResultSet rs = c.createStatement().executeQuery(
                "SELECT count(*), sum(hashtext(a::text)::bigint), (SELECT sum(bbalance) FROM pgbench_branches)"
                        + " FROM pgbench_accounts a")) {
            rs.next();
            return rs.getLong(1) + "/" + rs.getLong(2) + "/" + rs.getLong(3);
        }
    }

    private static Connection pg(String ip, String password) throws Exception {
        return DriverManager.getConnection("jdbc:postgresql://" + ip + ":5432/postgres", "root", password);
    }

    private static void resetPeaks() {
        System.gc();
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                pool.resetPeakUsage();
            }
        }
    }

    private static long peakHeap() {
        long sum = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                sum += pool.getPeakUsage().getUsed();
            }
        }
        return sum;
    }

    private static long ms(long start) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    }

    private String createActive(String body) throws Exception {
        String id = post("/instances", body).at("/instance/id").asText();
        await("/instances/" + id, "/instance/status", "ACTIVE", Duration.ofMinutes(30));
        return id;
    }

    /** Polls until the field has the value (or, with a null field, until the resource is gone). */
    private JsonNode await(String path, String field, String value, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            HttpResponse<String> r = send("GET", path, null);
            if (field == null && r.statusCode() == 404) {
                return null;
            }
            if (field != null && r.statusCode() == 200) {
                JsonNode n = JSON.readTree(r.body());
                String now = n.at(field).asText();
                if (value.equals(now)) {
                    return n;
                }
                if ("ERROR".equals(now) || "FAILED".equals(now)) {
                    throw new IllegalStateException(path + " ended " + now + ": " + r.body());
                }
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException(path + " did not reach " + value + " within " + timeout);
    }

    private JsonNode get(String path) throws Exception {
        return JSON.readTree(send("GET", path, null).body());
    }

    private JsonNode post(String path, String body) throws Exception {
        HttpResponse<String> r = send("POST", path, body);
        if (r.statusCode() >= 300) {
            throw new IllegalStateException("POST " + path + " answered " + r.statusCode() + ": " + r.body());
        }
        return JSON.readTree(r.body());
    }

    private void delete(String path) throws Exception {
        send("DELETE", path, null);
    }

    private HttpResponse<String> send(String method, String path, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(api + path)).header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
