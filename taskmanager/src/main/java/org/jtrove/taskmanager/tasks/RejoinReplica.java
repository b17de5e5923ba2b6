package org.jtrove.taskmanager.tasks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.jtrove.backupstorage.BackupVault;
import org.jtrove.bus.GuestApi;
import org.jtrove.model.InstanceTask;
import org.jtrove.model.Json;
import org.jtrove.model.TaskType;
import org.jtrove.store.MetadataStore;
import org.jtrove.taskmanager.engine.Step;
import org.jtrove.taskmanager.engine.StepContext;
import org.jtrove.taskmanager.engine.StepResult;
import org.jtrove.taskmanager.engine.TaskDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A fenced old source (see {@link Failover}) whose guest agent reports again becomes a replica of the new source
 * ({@code replica_of} in the payload), since its data may hold transactions the new source never received:
 * SOURCE_READY, then REWOUND (PostgreSQL: {@code rewind_replica}, pg_rewind to the new source, then it follows),
 * else the rest of the {@link ReplicaBuild} (its data replaced by a snapshot of the new source, {@code
 * rebuild_replica}; always so for MariaDB); STANDBYS_UPDATED (it shows as {@code replica_of} the new source, the
 * set's writer address is forwarded to the new source again, in case its host was the one lost, and a synchronous
 * new source waits for it too). It is then no longer fenced; a failure leaves REJOIN_ERROR with a fault.
 */
public final class RejoinReplica implements TaskDefinition {
    private static final Logger LOG = LoggerFactory.getLogger(RejoinReplica.class);
    private final MetadataStore store;
    private final ReplicaBuild build;
    private final GuestApi guests;
    private final Steps steps;

    public RejoinReplica(MetadataStore store, Placements placements, GuestApi guests, InstanceSteps instances,
                         TakeBackup backups, BackupVault vault, ReplicaSets sets) {
        this.store = store;
        this.guests = guests;
        this.build = new ReplicaBuild(store, placements, guests, instances, backups, vault, instances::rebuildDeadline,
                "The old source did not rejoin as a replica within the build timeout (usage_timeout). Check its"
                        + " guest agent and server log; delete the instance if it cannot be rebuilt.");
        Map<String, Step> byName = build.steps(guests::rebuildReplica);
        byName.put("REWOUND", build.withSource("the rewind", guests::rewindReplica));
        for (String copy : List.of("SNAPSHOT_STORED", "PREPARED")) {
            Step full = byName.get(copy);
            byName.put(copy, ctx -> rewound(ctx) ? StepResult.done() : full.run(ctx));
        }
        byName.put("STANDBYS_UPDATED", ctx -> {
            String source = ReplicaBuild.sourceId(ctx);
            store.instances.setReplicaOf(ctx.instanceId(), source);
            sets.putModeInForce(source, ctx.instanceId(), null, false);
            try {
                sets.forwardWriterAgain(source);
            } catch (RuntimeException e) {
                LOG.warn("instance {} rejoined {}, but the set's writer address was not forwarded to {} ({});"
                        + " promote or eject moves it", ctx.instanceId(), source, source, e.getMessage());
            }
            return StepResult.done();
        });
        this.steps = new Steps(type(), byName);
    }

    /** The new source drops what SOURCE_READY made for this instance (a PostgreSQL slot would keep WAL for good). */
    private void forgetOnSource(StepContext ctx) {
        try {
            guests.forgetReplica(ReplicaBuild.sourceId(ctx), ctx.instanceId());
        } catch (RuntimeException e) {
            LOG.warn("instance {}: its new source {} did not forget it ({}); drop its slot there by hand if it keeps"
                    + " WAL", ctx.instanceId(), ReplicaBuild.sourceId(ctx), e.getMessage());
        }
    }

    /** Whether REWOUND made the old source follow the new one (no snapshot and rebuild needed). */
    private static boolean rewound(StepContext ctx) {
        JsonNode r = GuestOperationStep.result(ctx, "REWOUND");
        return r != null && r.path("rewound").asBoolean();
    }

    @Override
    public TaskType type() {
        return TaskType.REJOIN_REPLICA;
    }

    @Override
    public Step step(String name) {
        return steps.get(name);
    }

    @Override
    public void succeeded(StepContext ctx) {
        String source = ReplicaBuild.sourceId(ctx);
        store.instances.setReplicaOf(ctx.instanceId(), source);
        String stored = store.instances.failover(ctx.instanceId());
        if (stored != null) {
            ObjectNode event = (ObjectNode) Json.parse(stored);
            event.put("rejoined", Instant.now().toString());
            event.put("rejoined_by", rewound(ctx) ? "rewind" : "copy");
            store.instances.setFailover(ctx.instanceId(), event.toString());
        }
        store.instances.clearFault(ctx.instanceId());
        store.instances.compareAndSetTask(ctx.instanceId(), InstanceTask.REJOINING, InstanceTask.NONE);
        LOG.info("instance {} rejoined its group as a replica of {} ({})", ctx.instanceId(), source,
                rewound(ctx) ? "rewound" : "from a fresh copy");
    }

    @Override
    public void failed(StepContext ctx, int status, String fault) throws Exception {
        build.removeSnapshot(ctx);
        forgetOnSource(ctx);
        store.instances.setFault(ctx.instanceId(), InstanceTask.REJOIN_ERROR, "Rejoining as a replica of "
                + ReplicaBuild.sourceId(ctx) + " failed: " + fault + " The instance stays fenced (its server is not"
                + " started); delete it, or create a new replica.");
    }
}
