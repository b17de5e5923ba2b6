package org.jtrove.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

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
    private JtroveProcess jtrove;

    @Test
    void aKilledRequestIsUndoneByTheNextBoot() throws Exception {
        state = TestServers.stateDir("killsql");
        jtrove = new JtroveProcess(state, TestServers.config(state).guestAgent.addressBase(), Map.of());
        ApiClient api = new ApiClient(jtrove.port(), "project-kill");
        Map<Kind, String> ids = new EnumMap<>(Kind.class);
        try {
            jtrove.start();
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
            jtrove.kill();   // SIGKILL: no shutdown hook, no clean-up
            // the client learns of the lost connection a moment later: wait for each answer that never comes
            requests.forEach(r -> assertThatThrownBy(r::join).isInstanceOf(CompletionException.class));
            for (Kind kind : Kind.values()) {
                List<String> half = batchOnServer(kind, ips.get(kind), roots.get(kind));
                assertThat(half).as("killed part-way").contains("kill_0").doesNotContain("kill_" + (BATCH.get(kind) - 1));
                assertThat(journal(ids.get(kind))).as("the undo journal survived the kill").exists();
            }

            jtrove.start();
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
                    if (!jtrove.running()) {
                        jtrove.start();
                    }
                    ids.values().forEach(id -> api.delete("/instances/" + id));
                    await().atMost(Duration.ofSeconds(60)).until(() -> ids.values().stream()
                            .allMatch(id -> api.get("/instances/" + id).status() == 404));
                }
            } finally {
                jtrove.stop();
            }
        }
    }

    private Path journal(String id) {
        return state.resolve("instances").resolve(id).resolve("agent/sql-undo.json");
    }

    private static List<String> batchOnServer(Kind kind, String ip, String rootPassword) throws SQLException {
        return SqlInstances.query(kind, ip, "root", rootPassword,
                kind == Kind.POSTGRESQL ? "SELECT datname FROM pg_database" : "SHOW DATABASES").stream()
                .filter(name -> name.startsWith("kill_")).toList();
    }
}
