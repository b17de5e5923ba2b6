package org.jtrove.taskmanager.tasks;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import org.jtrove.backupstorage.BackupVault;
import org.jtrove.bus.GuestApi;
import org.jtrove.model.InstanceTask;
import org.jtrove.model.Json;
import org.jtrove.model.TaskType;
import org.jtrove.store.MetadataStore;
import org.jtrove.taskmanager.engine.Step;
import org.jtrove.taskmanager.engine.StepContext;
import org.jtrove.taskmanager.engine.TaskDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A fenced old source (see {@link Failover}) whose guest agent reports again becomes a replica of the new source
 * ({@code replica_of} in the payload) through the {@link ReplicaBuild}: its data is replaced by a snapshot of the
 * new source ({@code rebuild_replica}), since it may hold transactions the new source never received. It then
 * shows as {@code replica_of} the new source and is no longer fenced; a failure leaves REJOIN_ERROR with a fault.
 */
public final class RejoinReplica implements TaskDefinition {
    private static final Logger LOG = LoggerFactory.getLogger(RejoinReplica.class);
    private final MetadataStore store;
    private final ReplicaBuild build;
    private final Steps steps;

    public RejoinReplica(MetadataStore store, Placements placements, GuestApi guests, InstanceSteps instances,
                         TakeBackup backups, BackupVault vault) {
        this.store = store;
        this.build = new ReplicaBuild(store, placements, guests, instances, backups, vault, instances::rebuildDeadline,
                "The old source did not rejoin as a replica within the build timeout (usage_timeout). Check its"
                        + " guest agent and server log; delete the instance if it cannot be rebuilt.");
        this.steps = new Steps(type(), build.steps(guests::rebuildReplica));
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
            store.instances.setFailover(ctx.instanceId(), event.toString());
        }
        store.instances.clearFault(ctx.instanceId());
        store.instances.compareAndSetTask(ctx.instanceId(), InstanceTask.REJOINING, InstanceTask.NONE);
        LOG.info("instance {} rejoined its group as a replica of {}", ctx.instanceId(), source);
    }

    @Override
    public void failed(StepContext ctx, int status, String fault) throws Exception {
        build.removeSnapshot(ctx);
        store.instances.setFault(ctx.instanceId(), InstanceTask.REJOIN_ERROR, "Rejoining as a replica of "
                + ReplicaBuild.sourceId(ctx) + " failed: " + fault + " The instance stays fenced (its server is not"
                + " started); delete it, or create a new replica.");
    }
}
