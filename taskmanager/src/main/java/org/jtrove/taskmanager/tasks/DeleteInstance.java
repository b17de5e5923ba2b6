package org.jtrove.taskmanager.tasks;

import java.util.List;
import java.util.Map;
import org.jtrove.backupstorage.BackupVault;
import org.jtrove.bus.GuestApi;
import org.jtrove.model.InstanceTask;
import org.jtrove.model.Json;
import org.jtrove.model.TaskType;
import org.jtrove.model.guest.ArchiveReport;
import org.jtrove.store.BackupRecord;
import org.jtrove.store.MetadataStore;
import org.jtrove.store.TaskRecord;
import org.jtrove.taskmanager.engine.Step;
import org.jtrove.taskmanager.engine.StepContext;
import org.jtrove.taskmanager.engine.StepResult;
import org.jtrove.taskmanager.engine.TaskDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes an instance, which the API marked DELETING before answering: OTHER_TASKS_STOPPED (its other tasks end,
 * its running backups fail and their partial objects go, as do the snapshots of its source taken to build it as a
 * replica), SERVER_REMOVED (a synchronous source stops waiting for it; the writer address it holds, as the last member
 * of its replica set, is given back; its host stops the server and removes its data, OS user, address and access
 * rules; its guest topic and bus credentials go; an archived log file whose upload was cut off goes),
 * DELETION_RECORDED.
 */
public final class DeleteInstance implements TaskDefinition {
    private static final Logger LOG = LoggerFactory.getLogger(DeleteInstance.class);
    private final MetadataStore store;
    private final Steps steps;

    public DeleteInstance(MetadataStore store, Placements placements, GuestApi guests, BackupVault vault,
                          ReplicaSets sets) {
        this.store = store;
        this.steps = new Steps(type(), Map.of(
                "OTHER_TASKS_STOPPED", ctx -> {
                    releaseInvolved(store, ctx);
                    store.tasks.failRunning(ctx.instanceId(), ctx.taskId(), "The instance is being deleted.");
                    for (BackupRecord b : store.backups.list(null, ctx.instanceId())) {
                        if (b.running()) {
                            cancel(guests, ctx.instanceId(), b.id());
                            store.backups.failIfRunning(b.id(), "Backup failed: the instance was deleted.");
                            vault.delete(b.storageKey());
                        }
                    }
                    for (BackupRecord b : store.backups.takenFor(ctx.instanceId())) {   // a replica's snapshot
                        if (b.running()) {
                            cancel(guests, b.instanceId(), b.id());
                        }
                        vault.delete(b.storageKey());
                        store.backups.markDeleted(b.id());
                    }
                    return StepResult.done();
                },
                "SERVER_REMOVED", ctx -> {
                    sets.releaseSource(store.instances.replicaOf(ctx.instanceId()), ctx.instanceId());
                    removeWriter(placements, ctx.instanceId());   // a source without replicas left holds its set's
                    placements.remove(ctx.instanceId());
                    discardUnfinishedArchives(vault, ctx.instanceId());
                    return StepResult.done();
                },
                "DELETION_RECORDED", ctx -> {
                    forgetOnSource(store, guests, ctx.instanceId());
                    store.instances.markDeleted(ctx.instanceId());
                    return StepResult.done();
                }));
    }

    /**
     * An archived log file whose upload was cut off (its agent killed) would wait for a retry that, with the server
     * gone, never comes; the archived files that were stored stay (point-in-time restore from its backups).
     */
    private static void discardUnfinishedArchives(BackupVault vault, String instanceId) throws Exception {
        for (String key : vault.partialKeys()) {
            if (key.startsWith(ArchiveReport.keyPrefix(instanceId))) {
                vault.discardPartial(key);
                LOG.info("instance {}: discarded the unfinished archived log {}", instanceId, key);
            }
        }
    }

    /**
     * The instances a replica task of this one marked (a failover's or an eject's replicas) get NONE back: the task
     * ends here without its own ending, which would have released them.
     */
    private static void releaseInvolved(MetadataStore store, StepContext ctx) {
        for (TaskRecord t : store.tasks.runningFor(ctx.instanceId())) {
            if (t.id().equals(ctx.taskId()) || t.payload() == null) {
                continue;
            }
            Json.parse(t.payload()).path("involved").forEach(id -> {
                for (InstanceTask marked : REPLICA_TASKS) {
                    if (!id.asText().equals(ctx.instanceId())) {
                        store.instances.compareAndSetTask(id.asText(), marked, InstanceTask.NONE);
                    }
                }
            });
        }
    }

    private static final List<InstanceTask> REPLICA_TASKS = List.of(InstanceTask.FAILING_OVER, InstanceTask.EJECTING,
            InstanceTask.PROMOTING, InstanceTask.DETACHING);

    /**
     * The writer address the instance holds goes with it; when the host that forwards it does not answer, the
     * delete goes on (the address stays recorded on that host, which never hands it out again).
     */
    private static void removeWriter(Placements placements, String instanceId) {
        try {
            placements.removeWriter(instanceId);
        } catch (RuntimeException e) {
            LOG.warn("instance {}: its replica set's writer address was not given back ({}); it stays unused",
                    instanceId, e.getMessage());
        }
    }

    /** A deleted replica's source keeps nothing for it (a PostgreSQL slot would hold WAL forever). */
    private static void forgetOnSource(MetadataStore store, GuestApi guests, String instanceId) {
        String source = store.instances.replicaOf(instanceId);
        if (source == null) {
            return;
        }
        try {
            guests.forgetReplica(source, instanceId);
        } catch (RuntimeException e) {
            LOG.warn("instance {}: its source {} did not forget it ({}); drop its slot there by hand if it keeps WAL",
                    instanceId, source, e.getMessage());
        }
    }

    private static void cancel(GuestApi guests, String instanceId, String backupId) {
        try {
            guests.cancelBackup(instanceId, backupId);
        } catch (RuntimeException e) {
            LOG.info("instance {}: backup {} not cancelled on its guest agent ({}); the agent goes with the instance",
                    instanceId, backupId, e.getMessage());
        }
    }

    @Override
    public TaskType type() {
        return TaskType.DELETE;
    }

    @Override
    public Step step(String name) {
        return steps.get(name);
    }

    @Override
    public void succeeded(StepContext ctx) {
        // DELETION_RECORDED wrote the outcome
    }

    @Override
    public void failed(StepContext ctx, int status, String fault) {
        store.instances.setFault(ctx.instanceId(), InstanceTask.DELETING_ERROR,
                "Delete failed: " + fault + " Try the delete again.");
    }
}
