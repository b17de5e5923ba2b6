package org.jtrove.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** What the replica tests share: killing a server, ejecting its instance, and deleting replica sets. */
final class ReplicaTests {
    private ReplicaTests() {}

    /** The pid of the instance's database server, from its agent's pid file under the state directory. */
    static long serverPid(Path state, String id) throws Exception {
        return Long.parseLong(Files.readString(state.resolve("instances").resolve(id).resolve("agent")
                .resolve("server.pid")).strip());
    }

    /** kill -9 of the instance's database server. */
    static void killServer(Path state, String id) throws Exception {
        assertThat(new ProcessBuilder("kill", "-9", Long.toString(serverPid(state, id))).start().waitFor()).isZero();
    }

    /**
     * Asks eject_replica_source of {@code source} until it is accepted (once its guest agent reported its server
     * down), waits until every one of {@code replicas} is ACTIVE and exactly one of them is a source; returns that one.
     */
    static String ejectAndAwaitNewSource(ApiClient api, String source, List<String> replicas) {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() ->
                api.post("/instances/" + source + "/action", "{\"eject_replica_source\": {}}").status() == 202);
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).until(() -> replicas.stream()
                .map(r -> api.get("/instances/" + r).body().path("instance"))
                .allMatch(r -> "ACTIVE".equals(r.path("status").asText()))
                && replicas.stream().filter(r -> !api.get("/instances/" + r).body().path("instance").has("replica_of"))
                .count() == 1);
        return replicas.stream().filter(r -> !api.get("/instances/" + r).body().path("instance")
                .has("replica_of")).findFirst().orElseThrow();
    }

    /** Deletes every instance of the api's project, replicas first (a source with replicas is not deleted). */
    static void deleteAll(ApiClient api) {
        await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofSeconds(1)).until(() -> {
            JsonNode left = api.get("/instances").body().path("instances");
            for (JsonNode i : left) {
                if (!i.has("replicas")) {
                    api.delete("/instances/" + i.path("id").asText());
                }
            }
            return left.isEmpty();
        });
    }
}
