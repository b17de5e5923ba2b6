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
import org.jtrove.model.InstanceAccess;
import org.jtrove.model.InstanceTask;
import org.jtrove.model.Json;
import org.jtrove.model.JtroveException;
import org.jtrove.model.ServiceStatus;
import org.jtrove.model.TaskType;
import org.jtrove.model.guest.BackupRequest;
import org.jtrove.model.guest.PrepareRequest;
import org.jtrove.model.guest.RestoreSource;
import org.jtrove.backupstorage.BackupVault;
import org.jtrove.store.BackupRecord;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
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
    private final BackupVault vault;
    private final Duration backupTimeout;
    private final ExecutorService workers = Executors.newFixedThreadPool(8, r -> {
        Thread t = new Thread(r, "task-worker");
        t.setDaemon(true);
        return t;
    });
    /** Backups wait for their guest for long: they have threads of their own, so other tasks never queue behind. */
    private final ExecutorService backupWorkers = Executors.newFixedThreadPool(8, r -> {
        Thread t = new Thread(r, "backup-task-worker");
        t.setDaemon(true);
        return t;
    });
    private final Set<String> active = ConcurrentHashMap.newKeySet();
    private volatile boolean closing;
    private static final Duration RESUME_GRACE = Duration.ofSeconds(60);
    private final Instant startedAt = Instant.now();
    private final Set<String> resumed = ConcurrentHashMap.newKeySet();
    private MessageBus.Subscription subscription;

    public TaskManager(MetadataStore store, MessageBus bus, ComputeDriver compute, Duration buildTimeout,
                       BackupVault vault, Duration backupTimeout) {
        this.store = store;
        this.bus = bus;
        this.compute = compute;
        this.buildTimeout = buildTimeout;
        this.vault = vault;
        this.backupTimeout = backupTimeout;
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
            boolean backup = store.tasks.find(taskId).map(t -> t.type() == TaskType.BACKUP).orElse(false);
            (backup ? backupWorkers : workers).execute(() -> {
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
            if (type == TaskType.BACKUP) {
                store.backups.failIfRunning(Json.parse(task.payload()).path("backup_id").asText(), "Backup failed: " + reason);
            }
            fail(task, reason, e instanceof BuildTimeout);
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
            case "UPDATE_ACCESS" -> compute.updateAccess(id,
                    Json.convert(Json.parse(task.payload()).path("access"), InstanceAccess.class));
            case "WAIT_ACTIVE" -> {
                waitUntilUp(id, type == TaskType.CREATE ? remaining(id) : Duration.ofSeconds(30));
                store.instances.clearFault(id);
                store.instances.compareAndSetTask(id, switch (type) {
                    case CREATE -> InstanceTask.BUILDING;
                    case RESIZE_FLAVOR -> InstanceTask.RESIZING;
                    case UPDATE_ACCESS -> InstanceTask.UPDATING;
                    default -> InstanceTask.REBOOTING;
                }, type == TaskType.UPDATE_ACCESS ? previousTask(task) : InstanceTask.NONE);
            }
            case "BACKUP" -> takeBackup(id, Json.parse(task.payload()).path("backup_id").asText());
            case "REMOVE_BACKUP" -> {
                for (JsonNode backupId : Json.parse(task.payload()).path("backup_ids")) {
                    removeBackup(backupId.asText());
                }
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
        List<RestoreSource> chain = List.of();
        if (payload.backupId() != null) {
            chain = store.backups.chain(payload.backupId()).stream()
                    .map(b -> new RestoreSource(b.id(), b.storageKey(), b.checksum(), b.meta())).toList();
        }
        Map<String, Object> configuration = store.configurations.attachedTo(id).map(store.configurations::values)
                .orElse(Map.of());
        return new PrepareRequest(id, v.build(), i.address(), ram, i.volumeSize(), payload.databases(), payload.users(),
                chain, configuration);
    }

    /**
     * Asks the guest agent to take the backup and waits until the conductor recorded its end. Re-sent after a
     * taskmanager restart: the agent starts over, replacing any partial object.
     */
    private void takeBackup(String instanceId, String backupId) throws InterruptedException {
        BackupRecord backup = store.backups.find(backupId).orElse(null);
        if (backup == null || !backup.running()) {
            return;
        }
        String parentMeta = null;
        if (backup.parentId() != null) {
            parentMeta = store.backups.find(backup.parentId()).map(BackupRecord::meta).orElseThrow(
                    () -> new IllegalStateException("the parent backup " + backup.parentId() + " was deleted"));
        }
        bus.call(Topics.guest(instanceId), Message.of("create_backup",
                new BackupRequest(backup.id(), backup.storageKey(), parentMeta)), Duration.ofSeconds(30));
        long deadline = System.nanoTime() + backupTimeout.toNanos();
        while (System.nanoTime() < deadline) {
            BackupRecord now = store.backups.find(backupId).orElse(null);
            if (now == null || BackupRecord.COMPLETED.equals(now.state())) {
                return;
            }
            if (!now.running()) {
                throw new IllegalStateException(now.fault() == null ? "the backup failed" : now.fault());
            }
            Thread.sleep(100);
        }
        try {
            bus.call(Topics.guest(instanceId), Message.of("cancel_backup", Map.of("backup_id", backupId)),
                    Duration.ofSeconds(30));
        } catch (RuntimeException e) {
            LOG.warn("could not cancel backup {} on its guest agent: {}", backupId, e.getMessage());
        }
        throw new IllegalStateException("The backup did not finish within "
                + java.math.BigDecimal.valueOf(backupTimeout.toMillis(), 3).stripTrailingZeros().toPlainString()
                + " s (backup_timeout); it was cancelled. Take it again, or raise backup_timeout for large databases.");
    }

    private void removeBackup(String backupId) throws Exception {
        BackupRecord b = store.backups.find(backupId).orElse(null);
        if (b == null) {
            return;
        }
        try {
            vault.delete(b.storageKey());
        } catch (Exception e) {
            store.backups.setState(b.id(), BackupRecord.DELETE_FAILED, "Deleting the stored data failed: " + e.getMessage());
            throw e;
        }
        store.backups.markDeleted(b.id());
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

    private void fail(TaskRecord task, String reason, boolean timedOut) {
        String instanceId = task.instanceId();
        // A restart or resize that fails leaves the instance as it was: RESTART_REQUIRED values still wait.
        InstanceTask before = previousTask(task);
        switch (task.type()) {
            case CREATE -> store.instances.setFault(instanceId, timedOut
                    ? InstanceTask.BUILDING_ERROR_TIMEOUT_GA : InstanceTask.BUILDING_ERROR_SERVER, "Build failed: " + reason);
            case RESTART -> store.instances.setFault(instanceId, before, "Restart failed: " + reason);
            case RESIZE_FLAVOR -> store.instances.setFault(instanceId, before, "Resize failed: " + reason
                    + " The instance keeps its previous flavor.");
            case DELETE -> store.instances.setFault(instanceId, InstanceTask.DELETING_ERROR,
                    "Delete failed: " + reason + " Try the delete again.");
            case UPDATE_ACCESS -> store.instances.setFault(instanceId, InstanceTask.UPDATING_ERROR_ACCESS,
                    "Access update failed: " + reason);
            case BACKUP, DELETE_BACKUP -> { }   // recorded on the backup row itself
        }
    }

    /** The task the instance had before this one: RESTART_REQUIRED (values still waiting for a restart) or NONE. */
    private static InstanceTask previousTask(TaskRecord task) {
        return "RESTART_REQUIRED".equals(Json.parse(task.payload()).path("previous_task").asText())
                ? InstanceTask.RESTART_REQUIRED : InstanceTask.NONE;
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
        backupWorkers.shutdownNow();
    }
}
