package org.jtrove.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.jtrove.bus.InProcessBus;
import org.jtrove.bus.RequestIds;
import org.jtrove.bus.Topics;
import org.jtrove.model.InstanceTask;
import org.jtrove.model.TaskType;
import org.jtrove.store.DatastoreRecord;
import org.jtrove.store.DatastoreVersionRecord;
import org.jtrove.store.InstanceRecord;
import org.jtrove.store.MetadataStore;
import org.jtrove.store.TaskRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The API's request id goes with the bus messages a request causes, and is set around their handlers. */
class RequestIdTest {
    @TempDir
    Path dir;

    @Test
    void theRequestIdOfAnApiRequestReachesTheGuestAgentsHandler() throws Exception {
        try (MetadataStore store = MetadataStore.embedded(dir, org.jtrove.store.SecretBox.ephemeral()); InProcessBus bus = new InProcessBus()) {
            DatastoreRecord ds = store.datastores.upsertDatastore("postgresql", "postgresql");
            DatastoreVersionRecord v = store.datastores.upsertVersion(ds.id(), "15", "15", "postgresql", true, "debian",
                    "/bin", "/base");
            Instant now = Instant.now();
            String id = UUID.randomUUID().toString();
            store.instances.insertWithTask(new InstanceRecord(id, "p1", "db", "1", v.id(), 1, null, null,
                    InstanceTask.NONE.name(), null, null, now, now, false, null), TaskRecord.start(TaskType.CREATE, id, Map.of()));
            AtomicReference<String> inEnvelope = new AtomicReference<>();
            AtomicReference<String> inMdc = new AtomicReference<>();
            bus.subscribe(Topics.guest(id), m -> {
                inEnvelope.set(m.envelope().requestId());
                inMdc.set(RequestIds.current());
                return List.of("db1");
            });
            ApiServer api = new ApiServer(store, bus, new ApiSettings("127.0.0.1", 0, "RegionOne", 10,
                    Duration.ofSeconds(30), "postgresql", 1L << 20, null, Map.of(), 0, 20, null, null, null), null, null).start();
            try {
                HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                        "http://127.0.0.1:" + api.port() + "/v1.0/p1/instances/" + id + "/databases")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).isEqualTo(200);
                assertThat(r.body()).contains("db1");
                String requestId = r.headers().firstValue("X-Openstack-Request-Id").orElseThrow();
                assertThat(requestId).startsWith("req-");
                assertThat(inEnvelope.get()).isEqualTo(requestId);
                assertThat(inMdc.get()).isEqualTo(requestId);
            } finally {
                api.close();
            }
        }
    }
}
