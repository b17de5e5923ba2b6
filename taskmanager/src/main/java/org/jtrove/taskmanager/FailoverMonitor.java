package org.jtrove.taskmanager;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jtrove.bus.TaskmanagerApi;
import org.jtrove.model.DaemonThreads;
import org.jtrove.model.InstanceTask;
import org.jtrove.model.Json;
import org.jtrove.model.RepeatedFailures;
import org.jtrove.model.TaskType;
import org.jtrove.model.guest.Managers;
import org.jtrove.store.InstanceRecord;
import org.jtrove.store.MetadataStore;
import org.jtrove.store.ServiceStatusRecord;
import org.jtrove.store.TaskRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Automatic failover's detection (every taskmanager runs one; the store decides which one acts). Every
 * {@code probeInterval} it looks at each replica source with auto_failover on (the instance's choice, else on while
 * it has replicas) and no task: a source whose last heartbeat says its server is down, or that has not reported for
 * three probe intervals, is suspect, and its server is probed directly ({@link ServerProbe}). A source that fails
 * every probe for {@code window} is confirmed down: a FAILOVER task is recorded with a compare-and-set of its task
 * status (NONE to FAILING_OVER, in one transaction with the task), so of several taskmanagers exactly one starts it.
 * A fenced old source (FENCED) whose guest agent has reported since the fence gets a REJOIN_REPLICA task the same
 * way, once its new source is up.
 */
