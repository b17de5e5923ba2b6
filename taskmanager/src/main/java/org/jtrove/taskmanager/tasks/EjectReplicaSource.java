package org.jtrove.taskmanager.tasks;

import java.util.Map;
import org.jtrove.bus.GuestApi;
import org.jtrove.model.InstanceTask;
import org.jtrove.model.TaskType;
import org.jtrove.store.InstanceRecord;
import org.jtrove.store.MetadataStore;
import org.jtrove.taskmanager.engine.StepContext;
import org.jtrove.taskmanager.engine.StepResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trove's eject_replica_source, run on a source that is gone: CANDIDATE_CHOSEN (the replica whose data goes furthest,
 * asked of each replica that answers), PROMOTED (it takes writes), WRITER_MOVED (the set's writer address and
 * replication mode move to it), OTHERS_REPOINTED (the other replicas follow it), STANDBYS_UPDATED (in synchronous
 * mode its commits wait for them), EJECTION_RECORDED. The old source is left out of the set, a standalone instance.
 */
public final class EjectReplicaSource extends ReplicaTask {
    private static final Logger LOG = LoggerFactory.getLogger(EjectReplicaSource.class);

    public EjectReplicaSource(MetadataStore store, Placements placements, GuestApi guests, ReplicaSets sets) {
        super(store, TaskType.EJECT_REPLICA_SOURCE, InstanceTask.EJECTING, InstanceTask.EJECTION_ERROR, "Ejection");
        ReplicationSources sources = new ReplicationSources(store, guests, placements);
        steps(Map.of(
                "CANDIDATE_CHOSEN", ctx -> {
                    String best = null;
                    long bestRank = Long.MIN_VALUE;
                    for (InstanceRecord r : store.instances.replicasOf(ctx.instanceId())) {
                        try {
                            long rank = guests.replicationRank(r.id());
                            if (rank > bestRank) {
                                best = r.id();
                                bestRank = rank;
                            }
                        } catch (RuntimeException e) {
                            LOG.warn("eject of {}: replica {} did not say how far it is: {}", ctx.instanceId(), r.id(),
                                    e.getMessage());
                        }
                    }
                    if (best == null) {
                        return StepResult.fail(409, "No replica of " + ctx.instanceId() + " answered; bring one back"
                                + " (restart it) and eject again.");
                    }
                    ctx.outputs().put("candidate", best);
                    return StepResult.done();
                },
                "PROMOTED", ctx -> {
                    guests.promoteReplica(candidate(ctx), null);
                    return StepResult.done();
                },
                "WRITER_MOVED", ctx -> {
                    sets.handOver(ctx.instanceId(), candidate(ctx));
                    return StepResult.done();
                },
                "OTHERS_REPOINTED", ctx -> {
                    store.instances.setReplicaOf(candidate(ctx), null);
                    for (InstanceRecord other : store.instances.replicasOf(ctx.instanceId())) {
                        sources.follow(other.id(), candidate(ctx));
                    }
                    return StepResult.done();
                },
                "STANDBYS_UPDATED", ctx -> {
                    sets.putModeInForce(candidate(ctx), null, null, false);
                    return StepResult.done();
                },
                "EJECTION_RECORDED", ctx -> StepResult.done()));
    }

    private static String candidate(StepContext ctx) {
        return ctx.outputs().path("candidate").asText();
    }
}
