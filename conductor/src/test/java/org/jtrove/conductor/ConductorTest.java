package org.jtrove.conductor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jtrove.bus.Envelope;
import org.jtrove.bus.InProcessBus;
import org.jtrove.bus.Message;
import org.jtrove.bus.Topics;
import org.jtrove.model.InstanceTask;
import org.jtrove.model.ServiceStatus;
import org.jtrove.model.TaskType;
import org.jtrove.model.guest.Heartbeat;
import org.jtrove.store.DatastoreRecord;
import org.jtrove.store.DatastoreVersionRecord;
import org.jtrove.store.InstanceRecord;
import org.jtrove.store.MetadataStore;
import org.jtrove.store.ServiceStatusRecord;
import org.jtrove.store.TaskRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConductorTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private MetadataStore store;
    private InProcessBus bus;
    private Conductor conductor;
    private DatastoreVersionRecord version;

    @BeforeEach
    void setUp() {
        store = MetadataStore.embedded(dir, org.jtrove.store.SecretBox.ephemeral());
        DatastoreRecord ds = store.datastores.upsertDatastore("postgresql", "postgresql");
        version = store.datastores.upsertVersion(ds.id(), "16", "16.4", "postgresql", true, "debian", "/bin", "/base");
        bus = new InProcessBus();
        conductor = new Conductor(store, bus);
        conductor.start();
    }

    @AfterEach
    void tearDown() {
        if (conductor != null) {
            conductor.close();
        }
        if (bus != null) {
            bus.close();
        }
        if (store != null) {
            store.close();
        }
    }

    private String newInstance() {
        Instant now = Instant.now();
        String id = UUID.randomUUID().toString();
        InstanceRecord i = new InstanceRecord(id, "p1", "db-" + id.substring(0, 8), "small", version.id(), 1,
                null, null, InstanceTask.BUILDING.name(), null, null, now, now, false, null);
        store.instances.insertWithTask(i, TaskRecord.start(TaskType.CREATE, id, Map.of()));
        return id;
    }

    private void castHeartbeat(String instanceId, String status, double sent) {
        bus.cast(Topics.CONDUCTOR, Message.of("heartbeat", new Heartbeat(instanceId, status, sent)));
    }

    private ServiceStatus statusOf(String instanceId) {
        return store.serviceStatuses.find(instanceId).map(ServiceStatusRecord::serviceStatus).orElse(null);
    }

    /**
     * Waits until everything cast to the conductor before this call has been handled: the bus handles a topic's
     * messages in order, so once a fresh heartbeat of a separate sentinel instance shows up, earlier ones are done.
     */
    private void drain() {
        String sentinel = newInstance();
        castHeartbeat(sentinel, "healthy", 1);
        await().atMost(WAIT).until(() -> statusOf(sentinel) == ServiceStatus.HEALTHY);
    }

    @Test
    void heartbeatCastUpdatesTheServiceStatus() {
        String id = newInstance();
        assertThat(statusOf(id)).isEqualTo(ServiceStatus.NEW);

        castHeartbeat(id, "healthy", 1_700_000_000.0);
        await().atMost(WAIT).until(() -> statusOf(id) == ServiceStatus.HEALTHY);

        castHeartbeat(id, "shutdown", 1_700_000_010.0);
        await().atMost(WAIT).until(() -> statusOf(id) == ServiceStatus.SHUTDOWN);

        castHeartbeat(id, "failed to spawn", 1_700_000_020.0);
        await().atMost(WAIT).until(() -> statusOf(id) == ServiceStatus.FAILED);
    }

    @Test
    void heartbeatNeverTouchesTheTaskStatus() {
        String id = newInstance();
        castHeartbeat(id, "healthy", 10);
        await().atMost(WAIT).until(() -> statusOf(id) == ServiceStatus.HEALTHY);
        assertThat(store.instances.find(id).orElseThrow().task()).isEqualTo(InstanceTask.BUILDING);
    }

    @Test
    void outOfOrderOlderHeartbeatIsDropped() {
        String id = newInstance();
        castHeartbeat(id, "healthy", 2000.0);
        await().atMost(WAIT).until(() -> statusOf(id) == ServiceStatus.HEALTHY);

        castHeartbeat(id, "shutdown", 1999.0);   // older
        castHeartbeat(id, "crashed", 2000.0);    // same age
        drain();
        assertThat(statusOf(id)).isEqualTo(ServiceStatus.HEALTHY);

        castHeartbeat(id, "crashed", 2000.5);    // newer
        await().atMost(WAIT).until(() -> statusOf(id) == ServiceStatus.CRASHED);
    }

    @Test
    void heartbeatForUnknownInstanceChangesNothing() {
        String known = newInstance();
        castHeartbeat(known, "healthy", 5);
        await().atMost(WAIT).until(() -> statusOf(known) == ServiceStatus.HEALTHY);
        Instant knownUpdated = store.serviceStatuses.find(known).orElseThrow().updatedAt();

        String unknown = UUID.randomUUID().toString();
        castHeartbeat(unknown, "healthy", 100);
        drain();

        assertThat(store.serviceStatuses.find(unknown)).isEmpty();
        assertThat(store.instances.find(unknown)).isEmpty();
        Integer lastSeen = store.jdbi().withHandle(h -> h.createQuery(
                        "SELECT COUNT(*) FROM conductor_lastseen WHERE instance_id = :id")
                .bind("id", unknown).mapTo(Integer.class).one());
        assertThat(lastSeen).isZero();
        assertThat(statusOf(known)).isEqualTo(ServiceStatus.HEALTHY);
        assertThat(store.serviceStatuses.find(known).orElseThrow().updatedAt()).isEqualTo(knownUpdated);
    }

    @Test
    void heartbeatForDeletedInstanceIsIgnored() {
        String id = newInstance();
        store.instances.markDeleted(id);
        Optional<ServiceStatusRecord> before = store.serviceStatuses.find(id);

        castHeartbeat(id, "healthy", 100);
        drain();

        assertThat(store.serviceStatuses.find(id)).isEqualTo(before);
        assertThat(statusOf(id)).isEqualTo(ServiceStatus.NEW);
    }

    @Test
    void directHeartbeatReportsWhetherItWasStored() {
        String id = newInstance();
        assertThat(conductor.heartbeat(new Heartbeat(id, "running", 50))).isTrue();
        assertThat(statusOf(id)).isEqualTo(ServiceStatus.RUNNING);
        assertThat(conductor.heartbeat(new Heartbeat(id, "healthy", 49))).isFalse();
        assertThat(conductor.heartbeat(new Heartbeat(id, "healthy", 50))).isFalse();
        assertThat(statusOf(id)).isEqualTo(ServiceStatus.RUNNING);
        assertThat(conductor.heartbeat(new Heartbeat(id, "HEALTHY", 51))).isTrue();
        assertThat(statusOf(id)).isEqualTo(ServiceStatus.HEALTHY);
        assertThat(conductor.heartbeat(new Heartbeat(UUID.randomUUID().toString(), "healthy", 1))).isFalse();
    }

    @Test
    void unrecognisedStatusIsStoredAsUnknown() {
        String id = newInstance();
        castHeartbeat(id, "on fire", 7);
        await().atMost(WAIT).until(() -> statusOf(id) == ServiceStatus.UNKNOWN);
    }

    @Test
    void unknownMethodIsIgnoredAndTheConductorKeepsServing() {
        String id = newInstance();
        bus.cast(Topics.CONDUCTOR, Message.of("no_such_method", Map.of("instanceId", id)));
        assertThat(bus.call(Topics.CONDUCTOR, Message.of("no_such_method", Map.of()), WAIT).isNull()).isTrue();
        castHeartbeat(id, "healthy", 3);
        await().atMost(WAIT).until(() -> statusOf(id) == ServiceStatus.HEALTHY);
    }

    @Test
    void closingStopsServingTheTopic() {
        conductor.close();
        String id = newInstance();
        castHeartbeat(id, "healthy", 1);
        // a new conductor can take over the topic
        conductor = new Conductor(store, bus);
        conductor.start();
        castHeartbeat(id, "shutdown", 2);
        await().atMost(WAIT).until(() -> statusOf(id) == ServiceStatus.SHUTDOWN);
    }

    @Test
    void aBatchKeepsTheOrderingRuleAndStoresEveryInstance() {
        String a = newInstance();
        String b = newInstance();
        String deleted = newInstance();
        store.instances.markDeleted(deleted);
        conductor.heartbeat(new Heartbeat(b, "healthy", 100));
        List<Message> batch = List.of(
                heartbeatMessage(a, "running", 10),
                heartbeatMessage(a, "healthy", 12),     // newest of a
                heartbeatMessage(a, "shutdown", 11),    // older than the one before it: dropped
                heartbeatMessage(a, "crashed", 12),     // as new as the newest: the first of equals wins
                heartbeatMessage(b, "shutdown", 99),    // older than the stored one: dropped
                heartbeatMessage(deleted, "healthy", 5),
                heartbeatMessage(UUID.randomUUID().toString(), "healthy", 5),
                Message.of("heartbeat", Map.of("serviceStatus", "healthy")),   // malformed: skipped alone
                Message.of("no_such_method", Map.of()));
        assertThat(conductor.handle(batch)).hasSize(batch.size()).containsOnlyNulls();
        assertThat(statusOf(a)).isEqualTo(ServiceStatus.HEALTHY);
        assertThat(statusOf(b)).isEqualTo(ServiceStatus.HEALTHY);
        assertThat(statusOf(deleted)).isEqualTo(ServiceStatus.NEW);
        assertThat(conductor.heartbeat(new Heartbeat(a, "shutdown", 12))).isFalse();
        assertThat(conductor.heartbeat(new Heartbeat(a, "shutdown", 12.5))).isTrue();
    }

    @Test
    void manyHeartbeatsCastAtOnceAreAllStored() {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            ids.add(newInstance());
        }
        for (int round = 1; round <= 20; round++) {
            for (String id : ids) {
                castHeartbeat(id, round == 20 ? "healthy" : "running", round);
            }
        }
        await().atMost(WAIT).until(() -> ids.stream().allMatch(id -> statusOf(id) == ServiceStatus.HEALTHY));
        Integer lastSeen = store.jdbi().withHandle(h -> h.createQuery(
                "SELECT COUNT(*) FROM conductor_lastseen WHERE sent = 20").mapTo(Integer.class).one());
        assertThat(lastSeen).isEqualTo(50);
    }

    @Test
    void inProcessEveryReportIsTrusted() {
        String id = newInstance();
        Message fromAnyone = heartbeatMessage(id, "healthy", 1).withEnvelope(
                new Envelope(1, "m", "someone else", Instant.now(), null));
        conductor.handle(List.of(fromAnyone));
        assertThat(statusOf(id)).isEqualTo(ServiceStatus.HEALTHY);
    }

    private static Message heartbeatMessage(String instanceId, String status, double sent) {
        return Message.of("heartbeat", new Heartbeat(instanceId, status, sent));
    }

    @Test
    void backupReportsOnlyMoveForwardAndOnlyForTheirOwnInstance() {
        String instance = newInstance();
        String other = newInstance();
        Instant now = Instant.now();
        String id = UUID.randomUUID().toString();
        store.backups.insertWithTask(new org.jtrove.store.BackupRecord(id, "p1", "b", null, instance, null, version.id(),
                "full", "NEW", null, null, null, null, null, now, now, false),
                TaskRecord.start(TaskType.BACKUP, instance, Map.of("backup_id", id)), usage -> { });

        conductor.updateBackup(report(other, id, "FAILED"));
        assertThat(store.backups.find(id).orElseThrow().state()).as("another instance's report").isEqualTo("NEW");
        conductor.updateBackup(report(instance, id, "BUILDING"));
        assertThat(store.backups.find(id).orElseThrow().state()).isEqualTo("BUILDING");
        conductor.updateBackup(new org.jtrove.model.guest.BackupReport(instance, id, "COMPLETED", 1234L, "file:///b",
                "ab12", "{\"start_ms\":1}", null, 2.0));
        conductor.updateBackup(report(instance, id, "BUILDING"));
        conductor.updateBackup(report(instance, id, "FAILED"));
        org.jtrove.store.BackupRecord done = store.backups.find(id).orElseThrow();
        assertThat(done.state()).as("late reports do not undo COMPLETED").isEqualTo("COMPLETED");
        assertThat(done.sizeBytes()).isEqualTo(1234L);
        assertThat(done.checksum()).isEqualTo("ab12");
        assertThat(done.meta()).contains("start_ms");
        assertThat(store.quotas.usage("p1")).containsEntry("backups", 1);
        assertThat(store.backups.chain(id)).extracting(org.jtrove.store.BackupRecord::id).containsExactly(id);
    }

    private static org.jtrove.model.guest.BackupReport report(String instance, String backup, String state) {
        return new org.jtrove.model.guest.BackupReport(instance, backup, state, null, null, null, null, "why", 1.0);
    }
}
