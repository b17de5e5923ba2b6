package org.jtrove.taskmanager.tasks;

import java.util.Map;
import org.jtrove.model.InstanceTask;
import org.jtrove.model.TaskType;
import org.jtrove.store.MetadataStore;
import org.jtrove.taskmanager.engine.Step;
import org.jtrove.taskmanager.engine.StepContext;
import org.jtrove.taskmanager.engine.TaskDefinition;

/**
 * What the replica tasks (promote, eject, detach, failover) share: their steps by name, and how they end: the
 * instance a task runs on gets its end status (NONE; FENCED after a failover) or an error with a fault, and every
 * other instance the request marked ({@code involved} in the payload) gets NONE back.
 */
abstract class ReplicaTask implements TaskDefinition {
    private final MetadataStore store;
    private final TaskType type;
    private final InstanceTask running;
    private final InstanceTask error;
    private final String what;
    private final InstanceTask end;
    private Steps steps;

    ReplicaTask(MetadataStore store, TaskType type, InstanceTask running, InstanceTask error, String what) {
        this(store, type, running, InstanceTask.NONE, error, what);
    }

    /** @param end the task status the instance the task runs on gets when it succeeds */
    ReplicaTask(MetadataStore store, TaskType type, InstanceTask running, InstanceTask end, InstanceTask error,
                String what) {
        this.store = store;
        this.end = end;
        this.type = type;
        this.running = running;
        this.error = error;
        this.what = what;
    }

    /** The task's steps, in the order of its {@link TaskType}; called once by the subclass's constructor. */
    final void steps(Map<String, Step> byName) {
        this.steps = new Steps(type, byName);
    }

    @Override
    public final TaskType type() {
        return type;
    }

    @Override
    public final Step step(String name) {
        return steps.get(name);
    }

    @Override
    public final void succeeded(StepContext ctx) {
        store.instances.clearFault(ctx.instanceId());
        store.instances.compareAndSetTask(ctx.instanceId(), running, end);
        releaseOthers(ctx);
    }

    @Override
    public final void failed(StepContext ctx, int status, String fault) {
        store.instances.setFault(ctx.instanceId(), errorStatus(ctx), what + " failed: " + fault);
        releaseOthers(ctx);
    }

    /** The task status a failure leaves on the instance the task runs on: the task type's error by default. */
    InstanceTask errorStatus(StepContext ctx) {
        return error;
    }

    private void releaseOthers(StepContext ctx) {
        ctx.payload().path("involved").forEach(id -> {
            if (!id.asText().equals(ctx.instanceId())) {
                store.instances.compareAndSetTask(id.asText(), running, InstanceTask.NONE);
            }
        });
    }
}
