package org.jtrove.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jtrove.server.AllInOne;
import org.jtrove.server.JtroveConfig;

/**
 * Failover benchmark: a PostgreSQL primary with one replica and automatic failover, a steady write load through the
 * group's writer address ({@link WriteLoad}), then a planned switchover ({@code promote_to_replica_source}, the
 * baseline, measured the same way in the same run) and a kill -9 of the primary's server. For each: the longest
 * time without an acknowledged commit (RTO, ms) and the acknowledged commits missing on the new primary (RPO), in
 * asynchronous and synchronous replication; {@code --runs=N} groups per mode (default 10), median and max, and the
 * ratio failover/switchover. Needs root and the PostgreSQL server package. Usage: {@code FailoverBench [--runs=N]}.
 */
public final class FailoverBench {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofMinutes(3);
    static final String USER = "bench";
    static final String PASSWORD = "Bench-pw-1";
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final Path state;
    private String api;

    private FailoverBench(Path state) {
        this.state = state;
    }

    public static void main(String[] args) throws Exception {
        int runs = 10;
        for (String a : args) {
            if (a.startsWith("--runs=")) {
                runs = Integer.parseInt(a.substring(7));
            } else {
                System.err.println("usage: FailoverBench [--runs=N]");
                System.exit(2);
            }
        }
        Path root = Files.createTempDirectory(Path.of("/tmp"), "jtrove-bench-failover-");
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
        try {
            new FailoverBench(root.resolve("state")).run(runs);
        } finally {
            new ProcessBuilder("rm", "-rf", root.toString()).inheritIO().start().waitFor();
        }
        System.exit(0);
    }

