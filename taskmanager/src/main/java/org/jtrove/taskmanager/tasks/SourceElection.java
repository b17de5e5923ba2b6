package org.jtrove.taskmanager.tasks;

import java.util.Map;
import java.util.function.Function;
import org.jtrove.bus.GuestApi;
import org.jtrove.model.InstanceTask;
import org.jtrove.store.InstanceRecord;
import org.jtrove.store.MetadataStore;
import org.jtrove.taskmanager.engine.Step;
import org.jtrove.taskmanager.engine.StepContext;
import org.jtrove.taskmanager.engine.StepResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How the replicas of a lost source elect a new one (Trove's eject_replica_source, and jtrove's automatic failover):
 * CANDIDATE_CHOSEN (the replica whose data goes furthest, asked of each replica that answers), PROMOTED (it takes
 * writes), WRITER_MOVED (the set's writer address and replication mode move to it), OTHERS_REPOINTED (the other
 * replicas follow it), STANDBYS_UPDATED (in synchronous mode its commits wait for them). The old source is left out
 * of the set.
 */
final class SourceElection {
    private static final Logger LOG = LoggerFactory.getLogger(SourceElection.class);
    private final MetadataStore store;
    private final GuestApi guests;
    private final ReplicationSources sources;
    private final ReplicaSets sets;

    SourceElection(MetadataStore store, GuestApi guests, Placements placements, ReplicaSets sets) {
        this.store = store;
        this.guests = guests;
        this.sources = new ReplicationSources(store, guests, placements);
        this.sets = sets;
    }

    /** The five steps by name; {@code lostSource} names the lost source in a step's context. */
    Map<String, Step> steps(Function<StepContext, String> lostSource) {
        return Map.of(
                "CANDIDATE_CHOSEN", ctx -> choose(ctx, lostSource.apply(ctx)),
                "PROMOTED", ctx -> {
                    guests.promoteReplica(candidate(ctx), null);
                    return StepResult.done();
                },
                "WRITER_MOVED", ctx -> {
                    sets.handOverFromLost(lostSource.apply(ctx), candidate(ctx));
                    return StepResult.done();
                },
                "OTHERS_REPOINTED", ctx -> {
                    store.instances.setReplicaOf(candidate(ctx), null);
                    for (InstanceRecord other : store.instances.replicasOf(lostSource.apply(ctx))) {
                        if (takesPart(other)) {
                            sources.follow(other.id(), candidate(ctx));
                        }
                    }
                    return StepResult.done();
                },
                "STANDBYS_UPDATED", ctx -> {
                    sets.putModeInForce(candidate(ctx), null, null, false);
                    return StepResult.done();
                });
    }

    private StepResult choose(StepContext ctx, String lostSource) {
        String best = null;
        long bestRank = Long.MIN_VALUE;
        for (InstanceRecord r : store.instances.replicasOf(lostSource)) {
            if (!takesPart(r)) {
                continue;
            }
            try {
                long rank = guests.replicationRank(r.id());
                if (rank > bestRank) {
                    best = r.id();
                    bestRank = rank;
                }
            } catch (RuntimeException e) {
                LOG.warn("source {} is lost: its replica {} did not say how far it is: {}", lostSource, r.id(),
                        e.getMessage());
            }
        }
        if (best == null) {
            return StepResult.fail(409, "No replica of " + lostSource + " answered; bring one back (restart it) and"
                    + " eject again (an automatic failover tries again by itself).");
        }
        LOG.info("source {} is lost: its replica {} goes furthest (rank {}) and takes over", lostSource, best, bestRank);
        ctx.outputs().put("candidate", best);
        return StepResult.done();
    }

    /**
     * A replica that can take over or follow the new source: not leaving (being deleted or detached), not still
     * being built from the lost source (that build fails with it), not failed.
     */
    private static boolean takesPart(InstanceRecord r) {
        return !r.task().isError() && r.task() != InstanceTask.DELETING && r.task() != InstanceTask.DETACHING
                && r.task() != InstanceTask.BUILDING;
    }

    /** The replica chosen to take over (once CANDIDATE_CHOSEN is done). */
    static String candidate(StepContext ctx) {
        return ctx.outputs().path("candidate").asText();
    }
}
