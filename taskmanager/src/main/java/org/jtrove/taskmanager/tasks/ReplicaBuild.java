package org.jtrove.taskmanager.tasks;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jtrove.backupstorage.BackupVault;
import org.jtrove.bus.GuestApi;
import org.jtrove.model.guest.Managers;
import org.jtrove.model.guest.ReplicaRequest;
import org.jtrove.model.guest.ReplicationSource;
import org.jtrove.model.guest.RestoreSource;
import org.jtrove.store.BackupRecord;
import org.jtrove.store.InstanceRecord;
import org.jtrove.store.MetadataStore;
import org.jtrove.taskmanager.engine.Step;
import org.jtrove.taskmanager.engine.StepContext;
import org.jtrove.taskmanager.engine.StepResult;

/**
 * The replica build's steps, shared by a new replica ({@link CreateReplica}) and a fenced old source that rejoins
 * its group ({@link RejoinReplica}); the source is {@code replica_of} in the task's payload: SOURCE_READY
 * (jtrove's replication user, and the replica's slot on a PostgreSQL source, made before the snapshot starts so the
 * source keeps every WAL segment the replica will ask for); SNAPSHOT_STORED (a backup of the running source taken
 * by its guest agent into backup storage, the way every backup is taken, so it works on every server build and
 * across hosts; none for Redis); PREPARED (the replica's agent restores the snapshot and follows the source);
 * SNAPSHOT_REMOVED; HEALTHY. Every step can run again.
 */
final class ReplicaBuild {
    /** Has the replica's guest agent build it from the snapshot ({@code prepare_replica} or {@code rebuild_replica}). */
    interface Sender {
        void send(String instanceId, String operationId, ReplicaRequest request);
    }

    private final MetadataStore store;
    private final InstanceSteps instances;
    private final TakeBackup backups;
    private final BackupVault vault;
    private final ReplicationSources sources;
    private final GuestOperationStep.Deadline deadline;
    private final String timeoutFault;

    ReplicaBuild(MetadataStore store, Placements placements, GuestApi guests, InstanceSteps instances,
                 TakeBackup backups, BackupVault vault, GuestOperationStep.Deadline deadline, String timeoutFault) {
        this.store = store;
        this.instances = instances;
        this.backups = backups;
        this.vault = vault;
        this.sources = new ReplicationSources(store, guests, placements);
        this.deadline = deadline;
        this.timeoutFault = timeoutFault;
    }

    /** The five steps by name; {@code sender} has the agent build the replica. */
    Map<String, Step> steps(Sender sender) {
        Map<String, Step> steps = new HashMap<>();
        steps.put("SOURCE_READY", ctx -> {
            sources.source(sourceId(ctx), ctx.instanceId());
            return StepResult.done();
        });
        steps.put("SNAPSHOT_STORED", this::snapshot);
        steps.put("PREPARED", new GuestOperationStep(store, "the replica build", deadline, timeoutFault,
                (ctx, operationId) -> sender.send(ctx.instanceId(), operationId, new ReplicaRequest(
                        CreateInstance.prepareRequest(store, instances.instance(ctx), List.of(), List.of(), chain(ctx),
                                null), sources.source(sourceId(ctx), ctx.instanceId())))));
        steps.put("SNAPSHOT_REMOVED", ctx -> {
            removeSnapshot(ctx);
            return StepResult.done();
        });
        steps.put("HEALTHY", instances.healthy(deadline, timeoutFault));
        return steps;
    }

    /** Has the replica's guest agent do one long operation that needs the source readied for it. */
    interface SourceSender {
        void send(String instanceId, String operationId, ReplicationSource source);
    }

    /** A step in which the replica's agent does {@code what} with the source readied for it, within the deadline. */
    Step withSource(String what, SourceSender sender) {
        return new GuestOperationStep(store, what, deadline, timeoutFault, (ctx, operationId) -> sender.send(
                ctx.instanceId(), operationId, sources.source(sourceId(ctx), ctx.instanceId())));
    }

    /** Whether the build is past its deadline (the fault to fail with is {@link #timeoutFault()}). */
    boolean late(StepContext ctx) {
        return Instant.now().isAfter(deadline.of(ctx));
    }

    String timeoutFault() {
        return timeoutFault;
    }

    static String sourceId(StepContext ctx) {
        return ctx.payload().path("replica_of").asText();
    }

    /** The snapshot's backup id: one per task, the same on every run of the step. */
    private static String snapshotId(StepContext ctx) {
        return UUID.nameUUIDFromBytes((ctx.taskId() + "/snapshot").getBytes(StandardCharsets.UTF_8)).toString();
    }

    private StepResult snapshot(StepContext ctx) throws Exception {
        InstanceRecord source = sources.instance(sourceId(ctx));
        if (!Managers.replicaNeedsSnapshot(sources.manager(source))) {
            return StepResult.done();
        }
        if (late(ctx)) {
            return StepResult.fail(504, timeoutFault);
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

    /** Removes the task's snapshot (if one was taken) from the store and the backup storage. */
    void removeSnapshot(StepContext ctx) throws Exception {
        BackupRecord b = store.backups.find(snapshotId(ctx)).orElse(null);
        if (b != null) {
            backups.discard(b.id(), "the replica build ended");
            vault.delete(b.storageKey());
            store.backups.markDeleted(b.id());
        }
    }
}
