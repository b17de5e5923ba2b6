package org.jtrove.api;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.jtrove.bus.TaskmanagerApi;
import org.jtrove.model.InstanceTask;
import org.jtrove.model.JtroveException;
import org.jtrove.model.TaskType;
import org.jtrove.store.InstanceRecord;
import org.jtrove.store.MetadataStore;
import org.jtrove.store.TaskRecord;

/**
 * Attaching, detaching and changing configuration groups. Each change is recorded together with a CONFIGURE
 * task that brings the server to it (so a crash cannot leave the record and the server disagreeing), and the
 * request then waits a while for that task: the answer usually comes once the values are in effect, and a value
 * the server refuses comes back as the request's error (the attachment is rolled back by then).
 */
final class ConfigurationApplier {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private final MetadataStore store;
    private final TaskmanagerApi taskmanager;

    ConfigurationApplier(MetadataStore store, TaskmanagerApi taskmanager) {
        this.store = store;
        this.taskmanager = taskmanager;
    }

    /** Attaches group {@code configurationId} to {@code i} (which has none) and applies it. */
    void attach(InstanceRecord i, String configurationId) {
        TaskRecord task = task(i, "attach", configurationId, null);
        if (!store.configurations.attachWithTask(i.id(), configurationId, task)) {
            throw JtroveException.badRequest("Instance " + i.id() + " already has a Configuration Group attached: "
                    + store.configurations.attachedTo(i.id()).orElse("?") + ".");
        }
        runAndWait(task);
    }

    /** Detaches the instance's group; its parameters go back to their defaults on the server. */
    void detach(InstanceRecord i) {
        String current = store.configurations.attachedTo(i.id()).orElse(null);
        if (current == null) {
            return;
        }
        TaskRecord task = task(i, "detach", null, current);
        if (!store.configurations.reattachWithTask(i.id(), current, null, task)) {
            throw JtroveException.conflict("The configuration group of instance " + i.id() + " changed meanwhile; try again.");
        }
        runAndWait(task);
    }

    /**
     * The task that brings an instance to its group's changed values, for {@code ConfigurationRepository}'s
     * update and merge; null for an instance being built or deleted (a build reads the values from the store).
     */
    TaskRecord pushTask(InstanceRecord i, String configurationId) {
        return i.task() == InstanceTask.BUILDING || i.task() == InstanceTask.DELETING ? null
                : task(i, "push", configurationId, configurationId);
    }

    /**
     * Announces recorded push tasks and waits a while for them all, so that the answer usually comes once the new
     * values are in effect. A failure on one instance fails neither the request nor the others: it becomes that
     * instance's fault message.
     */
    void announce(java.util.List<TaskRecord> tasks) {
        tasks.forEach(t -> taskmanager.runTask(t.id()));
        long deadline = System.nanoTime() + WAIT.toNanos();
        for (TaskRecord t : tasks) {
            long left = deadline - System.nanoTime();
            if (left <= 0 || TaskWaits.awaitEnd(store, t.id(), Duration.ofNanos(left)) == null) {
                return;
            }
        }
    }

    /** Whether the instance can take a configuration change now (Trove: ACTIVE, task NONE or RESTART_REQUIRED). */
    boolean canApply(InstanceRecord i) {
        return (i.task() == InstanceTask.NONE || i.task() == InstanceTask.RESTART_REQUIRED)
                && store.serviceStatuses.find(i.id()).map(s -> s.serviceStatus().isUp()).orElse(false);
    }

    private static TaskRecord task(InstanceRecord i, String kind, String configurationId, String previous) {
        Map<String, Object> payload = new HashMap<>();
        payload.put("kind", kind);
        payload.put("configuration_id", configurationId);
        payload.put("previous_configuration_id", previous);
        return TaskRecord.start(TaskType.CONFIGURE, i.id(), payload);
    }

    private void runAndWait(TaskRecord task) {
        taskmanager.runTask(task.id());
        TaskRecord ended = TaskWaits.awaitEnd(store, task.id(), WAIT);
        if (ended != null && TaskRecord.FAILED.equals(ended.state())) {
            int status = ended.faultStatus() == null || ended.faultStatus() < 400 ? 500 : ended.faultStatus();
            throw new JtroveException(status >= 500 ? 422 : status, ended.error());
        }
    }
}
