package org.jtrove.taskmanager.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import org.jtrove.model.Json;
import org.jtrove.store.TaskRecord;

/**
 * What a step sees of its task: the task's input ({@link #payload()}), the outputs of earlier steps (which it may
 * add to; they are stored with the step's result), how often the step ran, and whether this is its first run
 * since this taskmanager claimed the task (a step that sends something to a guest sends it again then).
 */
public final class StepContext {
    private final TaskRecord task;
    private final JsonNode payload;
    private final ObjectNode outputs;
    private final boolean firstRunInClaim;
    private final Instant claimedAt;

    StepContext(TaskRecord task, boolean firstRunInClaim, Instant claimedAt) {
        this.task = task;
        this.payload = Json.parse(task.payload());
        JsonNode stored = task.outputs() == null || task.outputs().isBlank() ? null : Json.parse(task.outputs());
        this.outputs = stored instanceof ObjectNode o ? o : Json.object();
        this.firstRunInClaim = firstRunInClaim;
        this.claimedAt = claimedAt;
    }

    public TaskRecord task() {
        return task;
    }

    public String taskId() {
        return task.id();
    }

    public String instanceId() {
        return task.instanceId();
    }

    public String step() {
        return task.type().current(task.step());
    }

    public JsonNode payload() {
        return payload;
    }

    /** Outputs of earlier steps (and of earlier runs of this one); changes are stored with the step's result. */
    public ObjectNode outputs() {
        return outputs;
    }

    /** Runs of the current step so far that ended in a retry. */
    public int attempt() {
        return task.attempt();
    }

    /** When the current step first ran. */
    public Instant stepStarted() {
        return task.stepStarted() == null ? task.created() : task.stepStarted();
    }

    /** True on the step's first run since this taskmanager claimed the task (after a start or a takeover). */
    public boolean firstRunInClaim() {
        return firstRunInClaim;
    }

    /** When this taskmanager claimed the task. */
    public Instant claimedAt() {
        return claimedAt;
    }
}
