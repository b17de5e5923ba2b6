package org.jtrove.taskmanager;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.jtrove.bus.Message;
import org.jtrove.bus.MessageBus;
import org.jtrove.bus.Topics;
import org.jtrove.compute.ComputeDriver;
import org.jtrove.model.InstanceTask;
import org.jtrove.model.Json;
import org.jtrove.model.JtroveException;
import org.jtrove.model.ServiceStatus;
import org.jtrove.model.TaskType;
import org.jtrove.model.guest.PrepareRequest;
import org.jtrove.store.DatastoreVersionRecord;
import org.jtrove.store.FlavorRecord;
import org.jtrove.store.InstanceRecord;
import org.jtrove.store.MetadataStore;
import org.jtrove.store.ServiceStatusRecord;
import org.jtrove.store.TaskRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs long operations as durable tasks. Each task's current step is written to the metadata store before it
 * runs, so a restarted taskmanager resumes every unfinished task at its step; steps are idempotent.
 */
public final class TaskManager implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TaskManager.class);

    private final MetadataStore store;
    private final MessageBus bus;
    private final ComputeDriver compute;
    private final Duration buildTimeout;
    private final ExecutorService workers = Executors.newFixedThreadPool(8, r -> {
        Thread t = new Thread(r, "task-worker");
        t.setDaemon(true);
        return t;
    });
    private final Set<String> active = ConcurrentHashMap.newKeySet();
    private volatile boolean closing;
    private static final Duration RESUME_GRACE = Duration.ofSeconds(60);
    private final Instant startedAt = Instant.now();
    private final Set<String> resumed = ConcurrentHashMap.newKeySet();
    private MessageBus.Subscription subscription;

    public TaskManager(MetadataStore store, MessageBus bus, ComputeDriver compute, Duration buildTimeout) {
        this.store = store;
        this.bus = bus;
        this.compute = compute;
        this.buildTimeout = buildTimeout;
    }

    /** Serves the taskmanager topic and resumes the tasks a previous process left unfinished. */
    public void start() {
        subscription = bus.subscribe(Topics.TASKMANAGER, m -> {
            if ("run_task".equals(m.method())) {
                submit(m.args().path("task_id").asText());
            }
            return null;
        });
        for (TaskRecord task : store.tasks.running()) {
            resumed.add(task.instanceId());
            LOG.info("resuming task {} ({} of instance {}) at step {}", task.id(), task.taskType(), task.instanceId(),
                    task.step());
            submit(task.id());
        }
    }

    private void submit(String taskId) {
        if (active.add(taskId)) {
            workers.execute(() -> {
                try {
                    run(taskId);
                } finally {
                    active.remove(taskId);
                }
            });
        }
    }

    void run(String taskId) {
        TaskRecord task = store.tasks.find(taskId).orElse(null);
        if (task == null || !TaskRecord.RUNNING.equals(task.state())) {
            return;
        }
        TaskType type = task.type();
        String step = task.step();
        try {
            while (step != null) {
                if (!store.tasks.find(taskId).map(t -> TaskRecord.RUNNING.equals(t.state())).orElse(false)) {
                    LOG.info("task {} was ended by someone else before step {}; stopping", taskId, step);
                    return;
                }
                store.tasks.setStep(taskId, step);
                runStep(type, step, task);
                step = type.next(step);
            }
            store.tasks.finish(taskId, TaskRecord.DONE, null);
        } catch (Exception e) {
            if (closing) {
                LOG.info("task {} interrupted by shutdown at step {}; it resumes at the next start", taskId, step);
                return;
            }
            String reason = e instanceof JtroveException || e instanceof IllegalStateException
                    ? e.getMessage() : e.toString();
            LOG.warn("task {} ({} of instance {}) failed at step {}: {}", taskId, type, task.instanceId(), step, reason);
            store.tasks.finish(taskId, TaskRecord.FAILED, reason);
            fail(type, task.instanceId(), reason, e instanceof BuildTimeout);
        }
    }

    private void runStep(TaskType type, String step, TaskRecord task) throws Exception {
        String id = task.instanceId();
        switch (step) {
            case "PROVISION" -> {
                checkDeadline(id);
                compute.provision(id);
            }
            case "PREPARE" -> {
                checkDeadline(id);
                try {
                    bus.call(Topics.guest(id), Message.of("prepare", prepareRequest(id, task)), remaining(id));
                } catch (JtroveException e) {
                    checkDeadline(id);
                    throw e;
                }
            }
            case "RESTART" -> bus.call(Topics.guest(id), Message.of("restart", Map.of()), Duration.ofMinutes(3));
            case "RESIZE" -> {
                String flavorId = Json.parse(task.payload()).path("flavor_id").asText();
                int ram = store.flavors.find(flavorId).map(FlavorRecord::ram)
                        .orElseThrow(() -> new IllegalStateException("flavor " + flavorId + " no longer exists"));
                bus.call(Topics.guest(id), Message.of("resize", Map.of("memory_mb", ram)), Duration.ofMinutes(3));
                store.instances.setFlavor(id, flavorId);
            }
            case "WAIT_ACTIVE" -> {
                waitUntilUp(id, type == TaskType.CREATE ? remaining(id) : Duration.ofSeconds(30));
                store.instances.clearFault(id);
                store.instances.compareAndSetTask(id, switch (type) {
                    case CREATE -> InstanceTask.BUILDING;
                    case RESIZE_FLAVOR -> InstanceTask.RESIZING;
                    default -> InstanceTask.REBOOTING;
                }, InstanceTask.NONE);
            }
            case "DESTROY" -> {
                compute.destroy(id);
                store.instances.markDeleted(id);
            }
            default -> throw new IllegalStateException("unknown step " + step);
        }
    }

    private PrepareRequest prepareRequest(String id, TaskRecord task) {
        InstanceRecord i = store.instances.find(id).orElseThrow();
        DatastoreVersionRecord v = store.datastores.version(i.datastoreVersionId()).orElseThrow();
        int ram = store.flavors.find(i.flavorId()).map(FlavorRecord::ram).orElse(512);
        CreatePayload payload = Json.convert(Json.parse(task.payload()), CreatePayload.class);
        Map<String, Object> configuration = store.configurations.attachedTo(id).map(store.configurations::values)
                .orElse(Map.of());
        return new PrepareRequest(id, v.build(), i.address(), ram, i.volumeSize(), payload.databases(), payload.users(),
                configuration);
    }

    private void waitUntilUp(String id, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            ServiceStatus s = store.serviceStatuses.find(id).map(ServiceStatusRecord::serviceStatus)
                    .orElse(ServiceStatus.NEW);
            if (s.isUp()) {
                return;
            }
            Thread.sleep(20);
        }
        throw new IllegalStateException("The database did not report healthy within " + timeout.toSeconds()
                + " s. Delete the instance and try again; check the server build if it repeats.");
    }

    private Duration remaining(String id) {
        InstanceRecord i = store.instances.find(id).orElseThrow();
        // A build resumed after a restart gets a fresh minute: the time jtrove was down is not the build's fault.
        Instant deadline = i.created().plus(buildTimeout);
        if (resumed.contains(id) && startedAt.plus(RESUME_GRACE).isAfter(deadline)) {
            deadline = startedAt.plus(RESUME_GRACE);
        }
        Duration left = Duration.between(Instant.now(), deadline);
        if (left.isNegative() || left.isZero()) {
            throw new BuildTimeout("The build did not finish within " + buildTimeout.toSeconds()
                    + " s (build_timeout): the guest agent did not report the database ready in time."
                    + " Delete the instance and create it again; if it repeats, check the server build.");
        }
        return left;
    }

    private void checkDeadline(String id) {
        remaining(id);
    }

    private void fail(TaskType type, String instanceId, String reason, boolean timedOut) {
        switch (type) {
            case CREATE -> store.instances.setFault(instanceId, timedOut
                    ? InstanceTask.BUILDING_ERROR_TIMEOUT_GA : InstanceTask.BUILDING_ERROR_SERVER, "Build failed: " + reason);
            case RESTART -> store.instances.setFault(instanceId, InstanceTask.NONE, "Restart failed: " + reason);
            case RESIZE_FLAVOR -> store.instances.setFault(instanceId, InstanceTask.NONE, "Resize failed: " + reason
                    + " The instance keeps its previous flavor.");
            case DELETE -> store.instances.setFault(instanceId, InstanceTask.DELETING_ERROR,
                    "Delete failed: " + reason + " Try the delete again.");
        }
    }

    private static final class BuildTimeout extends IllegalStateException {
        BuildTimeout(String message) {
            super(message);
        }
    }

    @Override
    public void close() {
        closing = true;
        if (subscription != null) {
            subscription.close();
        }
        workers.shutdownNow();
    }
}
