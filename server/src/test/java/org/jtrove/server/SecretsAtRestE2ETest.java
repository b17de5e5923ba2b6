package org.jtrove.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.jtrove.server.ApiClient.Response;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Passwords given to jtrove (users at create and later, password changes, root) never reach the metadata store's
 * files in clear: its bytes are scanned for each of them, as UTF-8 and UTF-16, while a create that carries them
 * is still running and after everything is done.
 */
@Tag("e2e")
class SecretsAtRestE2ETest {
    private static final String AT_CREATE = "Create-Secret-4711";
    private static final String ADDED_USER = "Added-Secret-0815";
    private static final String CHANGED = "Changed-Secret-2342";
    private static final String ROOT = "Root-Secret-1337";

    @Test
    void noPasswordIsWrittenToTheMetadataStoreInClear() throws Exception {
        Path state = TestServers.stateDir("secrets");
        AllInOne server = new AllInOne(TestServers.config(state));
        ApiClient api = new ApiClient(server.port(), "project-s");
        List<String> found = new ArrayList<>();
        String id;
        try {
            Response created = api.post("/instances", "{\"instance\": {\"name\": \"s\", \"flavorRef\": \"1\","
                    + " \"volume\": {\"size\": 1}, \"datastore\": {\"type\": \"postgresql\", \"version\": \"15\"},"
                    + " \"databases\": [{\"name\": \"app\"}], \"users\": [{\"name\": \"alice\", \"password\": \""
                    + AT_CREATE + "\", \"databases\": [{\"name\": \"app\"}]}]}}");
            assertThat(created.status()).as(created.raw()).isEqualTo(200);
            id = created.body().at("/instance/id").asText();
            found.addAll(scan(state, AT_CREATE));   // the create task, holding the password, is recorded now
            await().atMost(Duration.ofSeconds(120)).until(() ->
                    "ACTIVE".equals(api.get("/instances/" + id).body().at("/instance/status").asText()));

            assertThat(api.post("/instances/" + id + "/users", "{\"users\": [{\"name\": \"bob\", \"password\": \""
                    + ADDED_USER + "\"}]}").status()).isEqualTo(202);
            assertThat(api.put("/instances/" + id + "/users", "{\"users\": [{\"name\": \"alice\", \"password\": \""
                    + CHANGED + "\"}]}").status()).isEqualTo(202);
            assertThat(api.post("/instances/" + id + "/root", "{\"password\": \"" + ROOT + "\"}").status()).isEqualTo(200);
            assertThat(api.delete("/instances/" + id).status()).isEqualTo(202);
            await().atMost(Duration.ofSeconds(60)).until(() -> api.get("/instances/" + id).status() == 404);
        } finally {
            server.close();
        }
        for (String secret : List.of(AT_CREATE, ADDED_USER, CHANGED, ROOT)) {
            found.addAll(scan(state, secret));
        }
        assertThat(found).isEmpty();
    }

    /** Files of the metadata store holding {@code secret} in clear. */
    private static List<String> scan(Path state, String secret) throws Exception {
        List<byte[]> needles = List.of(secret.getBytes(StandardCharsets.UTF_8),
                secret.getBytes(StandardCharsets.UTF_16LE), secret.getBytes(StandardCharsets.UTF_16BE));
        List<String> hits = new ArrayList<>();
        try (Stream<Path> files = Files.walk(state.resolve("metadata"))) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                byte[] bytes = Files.readAllBytes(f);
                for (byte[] needle : needles) {
                    if (indexOf(bytes, needle) >= 0) {
                        hits.add(f + " holds " + secret);
                    }
                }
            }
        }
        return hits;
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
