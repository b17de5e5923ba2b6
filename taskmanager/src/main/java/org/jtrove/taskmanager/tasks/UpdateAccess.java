package org.jtrove.taskmanager.tasks;

import java.util.Map;
import org.jtrove.model.InstanceAccess;
import org.jtrove.model.InstanceTask;
import org.jtrove.model.Json;
import org.jtrove.model.TaskType;
import org.jtrove.store.MetadataStore;
import org.jtrove.taskmanager.engine.Step;
import org.jtrove.taskmanager.engine.StepContext;
import org.jtrove.taskmanager.engine.StepResult;
import org.jtrove.taskmanager.engine.TaskDefinition;

/**
 * Changes who may connect to an instance (Trove's {@code access}: is_public, allowed_cidrs), recorded in the task
 * payload before anything changes: ACCESS_APPLIED (the instance's host puts the rules and the public forwarder in
 * force, keeping the previous access if that fails; then the access is recorded), HEALTHY.
 */
public final class UpdateAccess implements TaskDefinition {
    private final MetadataStore store;
    private final Steps steps;

    public UpdateAccess(MetadataStore store, Placements placements, InstanceSteps instances) {
        this.store = store;
        this.steps = new Steps(type(), Map.of(
                "ACCESS_APPLIED", ctx -> {
                    placements.updateAccess(ctx.instanceId(),
                            Json.convert(ctx.payload().path("access"), InstanceAccess.class));
                    return StepResult.done();
                },
                "HEALTHY", instances.healthy(InstanceSteps.afterStepStart(RestartInstance.HEALTHY_TIMEOUT),
                        "The database did not report healthy after its access changed. Check its server log.")));
    }

    @Override
    public TaskType type() {
        return TaskType.UPDATE_ACCESS;
    }

    @Override
    public Step step(String name) {
        return steps.get(name);
    }

    /** The instance goes back to the task it had: RESTART_REQUIRED values still wait for a restart. */
    @Override
    public void succeeded(StepContext ctx) {
        store.instances.compareAndSetTask(ctx.instanceId(), InstanceTask.UPDATING, RestartInstance.taskBefore(ctx));
    }

    @Override
    public void failed(StepContext ctx, int status, String fault) {
        store.instances.setFault(ctx.instanceId(), InstanceTask.UPDATING_ERROR_ACCESS, "Access update failed: " + fault);
    }
}
