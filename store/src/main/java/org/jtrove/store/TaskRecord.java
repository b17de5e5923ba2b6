package org.jtrove.store;

import java.time.Instant;
import java.util.UUID;
import org.jtrove.model.Json;
import org.jtrove.model.TaskType;

/** A durable long operation: its type, the step it is at, and its input as JSON. */
public record TaskRecord(
        String id, String instanceId, String taskType, String step, String state, String payload, String error,
        Instant created, Instant updated) {
    public static final String RUNNING = "RUNNING";
    public static final String DONE = "DONE";
    public static final String FAILED = "FAILED";

    /** A new task at its first step, to be inserted and then announced to the taskmanager. */
    public static TaskRecord start(TaskType type, String instanceId, Object payload) {
        Instant now = Instant.now();
        return new TaskRecord(UUID.randomUUID().toString(), instanceId, type.name(), type.firstStep(), RUNNING,
                Json.write(payload), null, now, now);
    }

    public TaskType type() {
        return TaskType.valueOf(taskType);
    }
}
