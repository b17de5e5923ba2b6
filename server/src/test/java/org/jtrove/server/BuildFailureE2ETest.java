package org.jtrove.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.jtrove.guestagent.Datastores;
import org.jtrove.model.guest.ServerBuild;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Provisioning that fails, or hangs past the build deadline, ends in ERROR with a fault message: never stuck in BUILD. */
@Tag("e2e")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BuildFailureE2ETest {
    private Path state;
    private AllInOne server;
    private ApiClient api;

    @BeforeAll
    void start() throws Exception {
        state = TestServers.stateDir("buildfail");
        server = new AllInOne(TestServers.config(state).with("build_timeout_seconds", 6));
        api = new ApiClient(server.port(), "project-c");
        Registration registration = new Registration(server.store(), Datastores.builtIn(), state, null);
        registration.register("postgresql", "broken", fakeBuild("broken", "echo 'initdb: this build is broken' >&2; exit 3"), true);
        registration.register("postgresql", "hanging", fakeBuild("hanging", "sleep 30"), true);
    }

    @AfterAll
    void stop() {
        server.close();
    }

    private ServerBuild fakeBuild(String name, String initdbBody) throws Exception {
        Path bin = state.getParent().resolve("builds").resolve(name).resolve("bin");
        Files.createDirectories(bin);
        for (String tool : new String[] {"initdb", "postgres"}) {
            Path script = bin.resolve(tool);
            Files.writeString(script, "#!/bin/sh\n" + initdbBody + "\n");
            Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        for (Path p = bin; !p.equals(state.getParent()); p = p.getParent()) {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        return new ServerBuild("postgresql", name, bin.toString(), bin.getParent().toString(), "test");
    }

    @Test
    void aFailingBuildEndsInErrorWithTheReason() {
        JsonNode instance = createAndAwaitError("broken", Duration.ofSeconds(30));
        assertThat(instance.at("/fault/message").asText()).contains("this build is broken");
        assertThat(instance.at("/fault/created").asText()).isNotBlank();
        deleteErrored(instance.path("id").asText());
    }

    @Test
    void aHangingBuildEndsInErrorAtTheDeadline() {
        long start = System.nanoTime();
        JsonNode instance = createAndAwaitError("hanging", Duration.ofSeconds(30));
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(15));
        assertThat(instance.at("/fault/message").asText()).contains("did not finish within");
        deleteErrored(instance.path("id").asText());
    }

    private JsonNode createAndAwaitError(String version, Duration timeout) {
        var created = api.post("/instances", "{\"instance\": {\"name\": \"f\", \"flavorRef\": \"1\", \"volume\": {\"size\": 1},"
                + " \"datastore\": {\"type\": \"postgresql\", \"version\": \"" + version + "\"}}}");
        assertThat(created.status()).as(created.raw()).isEqualTo(200);
        String id = created.body().at("/instance/id").asText();
        JsonNode[] last = new JsonNode[1];
        await().atMost(timeout).pollInterval(Duration.ofMillis(100)).until(() -> {
            last[0] = api.get("/instances/" + id).body().path("instance");
            return "ERROR".equals(last[0].path("status").asText());
        });
        return last[0];
    }

    private void deleteErrored(String id) {
        assertThat(api.delete("/instances/" + id).status()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(60)).until(() -> api.get("/instances/" + id).status() == 404);
        assertThat(state.resolve("instances").resolve(id)).doesNotExist();
    }
}