    /** One mode's figures, one entry per run. */
    private record Figures(List<Long> switchoverMs, List<Long> failoverMs, List<Long> switchoverLost,
                           List<Long> failoverLost) {
        Figures() {
            this(new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        }
    }

    private void run(int runs) throws Exception {
        JtroveConfig config = JtroveConfig.defaults().with("state_dir", state.toString()).with("port", 0)
                .with("bind_host", "127.0.0.1").with("address_base", 23).with("auth", "noauth")
                .with("rate_limit_per_minute", 0);
        List<String> rows = new ArrayList<>();
        try (AllInOne server = new AllInOne(config)) {
            api = "http://127.0.0.1:" + server.port() + "/v1.0/bench";
            for (String mode : List.of("asynchronous", "synchronous")) {
                Figures f = new Figures();
                for (int i = 0; i < runs; i++) {
                    once(mode, f);
                }
                rows.add(String.format("%-13s %-18s %-18s %-12s %-14s %.2f", mode, fmt(f.switchoverMs), fmt(f.failoverMs),
                        fmt(f.switchoverLost), fmt(f.failoverLost), median(f.failoverMs) / median(f.switchoverMs)));
            }
        }
        System.out.println();
        System.out.println("PostgreSQL primary + 1 replica, steady writes through the writer address; median / max over "
                + runs + " runs");
        System.out.printf("%-13s %-18s %-18s %-12s %-14s %s%n", "replication", "switchover RTO ms", "kill -9 RTO ms",
                "switch lost", "kill -9 lost", "failover/switchover");
        rows.forEach(System.out::println);
    }

    /** One group: switchover under load, then kill -9 of the (new) primary's server; the figures of each. */
    private void once(String mode, Figures f) throws Exception {
        String primary = create("\"name\": \"primary\", \"flavorRef\": \"1\", \"volume\": {\"size\": 1},"
                + " \"datastore\": {\"type\": \"postgresql\", \"version\": \"15\"}, \"auto_failover\": true,"
                + " \"replication_mode\": \"" + mode + "\", \"databases\": [{\"name\": \"app\"}], \"users\": [{\"name\": \""
                + USER + "\", \"password\": \"" + PASSWORD + "\", \"databases\": [{\"name\": \"app\"}]}]");
        String replica = create("\"name\": \"replica\", \"replica_of\": \"" + primary + "\"");
        List<String> group = List.of(primary, replica);
        try (WriteLoad load = new WriteLoad(writerAddress(primary))) {
            load.start();
            load.awaitCommits(200);

            int mark = load.mark();
            HttpResponse<String> r = send("POST", "/instances/" + replica + "/action",
                    "{\"promote_to_replica_source\": {}}");
            if (r.statusCode() != 202) {
                throw new IllegalStateException("promote refused: " + r.body());
            }
            awaitRole(replica, primary);
            load.awaitCommitsAfter(mark, 200);
            f.switchoverMs.add(load.longestGapAfter(mark));
            f.switchoverLost.add((long) load.missingOn(address(replica)));

            mark = load.mark();
            Commands.exec("kill", "-9", Files.readString(state.resolve("instances").resolve(replica)
                    .resolve("agent/server.pid")).trim());
            load.awaitCommitsAfter(mark, 200);
            f.failoverMs.add(load.longestGapAfter(mark));
            awaitPrimary(primary);
            f.failoverLost.add((long) load.missingOn(address(primary)));
            System.out.printf("%s run: switchover %d ms, %d lost; kill -9 %d ms, %d lost (%d commits)%n", mode,
                    last(f.switchoverMs), last(f.switchoverLost), last(f.failoverMs), last(f.failoverLost),
                    load.commits());
        } finally {
            deleteAll(group);
        }
    }

    /** Deletes the group's instances: a source with replicas is refused until they are gone, so it goes round. */
    private void deleteAll(List<String> group) throws Exception {
        await(() -> {
            boolean gone = true;
            for (String id : group) {
                if (send("GET", "/instances/" + id, null).statusCode() != 404) {
                    gone = false;
                    send("DELETE", "/instances/" + id, null);
                }
            }
            if (!gone) {
                Thread.sleep(500);
            }
            return gone;
        }, "the group " + group + " deleted");
    }

    private String create(String fields) throws Exception {
        HttpResponse<String> r = send("POST", "/instances", "{\"instance\": {" + fields + "}}");
        if (r.statusCode() != 200) {
            throw new IllegalStateException("create refused: " + r.body());
        }
        String id = JSON.readTree(r.body()).at("/instance/id").asText();
        await(() -> "ACTIVE".equals(instance(id).path("status").asText()), "instance " + id + " ACTIVE");
        return id;
    }

    /** Waits until {@code primary} takes writes and {@code replica} follows it. */
    private void awaitRole(String primary, String replica) throws Exception {
        await(() -> instance(primary).path("replica_of").isMissingNode()
                && primary.equals(instance(replica).at("/replica_of/id").asText())
                && "ACTIVE".equals(instance(primary).path("status").asText()), primary + " primary of " + replica);
    }

    /** Waits until the old primary, fenced by the failover, has rejoined the group (or at least the failover ended). */
    private void awaitPrimary(String id) throws Exception {
        await(() -> instance(id).path("replica_of").isMissingNode()
                && "ACTIVE".equals(instance(id).path("status").asText()), id + " primary after the failover");
    }

    private String writerAddress(String id) throws Exception {
        for (JsonNode a : instance(id).path("addresses")) {
            if ("writer".equals(a.path("type").asText())) {
                return a.path("address").asText();
            }
        }
        throw new IllegalStateException("instance " + id + " shows no writer address: " + instance(id));
    }

    private String address(String id) throws Exception {
        return instance(id).at("/ip/0").asText();
    }

    private JsonNode instance(String id) throws Exception {
        return JSON.readTree(send("GET", "/instances/" + id, null).body()).path("instance");
    }

    private interface Condition {
        boolean holds() throws Exception;
    }

    private static void await(Condition c, String what) throws Exception {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!c.holds()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out waiting for " + what);
            }
            Thread.sleep(20);
        }
    }

    private HttpResponse<String> send(String method, String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(api + path)).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    private static long last(List<Long> xs) {
        return xs.get(xs.size() - 1);
    }

    private static double median(List<Long> xs) {
        List<Long> s = xs.stream().sorted().toList();
        return s.size() % 2 == 1 ? s.get(s.size() / 2) : (s.get(s.size() / 2 - 1) + s.get(s.size() / 2)) / 2.0;
    }

    private static String fmt(List<Long> xs) {
        return String.format("%.0f / %d", median(xs), xs.stream().mapToLong(Long::longValue).max().orElse(0));
    }
}
