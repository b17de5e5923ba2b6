package org.jtrove.taskmanager.tasks;

import java.util.Map;
import org.jtrove.model.InstanceTask;
import org.jtrove.model.TaskType;
import org.jtrove.store.MetadataStore;
import org.jtrove.taskmanager.engine.Step;
import org.jtrove.taskmanager.engine.StepContext;
import org.jtrove.taskmanager.engine.StepResult;
import org.jtrove.taskmanager.engine.TaskDefinition;

/**
 * Puts a source's new replication mode in force (jtrove's {@code replication_mode}, recorded by the api together with
 * this task): STANDBYS_UPDATED (the source's server names its replicas in synchronous_standby_names, or none, and
 * reloads; no restart). The instance goes back to the task status it had; a failure leaves a fault saying to send
 * the change again.
 */
public final class SetReplicationMode implements TaskDefinition {
    private final MetadataStore store;
    private final Steps steps;

    public SetReplicationMode(MetadataStore store, ReplicaSets sets) {
        this.store = store;
        this.steps = new Steps(type(), Map.of("STANDBYS_UPDATED", ctx -> {
            sets.putModeInForce(ctx.instanceId(), null, null, true);
            return StepResult.done();
        }));
    }

    @Override
    public TaskType type() {
        return TaskType.SET_REPLICATION_MODE;
    }

    @Override
    public Step step(String name) {
        return steps.get(name);
    }

    @Override
    public void succeeded(StepContext ctx) {
        store.instances.clearFault(ctx.instanceId());
        store.instances.compareAndSetTask(ctx.instanceId(), InstanceTask.UPDATING, RestartInstance.taskBefore(ctx));
    }

    @Override
    public void failed(StepContext ctx, int status, String fault) {
        store.instances.compareAndSetTask(ctx.instanceId(), InstanceTask.UPDATING, RestartInstance.taskBefore(ctx));
        store.instances.setFaultMessage(ctx.instanceId(), "Changing the replication mode failed: " + fault
                + " The mode is recorded but may not be in force on the server; send the change again once the"
                + " instance is ACTIVE.");
    }
}
