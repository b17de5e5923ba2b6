package org.jtrove.bench;

import com.sun.management.OperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.jtrove.bus.InProcessBus;
import org.jtrove.bus.Message;
import org.jtrove.bus.MessageBus;
import org.jtrove.bus.Topics;
import org.jtrove.bus.rabbitmq.GuestBrokerUsers;
import org.jtrove.bus.rabbitmq.GuestCredentials;
import org.jtrove.bus.rabbitmq.MessagingConfig;
import org.jtrove.bus.rabbitmq.RabbitBroker;
import org.jtrove.bus.rabbitmq.RabbitMqBus;
import org.jtrove.conductor.Conductor;
import org.jtrove.model.InstanceTask;
import org.jtrove.model.TaskType;
import org.jtrove.model.guest.Heartbeat;
import org.jtrove.store.DatastoreRecord;
import org.jtrove.store.DatastoreVersionRecord;
import org.jtrove.store.InstanceRecord;
import org.jtrove.store.MetadataStore;
import org.jtrove.store.TaskRecord;

/**
 * Heartbeats per second one conductor stores (embedded H2 metadata store) with each report's sender checked:
 * every instance has its own broker user (made through the management API, as the taskmanager will), and its
 * heartbeats are published as that user, so the conductor compares each report's broker-validated sender with
 * its instance. The guests publish round-robin, so a batch holds many different instances, as it would with
 * hundreds of thousands of them. Measured twice: draining a queue filled beforehand, and end to end (guests
 * publishing while the conductor runs). The in-process figure (no broker, sender trusted) is the store's ceiling.
 */
final class HeartbeatBench {
    /** Guest connections open at once while publishing. */
    private static final int GROUP = 500;
    private static final int PUBLISHERS = 8;
    private static final int WARM_UP_ROUNDS = 20;
    private final RabbitBroker broker;
    private final Path tmp;
    private final int instances;
    private final int rounds;

    HeartbeatBench(RabbitBroker broker, Path tmp, int instances, int rounds) {
        this.broker = broker;
        this.tmp = tmp;
        this.instances = instances;
        this.rounds = rounds;
    }

    void run() throws Exception {
        int total = instances * rounds;
        System.out.printf("heartbeats: %d instances, each with its own broker user, x %d rounds = %d reports%n",
                instances, rounds, total);
        ExecutorService pool = Executors.newFixedThreadPool(PUBLISHERS);
        try (MetadataStore store = MetadataStore.embedded(tmp.resolve("state"), org.jtrove.store.SecretBox.ephemeral());
             RabbitMqBus control = RabbitMqBus.connect(broker.config())) {
            List<String> ids = createInstances(store);
            long t = System.nanoTime();
            List<GuestCredentials> guests = createUsers(pool, ids);
            System.out.printf("  %d broker users made in %.1f s%n", ids.size(), (System.nanoTime() - t) / 1e9);

            // warm-up, not measured: a conductor that has run a while has its code compiled and its store warm
            control.declare(Topics.CONDUCTOR);
            publish(pool, guests, 1, WARM_UP_ROUNDS);
            try (Conductor conductor = new Conductor(store, control)) {
                conductor.start();
                awaitAllAt(store, WARM_UP_ROUNDS);
            }

            // drain: the queue is filled first (plus one forged report that must be dropped), then one conductor
            // takes it
            int first = WARM_UP_ROUNDS + 1;
            int last = WARM_UP_ROUNDS + rounds;
            t = System.nanoTime();
            publish(pool, guests, first, last);
            double fillRate = total / ((System.nanoTime() - t) / 1e9);
            try (RabbitMqBus forger = RabbitMqBus.connectGuest(guestConfig(guests.get(0)))) {
                forger.cast(Topics.CONDUCTOR, heartbeat(ids.get(1), last + 1000));
            }
            double drain;
            Duration jvmCpu;
            Duration brokerCpu;
            try (Conductor conductor = new Conductor(store, control)) {
                Duration jvmBefore = processCpu();
                Duration brokerBefore = broker.cpuTime();
                t = System.nanoTime();
                conductor.start();
                awaitAllAt(store, last);
                drain = total / ((System.nanoTime() - t) / 1e9);
                jvmCpu = processCpu().minus(jvmBefore);
                brokerCpu = broker.cpuTime().minus(brokerBefore);
            }
            if (lastSeen(store, ids.get(1)) != last) {
                throw new IllegalStateException("a forged report was stored: the sender check failed");
            }

            // end to end: the conductor runs while the guests publish
            double endToEnd;
            try (Conductor conductor = new Conductor(store, control)) {
                conductor.start();
                t = System.nanoTime();
                publish(pool, guests, last + 1, last + rounds);
                awaitAllAt(store, last + rounds);
                endToEnd = total / ((System.nanoTime() - t) / 1e9);
            }
            control.delete(Topics.CONDUCTOR);

            // the store's ceiling: the same reports in-process, where nothing is checked against a broker
            double inProcess;
            try (InProcessBus bus = new InProcessBus(); Conductor conductor = new Conductor(store, bus)) {
                bus.declare(Topics.CONDUCTOR);
                for (int r = last + rounds + 1; r <= last + 2 * rounds; r++) {
                    for (String id : ids) {
                        bus.cast(Topics.CONDUCTOR, heartbeat(id, r));
                    }
                }
                t = System.nanoTime();
                conductor.start();
                awaitAllAt(store, last + 2 * rounds);
                inProcess = total / ((System.nanoTime() - t) / 1e9);
            }
            System.out.printf("  %-58s %10.0f/s%n", "queue filled by " + PUBLISHERS + " guest publishers (confirmed)", fillRate);
            System.out.printf("  %-58s %10.0f/s%n", "one conductor draining the filled queue (sender checked)", drain);
            System.out.printf("  %-58s %10.0f/s%n", "  the drain per CPU second of the conductor's JVM", total / seconds(jvmCpu));
            System.out.printf("  %-58s %10.0f/s%n", "  the drain per CPU second of the broker", total / seconds(brokerCpu));
            System.out.printf("  %-58s %10.0f/s%n", "end to end, guests publishing meanwhile (sender checked)", endToEnd);
            System.out.printf("  %-58s %10.0f/s%n", "in-process conductor draining (store only, no broker)", inProcess);
            System.out.printf("  forged report (instance %s... by another guest): dropped%n", ids.get(1).substring(0, 8));
            System.out.printf("  load average at the end: %.1f on %d cores%n",
                    ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(),
                    Runtime.getRuntime().availableProcessors());
        } finally {
            pool.shutdownNow();
        }
    }

