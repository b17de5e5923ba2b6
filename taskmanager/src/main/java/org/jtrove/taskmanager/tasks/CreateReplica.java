package org.jtrove.taskmanager.tasks;

import java.util.Map;
import java.util.Set;
import org.jtrove.backupstorage.BackupVault;
import org.jtrove.bus.GuestApi;
import org.jtrove.model.InstanceTask;
import org.jtrove.model.TaskType;
import org.jtrove.store.MetadataStore;
import org.jtrove.taskmanager.engine.Step;
import org.jtrove.taskmanager.engine.StepContext;
import org.jtrove.taskmanager.engine.StepResult;
import org.jtrove.taskmanager.engine.TaskDefinition;

/**
 * Builds a replica as Trove does (a snapshot of the source, restored, then attached): PLACED on another guest-agent
 * host than its source when there is one, then the {@link ReplicaBuild} (SOURCE_READY, SNAPSHOT_STORED, PREPARED,
 * SNAPSHOT_REMOVED, HEALTHY) with WRITER_READY (the set's writer address, made with its first replica, forwarded to
 * the source) after SOURCE_READY, and STANDBYS_UPDATED (a synchronous source's commits wait for it too, now that it
 * streams) at the end. Every step can run again.
 */
public final class CreateReplica implements TaskDefinition {
    private final MetadataStore store;
    private final ReplicaBuild build;
    private final Steps steps;

    public CreateReplica(MetadataStore store, Placements placements, GuestApi guests, InstanceSteps instances,
                         TakeBackup backups, BackupVault vault, ReplicaSets sets) {
        this.store = store;
        this.build = new ReplicaBuild(store, placements, guests, instances, backups, vault, instances::buildDeadline,
                instances.buildTimeoutFault());
        Map<String, Step> byName = build.steps(guests::prepareReplica);
        byName.put("PLACED", ctx -> {
            if (build.late(ctx)) {
                return StepResult.fail(504, build.timeoutFault());
            }
            String sourceHost = store.instances.computeHost(ReplicaBuild.sourceId(ctx));
            placements.place(ctx.instanceId(), sourceHost == null ? Set.of() : Set.of(sourceHost));
            return StepResult.done();
        });
        byName.put("WRITER_READY", ctx -> {
            sets.ensureWriter(ReplicaBuild.sourceId(ctx));
            return StepResult.done();
        });
        byName.put("STANDBYS_UPDATED", ctx -> {
            sets.putModeInForce(ReplicaBuild.sourceId(ctx), ctx.instanceId(), null, false);
            return StepResult.done();
        });
        this.steps = new Steps(type(), byName);
    }

    @Override
    public TaskType type() {
        return TaskType.CREATE_REPLICA;
    }

    @Override
    public Step step(String name) {
        return steps.get(name);
    }

    @Override
    public void succeeded(StepContext ctx) {
        store.instances.clearFault(ctx.instanceId());
        store.instances.compareAndSetTask(ctx.instanceId(), InstanceTask.BUILDING, InstanceTask.NONE);
    }

    @Override
    public void failed(StepContext ctx, int status, String fault) throws Exception {
        build.removeSnapshot(ctx);
        store.instances.setFault(ctx.instanceId(), status == 504 ? InstanceTask.BUILDING_ERROR_TIMEOUT_GA
                : InstanceTask.BUILDING_ERROR_REPLICA, "Replica build failed: " + fault);
    }
}
