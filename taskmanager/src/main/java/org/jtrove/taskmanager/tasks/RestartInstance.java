package org.jtrove.taskmanager.tasks;

import java.time.Duration;
import java.util.Map;
import org.jtrove.bus.GuestApi;
import org.jtrove.model.InstanceTask;
import org.jtrove.model.TaskType;
import org.jtrove.store.MetadataStore;
import org.jtrove.taskmanager.engine.Step;
import org.jtrove.taskmanager.engine.StepContext;
import org.jtrove.taskmanager.engine.TaskDefinition;

/** Restarts an instance's server: RESTARTED (by its guest agent), HEALTHY. A failure keeps RESTART_REQUIRED. */
public final class RestartInstance implements TaskDefinition {
    static final Duration OPERATION_TIMEOUT = Duration.ofMinutes(3);
    static final Duration HEALTHY_TIMEOUT = Duration.ofSeconds(60);
    private final MetadataStore store;
    private final Steps steps;

    public RestartInstance(MetadataStore store, GuestApi guests, InstanceSteps instances) {
        this.store = store;
        this.steps = new Steps(type(), Map.of(
                "RESTARTED", new GuestOperationStep(store, "the restart", InstanceSteps.afterStepStart(OPERATION_TIMEOUT),
                        (ctx, operationId) -> guests.restart(ctx.instanceId(), operationId)),
                "HEALTHY", instances.healthy(InstanceSteps.afterStepStart(HEALTHY_TIMEOUT),
                        "The database did not report healthy after its restart. Check its server log; restart it again.")));
    }

    @Override
    public TaskType type() {
        return TaskType.RESTART;
    }

    @Override
    public Step step(String name) {
        return steps.get(name);
    }

    @Override
    public void succeeded(StepContext ctx) {
        store.instances.compareAndSetTask(ctx.instanceId(), InstanceTask.REBOOTING, InstanceTask.NONE);
    }

    @Override
    public void failed(StepContext ctx, int status, String fault) {
        store.instances.setFault(ctx.instanceId(), taskBefore(ctx), "Restart failed: " + fault);
    }

    /** A restart or resize that fails leaves the instance as it was: RESTART_REQUIRED values still wait. */
    static InstanceTask taskBefore(StepContext ctx) {
        return "RESTART_REQUIRED".equals(ctx.payload().path("previous_task").asText())
                ? InstanceTask.RESTART_REQUIRED : InstanceTask.NONE;
    }
}
