package org.jtrove.taskmanager.tasks;

import org.jtrove.model.InstanceTask;
import org.jtrove.store.MetadataStore;
import org.jtrove.taskmanager.engine.StepContext;

/**
 * How a replica task (promote, eject, detach) ends: the instance it runs on gets its task status back (NONE) or an
 * error with a fault, and every other instance the request marked ({@code involved} in the payload) gets NONE back.
 */
final class ReplicaTaskEnd {
    private final MetadataStore store;
    private final InstanceTask running;
    private final InstanceTask error;
    private final String what;

    ReplicaTaskEnd(MetadataStore store, InstanceTask running, InstanceTask error, String what) {
        this.store = store;
        this.running = running;
        this.error = error;
        this.what = what;
    }

    void succeeded(StepContext ctx) {
        store.instances.clearFault(ctx.instanceId());
        store.instances.compareAndSetTask(ctx.instanceId(), running, InstanceTask.NONE);
        releaseOthers(ctx);
    }

    void failed(StepContext ctx, String fault) {
        store.instances.setFault(ctx.instanceId(), error, what + " failed: " + fault);
        releaseOthers(ctx);
    }

    private void releaseOthers(StepContext ctx) {
        ctx.payload().path("involved").forEach(id -> {
            if (!id.asText().equals(ctx.instanceId())) {
                store.instances.compareAndSetTask(id.asText(), running, InstanceTask.NONE);
            }
        });
    }
}
