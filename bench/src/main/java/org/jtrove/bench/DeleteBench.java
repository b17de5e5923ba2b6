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
 * Delete benchmark: DELETE /instances/{id} until GET answers 404, for servers the running jtrove started ("own")
 * and for servers a restarted jtrove adopted ("adopted"), side by side in one run. The second jtrove learns of an
 * adopted server's exit through a pidfd rather than by polling, so the ratio adopted/own should stay near 1.
 * Needs root and the database server packages. Usage: {@code DeleteBench [--runs=N]} (N instances per kind).
 */
public final class DeleteBench {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofMinutes(3);
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private String api;

    public static void main(String[] args) throws Exception {
        int runs = 5;
        for (String a : args) {
            if (a.startsWith("--runs=")) {
                runs = Integer.parseInt(a.substring(7));
            } else {
                System.err.println("usage: DeleteBench [--runs=N]");
                System.exit(2);
            }
        }
        Path root = Files.createTempDirectory(Path.of("/tmp"), "jtrove-bench-delete-");
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
        try {
            new DeleteBench().run(root.resolve("state"), runs);
        } finally {
            new ProcessBuilder("rm", "-rf", root.toString()).inheritIO().start().waitFor();
        }
        System.exit(0);
    }

    private void run(Path state, int runs) throws Exception {
        JtroveConfig config = JtroveConfig.defaults().with("state_dir", state.toString()).with("port", 0)
                .with("bind_host", "127.0.0.1").with("address_base", 21).with("auth", "noauth")
                .with("rate_limit_per_minute", 0);
        List<String[]> rows = new ArrayList<>();
        for (String[] ds : List.of(new String[] {"postgresql", "15"}, new String[] {"mariadb", "10.11"})) {
            List<String> own = new ArrayList<>();
            List<String> adopted = new ArrayList<>();
            List<Long> ownMs = new ArrayList<>();
            List<Long> adoptedMs = new ArrayList<>();
            try (AllInOne server = new AllInOne(config)) {
                api = "http://127.0.0.1:" + server.port() + "/v1.0/bench";
                for (int i = 0; i < 2 * runs; i++) {
                    (i % 2 == 0 ? own : adopted).add(create(ds[0], ds[1]));
                }
                for (String id : own) {
                    ownMs.add(delete(id));
                }
            }
            try (AllInOne server = new AllInOne(config)) {   // adopts the servers the first one left running
                api = "http://127.0.0.1:" + server.port() + "/v1.0/bench";
                for (String id : adopted) {
                    adoptedMs.add(delete(id));
                }
            }
            rows.add(new String[] {ds[0] + " " + ds[1], fmt(ownMs), fmt(adoptedMs),
                    String.format("%.2f", median(adoptedMs) / median(ownMs))});
            System.out.println(ds[0] + " delete ms: own " + ownMs + ", adopted " + adoptedMs);
        }
        System.out.println();
        System.out.println("DELETE until 404, ms (median / max over " + runs + " instances each)");
        System.out.printf("%-18s %-16s %-16s %s%n", "datastore", "own servers", "adopted servers", "adopted/own");
        for (String[] r : rows) {
            System.out.printf("%-18s %-16s %-16s %s%n", (Object[]) r);
        }
    }

    private String create(String type, String version) throws Exception {
        String body = "{\"instance\": {\"name\": \"d\", \"flavorRef\": \"1\", \"volume\": {\"size\": 1},"
                + " \"datastore\": {\"type\": \"" + type + "\", \"version\": \"" + version + "\"}}}";
        String id = JSON.readTree(send("POST", "/instances", body).body()).at("/instance/id").asText();
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (true) {
            JsonNode i = JSON.readTree(send("GET", "/instances/" + id, null).body()).path("instance");
            if ("ACTIVE".equals(i.path("status").asText())) {
                return id;
            }
            if ("ERROR".equals(i.path("status").asText()) || System.nanoTime() > deadline) {
                throw new IllegalStateException("instance " + id + " did not become ACTIVE: " + i);
            }
            Thread.sleep(20);
        }
    }

    private long delete(String id) throws Exception {
        long start = System.nanoTime();
        HttpResponse<String> r = send("DELETE", "/instances/" + id, null);
        if (r.statusCode() != 202) {
            throw new IllegalStateException("delete refused: " + r.body());
        }
        while (send("GET", "/instances/" + id, null).statusCode() != 404) {
            if (System.nanoTime() - start > TIMEOUT.toNanos()) {
                throw new IllegalStateException("instance " + id + " was not deleted in time");
            }
            Thread.sleep(5);
        }
        return (System.nanoTime() - start) / 1_000_000;
    }

    private HttpResponse<String> send(String method, String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(api + path)).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    private static double median(List<Long> xs) {
        List<Long> s = xs.stream().sorted().toList();
        return s.size() % 2 == 1 ? s.get(s.size() / 2) : (s.get(s.size() / 2 - 1) + s.get(s.size() / 2)) / 2.0;
    }

    private static String fmt(List<Long> xs) {
        return String.format("%.0f / %d", median(xs), xs.stream().mapToLong(Long::longValue).max().orElse(0));
    }
}