    private List<String> createInstances(MetadataStore store) {
        DatastoreRecord ds = store.datastores.upsertDatastore("postgresql", "postgresql");
        DatastoreVersionRecord v = store.datastores.upsertVersion(ds.id(), "15", "15", "postgresql", true, "debian",
                "/bin", "/base");
        List<String> ids = new ArrayList<>();
        Instant now = Instant.now();
        for (int i = 0; i < instances; i++) {
            String id = UUID.randomUUID().toString();
            store.instances.insertWithTask(new InstanceRecord(id, "bench", "hb-" + i, "small", v.id(), 1, null, null,
                    InstanceTask.NONE.name(), null, null, now, now, false, null),
                    TaskRecord.start(TaskType.CREATE, id, Map.of()));
            ids.add(id);
        }
        return ids;
    }

    private List<GuestCredentials> createUsers(ExecutorService pool, List<String> ids) throws Exception {
        GuestBrokerUsers users = new GuestBrokerUsers(broker.config());
        List<Future<GuestCredentials>> made = new ArrayList<>();
        for (String id : ids) {
            made.add(pool.submit(() -> users.create(id)));
        }
        List<GuestCredentials> guests = new ArrayList<>();
        for (Future<GuestCredentials> f : made) {
            guests.add(f.get());
        }
        return guests;
    }

    private MessagingConfig guestConfig(GuestCredentials c) {
        return MessagingConfig.from(Map.of(MessagingConfig.Key.TRANSPORT_URL.path(),
                c.transportUrl(broker.config().transportUrl()).format()));
    }

    /**
     * Each group of guests connects as itself; {@value #PUBLISHERS} threads cast the group's heartbeats of rounds
     * {@code from..to}, each thread going round its share of guests, so consecutive reports are of different
     * instances.
     */
    private void publish(ExecutorService pool, List<GuestCredentials> guests, int from, int to) throws Exception {
        for (int start = 0; start < guests.size(); start += GROUP) {
            List<GuestCredentials> group = guests.subList(start, Math.min(guests.size(), start + GROUP));
            List<Future<RabbitMqBus>> connecting = new ArrayList<>();
            for (GuestCredentials g : group) {
                connecting.add(pool.submit(() -> RabbitMqBus.connectGuest(guestConfig(g))));
            }
            List<RabbitMqBus> buses = new ArrayList<>();
            for (Future<RabbitMqBus> f : connecting) {
                buses.add(f.get());
            }
            try {
                List<Future<?>> senders = new ArrayList<>();
                for (int p = 0; p < PUBLISHERS; p++) {
                    int first = p;
                    senders.add(pool.submit(() -> {
                        for (int r = from; r <= to; r++) {
                            for (int i = first; i < group.size(); i += PUBLISHERS) {
                                buses.get(i).cast(Topics.CONDUCTOR, heartbeat(group.get(i).instanceId(), r));
                            }
                        }
                        return null;
                    }));
                }
                for (Future<?> f : senders) {
                    f.get();
                }
            } finally {
                buses.forEach(MessageBus::close);
            }
        }
    }

    private static Duration processCpu() {
        return Duration.ofNanos(((OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime());
    }

    private static double seconds(Duration d) {
        return Math.max(1, d.toMillis()) / 1000.0;
    }

    private static Message heartbeat(String instanceId, double sent) {
        return Message.of("heartbeat", new Heartbeat(instanceId, "healthy", sent));
    }

    /** Waits until every instance's last stored heartbeat is of the given round (polling every 50 ms). */
    private void awaitAllAt(MetadataStore store, int round) throws InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofMinutes(10));
        while (store.jdbi().withHandle(h -> h.createQuery("SELECT COUNT(*) FROM conductor_lastseen"
                + " WHERE method_name = 'heartbeat' AND sent >= :r").bind("r", (double) round)
                .mapTo(Integer.class).one()) < instances) {
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException("the conductor did not store round " + round + " within 10 minutes");
            }
            Thread.sleep(50);
        }
    }

    private static double lastSeen(MetadataStore store, String id) {
        return store.jdbi().withHandle(h -> h.createQuery("SELECT sent FROM conductor_lastseen"
                + " WHERE method_name = 'heartbeat' AND instance_id = :id").bind("id", id).mapTo(Double.class).one());
    }
}