public final class FailoverMonitor implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FailoverMonitor.class);

    /**
     * @param window how long a source must fail every probe before it fails over
     * @param probeInterval how often sources are looked at (and suspect ones probed)
     */
    public record Settings(Duration window, Duration probeInterval) {}

    private final MetadataStore store;
    private final TaskmanagerApi taskmanager;
    private final ServerProbe probe;
    private final Settings settings;
    /** Suspect sources failing every probe: since when. */
    private final Map<String, Instant> downSince = new ConcurrentHashMap<>();
    private final RepeatedFailures failures = new RepeatedFailures(LOG, Duration.ofMinutes(5));
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            DaemonThreads.named("failover-monitor"));

    public FailoverMonitor(MetadataStore store, TaskmanagerApi taskmanager, ServerProbe probe, Settings settings) {
        this.store = store;
        this.taskmanager = taskmanager;
        this.probe = probe;
        this.settings = settings;
    }

    public void start() {
        long ms = settings.probeInterval().toMillis();
        timer.scheduleWithFixedDelay(() -> {
            try {
                tick();
            } catch (RuntimeException e) {
                failures.warn("failover monitor", e);
            }
        }, ms, ms, TimeUnit.MILLISECONDS);
    }

    /** One look at every source and every fenced old source. */
    void tick() {
        Set<String> seen = new HashSet<>();
        for (InstanceRecord source : store.instances.replicaSources()) {
            seen.add(source.id());
            look(source);
        }
        downSince.keySet().retainAll(seen);
        for (InstanceRecord fenced : store.instances.withTask(InstanceTask.FENCED)) {
            rejoinIfBack(fenced);
        }
    }

    private void look(InstanceRecord source) {
        if (!watchable(source.task()) || source.address() == null
                || !store.instances.autoFailoverInEffect(source.id())) {
            downSince.remove(source.id());
            return;
        }
        Optional<ServiceStatusRecord> status = store.serviceStatuses.find(source.id());
        Instant now = Instant.now();
        boolean silent = status.isEmpty()
                || status.get().updatedAt().isBefore(now.minus(settings.probeInterval().multipliedBy(3)));
        boolean reportedDown = status.isPresent() && !status.get().serviceStatus().isUp();
        String manager = store.datastores.version(source.datastoreVersionId()).orElseThrow().manager();
        if (!silent && !reportedDown || probe.answers(manager, source.address(), Managers.port(manager))) {
            if (downSince.remove(source.id()) != null) {
                LOG.info("source {} answers again; no failover", source.id());
            }
            return;
        }
        Instant since = downSince.computeIfAbsent(source.id(), id -> {
            LOG.info("source {} is suspect ({}) and its server does not answer at {}:{}; failover after {} ms down",
                    id, reportedDown ? "its guest agent reports " + status.get().status() : "no heartbeat",
                    source.address(), Managers.port(manager), settings.window().toMillis());
            return now;
        });
        if (!now.isBefore(since.plus(settings.window()))) {
            startFailover(source, since, now, !silent);
        }
    }

    /**
     * A source with no task of its own running: NONE, or RESTART_REQUIRED (a configuration change waits for a restart,
     * which is common and must not keep a lost source from failing over).
     */
    private static boolean watchable(InstanceTask task) {
        return task == InstanceTask.NONE || task == InstanceTask.RESTART_REQUIRED;
    }

    /** {@code agentReports}: the source's guest agent still sends heartbeats (the failover waits for its fence). */
    private void startFailover(InstanceRecord source, Instant since, Instant now, boolean agentReports) {
        List<String> replicas = store.instances.replicasOf(source.id()).stream()
                .filter(r -> r.task() == InstanceTask.NONE).map(InstanceRecord::id).toList();
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("involved", replicas);
        payload.put("down_since", since.toString());
        payload.put("detected", now.toString());
        payload.put("agent_reports", agentReports);
        TaskRecord task = TaskRecord.start(TaskType.FAILOVER, source.id(), payload);
        if (!store.instances.startTask(source.id(), source.task(), InstanceTask.FAILING_OVER, task)) {
            LOG.debug("source {}: its failover (or another task) was started elsewhere", source.id());
            downSince.remove(source.id());
            return;
        }
        downSince.remove(source.id());
        for (String r : replicas) {
            store.instances.compareAndSetTask(r, InstanceTask.NONE, InstanceTask.FAILING_OVER);
        }
        LOG.info("source {} confirmed down for {} ms: failover task {} started (replicas {})", source.id(),
                Duration.between(since, now).toMillis(), task.id(), replicas);
        taskmanager.runTask(task.id());
    }

    private void rejoinIfBack(InstanceRecord fenced) {
        String stored = store.instances.failover(fenced.id());
        if (stored == null) {
            return;
        }
        JsonNode event = Json.parse(stored);
        Instant fencedAt = Instant.parse(event.path("fenced").asText(Instant.EPOCH.toString()));
        Optional<ServiceStatusRecord> status = store.serviceStatuses.find(fenced.id());
        String source = currentSource(event.path("new_source").asText(null));
        if (status.isEmpty() || !status.get().updatedAt().isAfter(fencedAt) || source == null) {
            return;   // its agent has not reported since the fence, or the group has no live source
        }
        Optional<ServiceStatusRecord> sourceStatus = store.serviceStatuses.find(source);
        if (sourceStatus.isEmpty() || !sourceStatus.get().serviceStatus().isUp()) {
            return;
        }
        TaskRecord task = TaskRecord.start(TaskType.REJOIN_REPLICA, fenced.id(), Map.of("replica_of", source));
        if (store.instances.startTask(fenced.id(), InstanceTask.FENCED, InstanceTask.REJOINING, task)) {
            LOG.info("fenced old source {} reports again: rejoin as a replica of {} started (task {})", fenced.id(),
                    source, task.id());
            taskmanager.runTask(task.id());
        }
    }

    /** The live source at the top of the group {@code id} is in now (it may have failed over again), or null. */
    private String currentSource(String id) {
        String at = id;
        for (int hops = 0; at != null && hops < 8; hops++) {
            Optional<InstanceRecord> i = store.instances.find(at);
            if (i.isEmpty()) {
                return null;
            }
            String up = store.instances.replicaOf(at);
            if (up == null) {
                return i.get().task() == InstanceTask.FENCED ? null : at;
            }
            at = up;
        }
        return null;
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
