package org.jtrove.taskmanager;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.jtrove.bus.InProcessBus;
import org.jtrove.bus.TaskmanagerApi;
import org.jtrove.model.InstanceTask;
import org.jtrove.model.ServiceStatus;
import org.jtrove.model.TaskType;
import org.jtrove.store.InstanceRecord;
import org.jtrove.store.MetadataStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Failover detection on a real metadata store, with sources whose addresses have no server (a real connection
 * attempt is refused): two taskmanagers' monitors looking at the same sources at the same moments start exactly one
 * FAILOVER task per source confirmed down, and none for a source that reports healthy, has auto_failover off, or has
 * not been down for the window yet.
 */
class FailoverMonitorTest {
    @TempDir
    Path dir;
    private TestStore stores;
    private MetadataStore store;
    private InProcessBus bus;
    private int address;

    @BeforeEach
    void open() {
        stores = new TestStore(dir.resolve("store"));
        store = stores.store;
        bus = new InProcessBus();
    }

    @AfterEach
    void close() {
        bus.close();
        stores.close();
    }

    @Test
    void twoTaskmanagersStartExactlyOneFailoverPerSourceConfirmedDown() throws Exception {
        List<String> down = new ArrayList<>();
        for (int n = 0; n < 5; n++) {
            down.add(source(ServiceStatus.SHUTDOWN, null));
        }
        // a configuration change waiting for a restart does not keep a lost source from failing over
        store.instances.setTask(down.get(0), InstanceTask.RESTART_REQUIRED);
        String healthy = source(ServiceStatus.HEALTHY, null);
        String optedOut = source(ServiceStatus.SHUTDOWN, false);
        FailoverMonitor.Settings settings = new FailoverMonitor.Settings(Duration.ofMillis(300), Duration.ofSeconds(5));
        FailoverMonitor a = monitor(settings);
        FailoverMonitor b = monitor(settings);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            CyclicBarrier together = new CyclicBarrier(2);
            // the first looks only mark the sources suspect: nothing starts before the window has passed
            tickBoth(pool, together, a, b);
            for (String id : down) {
                assertThat(failovers(id)).as("failovers of %s within the window", id).isZero();
            }
            long until = System.nanoTime() + Duration.ofSeconds(2).toNanos();
            while (System.nanoTime() < until) {
                tickBoth(pool, together, a, b);
                Thread.sleep(50);
            }
        } finally {
            pool.shutdownNow();
        }
        for (String id : down) {
            assertThat(failovers(id)).as("failovers of %s", id).isEqualTo(1);
            assertThat(store.instances.find(id).orElseThrow().task()).isEqualTo(InstanceTask.FAILING_OVER);
            for (InstanceRecord r : store.instances.replicasOf(id)) {
                assertThat(r.task()).as("its replica").isEqualTo(InstanceTask.FAILING_OVER);
            }
        }
        assertThat(failovers(healthy)).as("failovers of a healthy source").isZero();
        assertThat(failovers(optedOut)).as("failovers of a source with auto_failover false").isZero();
    }

    private void tickBoth(ExecutorService pool, CyclicBarrier together, FailoverMonitor a, FailoverMonitor b)
            throws Exception {
        List<Future<?>> runs = new ArrayList<>();
        for (FailoverMonitor m : List.of(a, b)) {
            runs.add(pool.submit(() -> {
                together.await();
                m.tick();
                return null;
            }));
        }
        for (Future<?> f : runs) {
            f.get();
        }
    }

    private FailoverMonitor monitor(FailoverMonitor.Settings settings) {
        return new FailoverMonitor(store, new TaskmanagerApi(bus), new ServerProbe(Duration.ofMillis(500)), settings);
    }

    private long failovers(String id) {
        return store.tasks.runningFor(id).stream().filter(t -> t.type() == TaskType.FAILOVER).count();
    }

    /** A source with one replica; its address (127.77.0.x, loopback) has no server listening. */
    private String source(ServiceStatus status, Boolean autoFailover) {
        String source = instance("127.77.0." + (++address));
        store.serviceStatuses.saveHeartbeat(source, status, Instant.now().getEpochSecond());
        store.instances.setAutoFailover(source, autoFailover);
        String replica = instance(null);
        store.instances.setReplicaOf(replica, source);
        return source;
    }

    private String instance(String ip) {
        String id = stores.instance(ip);
        store.instances.setPlacement(id, "host-a", ip);
        return id;
    }
}
