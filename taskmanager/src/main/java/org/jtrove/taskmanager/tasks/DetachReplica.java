package org.jtrove.taskmanager.tasks;

import java.util.Map;
import org.jtrove.bus.GuestApi;
import org.jtrove.model.InstanceTask;
import org.jtrove.model.TaskType;
import org.jtrove.store.MetadataStore;
import org.jtrove.taskmanager.engine.StepResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trove's detach_replica (PATCH replica_of: null): STANDBYS_UPDATED (a synchronous source no longer waits for it, so
 * a dead replica's detach frees the source's blocked commits), DETACHED (the replica stops following and takes writes),
 * SOURCE_CLEANED (the source forgets it: its PostgreSQL slot is dropped, so no WAL is kept for it; a source that does
 * not answer is left as it is), DETACH_RECORDED (the store no longer shows it as a replica).
 */
public final class DetachReplica extends ReplicaTask {
    private static final Logger LOG = LoggerFactory.getLogger(DetachReplica.class);
    private final MetadataStore store;

    public DetachReplica(MetadataStore store, GuestApi guests, ReplicaSets sets) {
        super(store, TaskType.DETACH_REPLICA, InstanceTask.DETACHING, InstanceTask.DETACHING_ERROR, "Detach");
        this.store = store;
        steps(Map.of(
                "STANDBYS_UPDATED", ctx -> {
                    sets.releaseSource(ctx.payload().path("replica_of").asText(), ctx.instanceId());
                    return StepResult.done();
                },
                "DETACHED", ctx -> {
                    guests.promoteReplica(ctx.instanceId(), null);
                    return StepResult.done();
                },
                "SOURCE_CLEANED", ctx -> {
                    String source = ctx.payload().path("replica_of").asText();
                    try {
                        guests.forgetReplica(source, ctx.instanceId());
                    } catch (RuntimeException e) {
                        LOG.warn("detach of {}: its source {} did not forget it: {}", ctx.instanceId(), source,
                                e.getMessage());
                    }
                    return StepResult.done();
                },
                "DETACH_RECORDED", ctx -> {
                    store.instances.setReplicaOf(ctx.instanceId(), null);
                    return StepResult.done();
                }));
    }
}
