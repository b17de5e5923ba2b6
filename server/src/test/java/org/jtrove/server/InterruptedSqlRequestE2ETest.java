package org.jtrove.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.jtrove.server.InstanceLifecycleE2ETest.Kind;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * kill -9 of jtrove in the middle of a multi-item request: the guest agent had recorded each change's undo on disk
 * before making it, and the next jtrove (its guest agents' boot) takes back what the killed request had done, on
 * PostgreSQL (CREATE DATABASE, outside any transaction) and MariaDB. jtrove runs as a process of its own here.
 */
@Tag("e2e")
class InterruptedSqlRequestE2ETest {
    private static final Map<Kind, Integer> BATCH = Map.of(Kind.POSTGRESQL, 12, Kind.MARIADB, 600);

    private Path state;
    private int port;
    private int addressBase;
    private Process jtrove;

    @Test
    void aKilledRequestIsUndoneByTheNextBoot() throws Exception {
        state = TestServers.stateDir("killsql");
        addressBase = TestServers.config(state).addressBase();
        port = freePort();
        ApiClient api = new ApiClient(port, "project-kill");
        Map<Kind, String> ids = new EnumMap<>(Kind.class);
        try {
            startJtrove();
            Map<Kind, String> ips = new EnumMap<>(Kind.class);
            Map<Kind, String> roots = new EnumMap<>(Kind.class);
            for (Kind kind : Kind.values()) {
                ids.put(kind, api.post("/instances", "{\"instance\": {\"name\": \"k\", \"flavorRef\": \"1\", \"volume\":"
                        + " {\"size\": 1}, \"datastore\": {\"type\": \"" + kind.type + "\", \"version\": \""
                        + kind.version + "\"}}}").body().at("/instance/id").asText());
            }
            for (Kind kind : Kind.values()) {
                ips.put(kind, SqlInstances.awaitActive(api, ids.get(kind)).path("ip").get(0).asText());
                roots.put(kind, api.post("/instances/" + ids.get(kind) + "/root", null).body().at("/user/password").asText());
            }

            // MariaDB's long batch first; PostgreSQL's then starts, and jtrove is killed as soon as that has made its
            // first database, while both requests are part-way
            List<CompletableFuture<ApiClient.Response>> requests = new ArrayList<>();
            for (Kind kind : List.of(Kind.MARIADB, Kind.POSTGRESQL)) {
                String body = IntStream.range(0, BATCH.get(kind)).mapToObj(i -> "{\"name\": \"kill_" + i + "\"}")
                        .collect(Collectors.joining(", ", "{\"databases\": [", "]}"));
                requests.add(CompletableFuture.supplyAsync(() -> api.post("/instances/" + ids.get(kind) + "/databases", body)));
                await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(2))
                        .until(() -> batchOnServer(kind, ips.get(kind), roots.get(kind)).contains("kill_0"));
            }
            assertThat(requests).as("both requests still running").noneMatch(CompletableFuture::isDone);
            jtrove.destroyForcibly().waitFor();   // SIGKILL: no shutdown hook, no clean-up
            // the client learns of the lost connection a moment later: wait for each answer that never comes
            requests.forEach(r -> assertThatThrownBy(r::join).isInstanceOf(CompletionException.class));
            for (Kind kind : Kind.values()) {
                List<String> half = batchOnServer(kind, ips.get(kind), roots.get(kind));
                assertThat(half).as("killed part-way").contains("kill_0").doesNotContain("kill_" + (BATCH.get(kind) - 1));
                assertThat(journal(ids.get(kind))).as("the undo journal survived the kill").exists();
            }

            startJtrove();
            for (Kind kind : Kind.values()) {
                SqlInstances.awaitActive(api, ids.get(kind));
                await().atMost(Duration.ofSeconds(60)).until(() -> !Files.exists(journal(ids.get(kind))));
                assertThat(batchOnServer(kind, ips.get(kind), roots.get(kind))).as("nothing of the killed request is left")
                        .isEmpty();
                assertThat(api.get("/instances/" + ids.get(kind) + "/databases").body().path("databases")).isEmpty();
            }
        } finally {
            // the instances' servers outlive a killed jtrove: a jtrove adopts and deletes them, whatever failed
            try {
                if (!ids.isEmpty()) {
                    if (jtrove == null || !jtrove.isAlive()) {
                        startJtrove();
                    }
                    ids.values().forEach(id -> api.delete("/instances/" + id));
                    await().atMost(Duration.ofSeconds(60)).until(() -> ids.values().stream()
                            .allMatch(id -> api.get("/instances/" + id).status() == 404));
                }
            } finally {
                if (jtrove != null && jtrove.isAlive()) {
                    jtrove.destroy();
                    jtrove.waitFor();
                }
            }
        }
    }

    /** jtrove as its own process (this test's classpath), on this test's state directory and port. */
    private void startJtrove() throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        ProcessBuilder pb = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                "org.jtrove.server.Main", "server", "--state-dir", state.toString(), "--port", Integer.toString(port),
                "--bind", "127.0.0.1");
        pb.environment().put("JTROVE_AUTH", "noauth");
        pb.environment().put("JTROVE_RATE_LIMIT_PER_MINUTE", "0");
        pb.environment().put("JTROVE_ADDRESS_BASE", Integer.toString(addressBase));
        File log = state.resolveSibling("jtrove.log").toFile();
        jtrove = pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log)).start();
        ApiClient api = new ApiClient(port, "project-kill");
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200)).until(() -> {
            assertThat(jtrove.isAlive()).as("jtrove exited; see " + log).isTrue();
            try {
                return api.get("/flavors").status() == 200;
            } catch (IllegalStateException e) {
                return false;
            }
        });
    }

    private Path journal(String id) {
        return state.resolve("instances").resolve(id).resolve("agent/sql-undo.json");
    }

    private static List<String> batchOnServer(Kind kind, String ip, String rootPassword) throws SQLException {
        return SqlInstances.query(kind, ip, "root", rootPassword,
                kind == Kind.POSTGRESQL ? "SELECT datname FROM pg_database" : "SHOW DATABASES").stream()
                .filter(name -> name.startsWith("kill_")).toList();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
