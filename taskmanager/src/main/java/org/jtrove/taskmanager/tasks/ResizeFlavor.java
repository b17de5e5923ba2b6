package org.jtrove.taskmanager.tasks;

import java.util.Map;
import org.jtrove.bus.GuestApi;
import org.jtrove.model.InstanceTask;
import org.jtrove.model.TaskType;
import org.jtrove.store.FlavorRecord;
import org.jtrove.store.MetadataStore;
import org.jtrove.taskmanager.engine.Step;
import org.jtrove.taskmanager.engine.StepContext;
import org.jtrove.taskmanager.engine.StepResult;
import org.jtrove.taskmanager.engine.TaskDefinition;

/**
 * Moves an instance to another flavor. The target is recorded in the task before anything changes; RESIZED (the
 * guest agent rewrites the memory settings and restarts; it puts the old ones back if the server refuses them),
 * FLAVOR_RECORDED (the instance row shows the new flavor), HEALTHY. A taskmanager that takes the task over sends
 * the same resize again, so the server and the record end up agreeing.
 */
public final class ResizeFlavor implements TaskDefinition {
    private final MetadataStore store;
    private final Steps steps;

    public ResizeFlavor(MetadataStore store, GuestApi guests, InstanceSteps instances) {
        this.store = store;
        this.steps = new Steps(type(), Map.of(
                "RESIZED", new GuestOperationStep(store, "the resize",
                        InstanceSteps.afterStepStart(RestartInstance.OPERATION_TIMEOUT),
                        (ctx, operationId) -> guests.resize(ctx.instanceId(), operationId, targetFlavor(ctx).ram())),
                "FLAVOR_RECORDED", ctx -> {
                    store.instances.setFlavor(ctx.instanceId(), targetFlavor(ctx).id());
                    return StepResult.done();
                },
                "HEALTHY", instances.healthy(InstanceSteps.afterStepStart(RestartInstance.HEALTHY_TIMEOUT),
                        "The database did not report healthy after the resize. Check its server log; restart it.")));
    }

    private FlavorRecord targetFlavor(StepContext ctx) {
        String flavorId = ctx.payload().path("flavor_id").asText();
        return store.flavors.find(flavorId)
                .orElseThrow(() -> new IllegalStateException("flavor " + flavorId + " no longer exists"));
    }

    @Override
    public TaskType type() {
        return TaskType.RESIZE_FLAVOR;
    }

    @Override
    public Step step(String name) {
        return steps.get(name);
    }

    @Override
    public void succeeded(StepContext ctx) {
        store.instances.compareAndSetTask(ctx.instanceId(), InstanceTask.RESIZING, InstanceTask.NONE);
    }

    @Override
    public void failed(StepContext ctx, int status, String fault) {
        boolean recorded = !"RESIZED".equals(ctx.step());
        store.instances.setFault(ctx.instanceId(), RestartInstance.taskBefore(ctx), "Resize failed: " + fault
                + (recorded ? "" : " The instance keeps its previous flavor."));
    }
}
