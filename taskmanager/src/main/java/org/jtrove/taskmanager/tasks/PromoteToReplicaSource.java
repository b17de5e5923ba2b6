package org.jtrove.taskmanager.tasks;

import java.util.Map;
import org.jtrove.bus.GuestApi;
import org.jtrove.model.InstanceTask;
import org.jtrove.model.TaskType;
import org.jtrove.store.InstanceRecord;
import org.jtrove.store.MetadataStore;
import org.jtrove.taskmanager.engine.StepContext;
import org.jtrove.taskmanager.engine.StepResult;

/**
 * Trove's promote_to_replica_source, a planned switchover run on the replica: SOURCE_FENCED (the source stops taking
 * writes and answers its final position: PostgreSQL stops with a fast shutdown after sending its WAL, MariaDB turns
 * read_only, Redis pauses writes), PROMOTED (the replica applies everything up to that position, then takes writes:
 * no committed transaction is lost), WRITER_MOVED (the set's writer address and replication mode move to it),
 * OTHERS_REPOINTED (the other replicas, then the old source, follow the new source), STANDBYS_UPDATED (in synchronous
 * mode its commits wait for them), PROMOTION_RECORDED.
 */
public final class PromoteToReplicaSource extends ReplicaTask {

    public PromoteToReplicaSource(MetadataStore store, Placements placements, GuestApi guests, ReplicaSets sets) {
        super(store, TaskType.PROMOTE_TO_REPLICA_SOURCE, InstanceTask.PROMOTING, InstanceTask.PROMOTION_ERROR, "Promotion");
        ReplicationSources sources = new ReplicationSources(store, guests, placements);
        steps(Map.of(
                "SOURCE_FENCED", ctx -> {
                    ctx.outputs().put("position", guests.fenceSource(oldSource(ctx)));
                    return StepResult.done();
                },
                "PROMOTED", ctx -> {
                    guests.promoteReplica(ctx.instanceId(), ctx.outputs().path("position").asText());
                    return StepResult.done();
                },
                "WRITER_MOVED", ctx -> {
                    sets.handOver(oldSource(ctx), ctx.instanceId());
                    return StepResult.done();
                },
                "OTHERS_REPOINTED", ctx -> {
                    store.instances.setReplicaOf(ctx.instanceId(), null);
                    for (InstanceRecord other : store.instances.replicasOf(oldSource(ctx))) {
                        if (!other.id().equals(ctx.instanceId())) {
                            sources.follow(other.id(), ctx.instanceId());
                        }
                    }
                    sources.follow(oldSource(ctx), ctx.instanceId());
                    return StepResult.done();
                },
                "STANDBYS_UPDATED", ctx -> {
                    sets.putModeInForce(ctx.instanceId(), null, null, false);
                    return StepResult.done();
                },
                "PROMOTION_RECORDED", ctx -> StepResult.done()));
    }

    private static String oldSource(StepContext ctx) {
        return ctx.payload().path("replica_of").asText();
    }
}
