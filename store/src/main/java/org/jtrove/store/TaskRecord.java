package org.jtrove.store;

import java.time.Instant;
import java.util.UUID;
import org.jtrove.model.Json;
import org.jtrove.model.TaskType;

/**
 * A durable long operation: its type, the step it is at, its input as JSON ({@code payload}, encrypted at rest),
 * what earlier steps produced ({@code outputs}, JSON), and who runs it: {@code leaseOwner} holds it until
 * {@code leaseUntil}, after which any taskmanager may take it over. {@code attempt} counts runs of the current
 * step; {@code nextRunAt} is when it is due again (null: now).
 */
public record TaskRecord(
        String id, String instanceId, String taskType, String step, String state, String payload, String error,
        Instant created, Instant updated, String leaseOwner, Instant leaseUntil, int attempt, Instant nextRunAt,
        Instant stepStarted, String outputs, Integer faultStatus) {
    public static final String RUNNING = "RUNNING";
    public static final String DONE = "DONE";
    public static final String FAILED = "FAILED";

    /** A new task at its first step, to be inserted and then announced to the taskmanager. */
    public static TaskRecord start(TaskType type, String instanceId, Object payload) {
        Instant now = Instant.now();
        return new TaskRecord(UUID.randomUUID().toString(), instanceId, type.name(), type.firstStep(), RUNNING,
                Json.write(payload), null, now, now, null, null, 0, null, now, "{}", null);
    }

    public TaskType type() {
        return TaskType.valueOf(taskType);
    }

    public boolean running() {
        return RUNNING.equals(state);
    }

    TaskRecord withPayload(String plain) {
        return new TaskRecord(id, instanceId, taskType, step, state, plain, error, created, updated, leaseOwner,
                leaseUntil, attempt, nextRunAt, stepStarted, outputs, faultStatus);
    }
}
