package org.jtrove.conductor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.jtrove.bus.Message;
import org.jtrove.bus.Topics;
import org.jtrove.bus.rabbitmq.GuestBrokerUsers;
import org.jtrove.bus.rabbitmq.GuestCredentials;
import org.jtrove.bus.rabbitmq.MessagingConfig;
import org.jtrove.bus.rabbitmq.RabbitBroker;
import org.jtrove.bus.rabbitmq.RabbitMqBus;
import org.jtrove.model.InstanceTask;
import org.jtrove.model.ServiceStatus;
import org.jtrove.model.TaskType;
import org.jtrove.model.guest.BackupReport;
import org.jtrove.model.guest.Heartbeat;
import org.jtrove.store.BackupRecord;
import org.jtrove.store.DatastoreRecord;
import org.jtrove.store.DatastoreVersionRecord;
import org.jtrove.store.InstanceRecord;
import org.jtrove.store.MetadataStore;
import org.jtrove.store.ServiceStatusRecord;
import org.jtrove.store.TaskRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The conductor over RabbitMQ with per-guest broker users: it takes an instance's reports only from that
 * instance's guest agent, as the broker validated it.
 */
@Tag("e2e")
class ConductorOverRabbitMqE2ETest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static RabbitBroker broker;
    private static GuestBrokerUsers users;

    @TempDir
    static Path dir;

    @BeforeAll
    static void startBroker() {
        broker = RabbitBroker.start();
        users = new GuestBrokerUsers(broker.config());
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void onlyAnInstancesOwnGuestAgentMayReportOnIt() {
        try (MetadataStore store = MetadataStore.embedded(dir, org.jtrove.store.SecretBox.ephemeral());
             RabbitMqBus control = RabbitMqBus.connect(broker.config());
             Conductor conductor = new Conductor(store, control)) {
            DatastoreRecord ds = store.datastores.upsertDatastore("postgresql", "postgresql");
            DatastoreVersionRecord v = store.datastores.upsertVersion(ds.id(), "16", "16.4", "postgresql", true,
                    "debian", "/bin", "/base");
            conductor.start();
            String a = newInstance(store, v);
            String b = newInstance(store, v);
            String backupOfB = newBackup(store, v, b);
            GuestCredentials credsA = guest(control, a);
            GuestCredentials credsB = guest(control, b);
            try (RabbitMqBus guestA = RabbitMqBus.connectGuest(guestConfig(credsA));
                 RabbitMqBus guestB = RabbitMqBus.connectGuest(guestConfig(credsB))) {
                // a guest reporting on its own instance is heard
                guestA.cast(Topics.CONDUCTOR, heartbeat(a, "healthy", 10));
                await().atMost(WAIT).until(() -> statusOf(store, a) == ServiceStatus.HEALTHY);

                // reports about another instance are dropped: the broker-validated sender is not that instance
                guestA.cast(Topics.CONDUCTOR, heartbeat(b, "failed to spawn", 20));
                guestA.cast(Topics.CONDUCTOR, Message.of("update_backup",
                        new BackupReport(b, backupOfB, "FAILED", null, null, null, null, "forged", 21)));
                // nor may the control plane's own user speak for a guest
                control.cast(Topics.CONDUCTOR, heartbeat(b, "shutdown", 22));
                // b's own agent is heard; each cast returned once the broker had it queued, and the one conductor
                // takes the queue in order, so once this report is stored the forged ones were handled
                guestB.cast(Topics.CONDUCTOR, heartbeat(b, "running", 5));
                await().atMost(WAIT).until(() -> statusOf(store, b) == ServiceStatus.RUNNING);
                guestA.cast(Topics.CONDUCTOR, heartbeat(a, "shutdown", 30));
                await().atMost(WAIT).until(() -> statusOf(store, a) == ServiceStatus.SHUTDOWN);
                assertThat(statusOf(store, b)).isEqualTo(ServiceStatus.RUNNING);
                assertThat(store.backups.find(backupOfB).orElseThrow().state()).isEqualTo("NEW");

                guestB.cast(Topics.CONDUCTOR, Message.of("update_backup",
                        new BackupReport(b, backupOfB, "BUILDING", null, null, null, null, null, 31)));
                await().atMost(WAIT).until(() -> store.backups.find(backupOfB).orElseThrow().state().equals("BUILDING"));
            } finally {
                for (String id : new String[] {a, b}) {
                    users.delete(id);
                    control.delete(Topics.guest(id));
                }
            }
            control.delete(Topics.CONDUCTOR);
        }
        assertThat(broker.users()).noneMatch(u -> u.startsWith("guestagent."));
    }

    private static GuestCredentials guest(RabbitMqBus control, String instanceId) {
        control.declare(Topics.guest(instanceId));
        return users.create(instanceId);
    }

    private static MessagingConfig guestConfig(GuestCredentials c) {
        return MessagingConfig.from(Map.of(MessagingConfig.Key.TRANSPORT_URL.path(),
                c.transportUrl(broker.config().transportUrl()).format()));
    }

    private static Message heartbeat(String instanceId, String status, double sent) {
        return Message.of("heartbeat", new Heartbeat(instanceId, status, sent));
    }

    private static ServiceStatus statusOf(MetadataStore store, String id) {
        return store.serviceStatuses.find(id).map(ServiceStatusRecord::serviceStatus).orElse(null);
    }

    private static String newInstance(MetadataStore store, DatastoreVersionRecord v) {
        Instant now = Instant.now();
        String id = UUID.randomUUID().toString();
        store.instances.insertWithTask(new InstanceRecord(id, "p1", "db-" + id.substring(0, 8), "small", v.id(), 1,
                null, null, InstanceTask.BUILDING.name(), null, null, now, now, false, null),
                TaskRecord.start(TaskType.CREATE, id, Map.of()));
        return id;
    }

    private static String newBackup(MetadataStore store, DatastoreVersionRecord v, String instanceId) {
        Instant now = Instant.now();
        String id = UUID.randomUUID().toString();
        store.backups.insertWithTask(new BackupRecord(id, "p1", "b", null, instanceId, null, v.id(), "full", "NEW",
                null, null, null, null, null, now, now, false),
                TaskRecord.start(TaskType.BACKUP, instanceId, Map.of("backup_id", id)), usage -> { });
        return id;
    }
}
