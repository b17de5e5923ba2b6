package org.jtrove.taskmanager.tasks;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.jtrove.backupstorage.BackupVault;
import org.jtrove.bus.GuestApi;
import org.jtrove.model.InstanceTask;
import org.jtrove.model.TaskType;
import org.jtrove.model.guest.Managers;
import org.jtrove.model.guest.ReplicaRequest;
import org.jtrove.model.guest.RestoreSource;
import org.jtrove.store.BackupRecord;
import org.jtrove.store.InstanceRecord;
import org.jtrove.store.MetadataStore;
import org.jtrove.taskmanager.engine.Step;
import org.jtrove.taskmanager.engine.StepContext;
import org.jtrove.taskmanager.engine.StepResult;
import org.jtrove.taskmanager.engine.TaskDefinition;

/**
 * Builds a replica as Trove does (a snapshot of the source, restored, then attached): PLACED on another guest-agent
 * host than its source when there is one; SOURCE_READY (jtrove's replication user, and the replica's slot on a
 * PostgreSQL source, made before the snapshot starts so the source keeps every WAL segment the replica will ask
 * for); WRITER_READY (the set's writer address, made with its first replica, forwarded to the source);
 * SNAPSHOT_STORED (a backup of the running source taken by its guest agent into backup storage, the way every
 * backup is taken, so it works on every server build and across hosts; none for Redis); PREPARED (the replica's
 * agent restores the snapshot and follows the source); SNAPSHOT_REMOVED; HEALTHY; STANDBYS_UPDATED (a synchronous
 * source's commits wait for it too, now that it streams). Every step can run again.
 */
public final class CreateReplica implements TaskDefinition {
    private final MetadataStore store;
    private final InstanceSteps instances;
    private final TakeBackup backups;
    private final BackupVault vault;
    private final ReplicationSources sources;
    private final Steps steps;

    public CreateReplica(MetadataStore store, Placements placements, GuestApi guests, InstanceSteps instances,
                         TakeBackup backups, BackupVault vault, ReplicaSets sets) {
        this.store = store;
        this.instances = instances;
        this.backups = backups;
        this.vault = vault;
        this.sources = new ReplicationSources(store, guests, placements);
        this.steps = new Steps(type(), Map.of(
                "PLACED", ctx -> {
                    if (Instant.now().isAfter(instances.buildDeadline(ctx))) {
                        return StepResult.fail(504, instances.buildTimeoutFault());
                    }
                    String sourceHost = store.instances.computeHost(sourceId(ctx));
                    placements.place(ctx.instanceId(), sourceHost == null ? Set.of() : Set.of(sourceHost));
                    return StepResult.done();
                },
                "SOURCE_READY", ctx -> {
                    sources.source(sourceId(ctx), ctx.instanceId());
                    return StepResult.done();
                },
                "WRITER_READY", ctx -> {
                    sets.ensureWriter(sourceId(ctx));
                    return StepResult.done();
                },
                "SNAPSHOT_STORED", this::snapshot,
                "PREPARED", new GuestOperationStep(store, "the replica build", instances::buildDeadline,
                        instances.buildTimeoutFault(), (ctx, operationId) -> guests.prepareReplica(ctx.instanceId(),
                        operationId, new ReplicaRequest(CreateInstance.prepareRequest(store, instances.instance(ctx),
                                List.of(), List.of(), chain(ctx), null), sources.source(sourceId(ctx), ctx.instanceId())))),
                "SNAPSHOT_REMOVED", ctx -> {
                    removeSnapshot(ctx);
                    return StepResult.done();
                },
                "HEALTHY", instances.healthy(instances::buildDeadline, instances.buildTimeoutFault()),
                "STANDBYS_UPDATED", ctx -> {
                    sets.putModeInForce(sourceId(ctx), ctx.instanceId(), null, false);
                    return StepResult.done();
                }));
    }

    private static String sourceId(StepContext ctx) {
        return ctx.payload().path("replica_of").asText();
    }

    /** The snapshot's backup id: one per task, the same on every run of the step. */
    private static String snapshotId(StepContext ctx) {
        return UUID.nameUUIDFromBytes((ctx.taskId() + "/snapshot").getBytes(StandardCharsets.UTF_8)).toString();
    }

    private boolean needsSnapshot(InstanceRecord source) {
        return Managers.replicaNeedsSnapshot(sources.manager(source));
    }

    private StepResult snapshot(StepContext ctx) throws Exception {
        InstanceRecord source = sources.instance(sourceId(ctx));
        if (!needsSnapshot(source)) {
            return StepResult.done();
        }
        if (Instant.now().isAfter(instances.buildDeadline(ctx))) {
            return StepResult.fail(504, instances.buildTimeoutFault());
        }
        Instant now = Instant.now();
        if (!store.backups.insertIfAbsent(new BackupRecord(snapshotId(ctx), source.projectId(),
                "replication snapshot for " + ctx.instanceId(), "Taken to build replica " + ctx.instanceId()
                + "; removed when it is built.", source.id(), null, source.datastoreVersionId(), "full",
                BackupRecord.NEW, null, null, null, null, null, now, now, false), ctx.instanceId())) {
            // one backup of an instance at a time: the snapshot of another replica built with this one, or a user's
            return StepResult.waitFor(Duration.ofSeconds(1), "waiting for another backup of the source to end");
        }
        return backups.stored(ctx, snapshotId(ctx));
    }

    private List<RestoreSource> chain(StepContext ctx) {
        BackupRecord b = store.backups.find(snapshotId(ctx)).orElse(null);
        return b == null ? List.of() : List.of(new RestoreSource(b.id(), b.storageKey(), b.checksum(), b.meta()));
    }

    private void removeSnapshot(StepContext ctx) throws Exception {
        BackupRecord b = store.backups.find(snapshotId(ctx)).orElse(null);
        if (b != null) {
            backups.discard(b.id(), "the replica build ended");
            vault.delete(b.storageKey());
            store.backups.markDeleted(b.id());
        }
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
        removeSnapshot(ctx);
        store.instances.setFault(ctx.instanceId(), status == 504 ? InstanceTask.BUILDING_ERROR_TIMEOUT_GA
                : InstanceTask.BUILDING_ERROR_REPLICA, "Replica build failed: " + fault);
    }
}
