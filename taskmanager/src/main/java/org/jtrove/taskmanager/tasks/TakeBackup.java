package org.jtrove.taskmanager.tasks;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.jtrove.backupstorage.BackupVault;
import org.jtrove.bus.GuestApi;
import org.jtrove.model.TaskType;
import org.jtrove.model.guest.BackupRequest;
import org.jtrove.store.BackupRecord;
import org.jtrove.store.MetadataStore;
import org.jtrove.taskmanager.engine.Step;
import org.jtrove.taskmanager.engine.StepContext;
import org.jtrove.taskmanager.engine.StepResult;
import org.jtrove.taskmanager.engine.TaskDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes a backup: BACKUP_STORED asks the instance's guest agent to take it (the agent works in the background
 * and reports through the conductor) and waits until the backup row is COMPLETED or FAILED, within
 * {@code backup_timeout} of the request; past it the backup is cancelled on the guest. The request is sent again
 * on the step's first run in each claim and every {@link GuestOperationStep#RESEND} (the agent ignores it while it
 * works on that backup and reports the stored outcome again once done), so an agent that died with the backup
 * starts it over, replacing the partial object. A failed backup leaves no stored object behind.
 */
public final class TakeBackup implements TaskDefinition {
    private static final Logger LOG = LoggerFactory.getLogger(TakeBackup.class);
    private final MetadataStore store;
    private final GuestApi guests;
    private final BackupVault vault;
    private final Duration backupTimeout;
    private final Steps steps;

    public TakeBackup(MetadataStore store, GuestApi guests, BackupVault vault, Duration backupTimeout) {
        this.store = store;
        this.guests = guests;
        this.vault = vault;
        this.backupTimeout = backupTimeout;
        this.steps = new Steps(type(), Map.of("BACKUP_STORED", this::stored));
    }

    private StepResult stored(StepContext ctx) throws Exception {
        return stored(ctx, backupId(ctx));
    }

    /**
     * Has the backup {@code backupId} taken (sent again on the step's first run in each claim and every
     * {@link GuestOperationStep#RESEND}) and waits for it; also a replica's snapshot of its source.
     */
    StepResult stored(StepContext ctx, String backupId) throws Exception {
        BackupRecord backup = store.backups.find(backupId).orElse(null);
        if (backup == null || BackupRecord.COMPLETED.equals(backup.state())) {
            return StepResult.done();
        }
        if (!backup.running()) {
            return StepResult.fail(500, backup.fault() == null ? "the backup failed" : backup.fault());
        }
        Instant now = Instant.now();
        if (now.isAfter(backup.created().plus(backupTimeout))) {
            cancel(backup.instanceId(), backup.id());
            return StepResult.fail(504, "The backup did not finish within "
                    + BigDecimal.valueOf(backupTimeout.toMillis(), 3).stripTrailingZeros().toPlainString()
                    + " s (backup_timeout); it was cancelled. Take it again, or raise backup_timeout for large databases.");
        }
        JsonNode sent = ctx.outputs().path("sent");
        if (ctx.firstRunInClaim() || !sent.isTextual()
                || Instant.parse(sent.asText()).plus(GuestOperationStep.RESEND).isBefore(now)) {
            guests.createBackup(backup.instanceId(), new BackupRequest(backup.id(), backup.storageKey(), parentMeta(backup)));
            ctx.outputs().put("sent", now.toString());
        }
        return StepResult.waitFor(GuestOperationStep.pollDelay(ctx, now), "waiting for the backup to be stored");
    }

    private String parentMeta(BackupRecord backup) {
        if (backup.parentId() == null) {
            return null;
        }
        return store.backups.find(backup.parentId()).map(BackupRecord::meta).orElseThrow(
                () -> new IllegalStateException("the parent backup " + backup.parentId() + " was deleted"));
    }

    private void cancel(String instanceId, String backupId) {
        try {
            guests.cancelBackup(instanceId, backupId);
        } catch (RuntimeException e) {
            LOG.warn("could not cancel backup {} on its guest agent: {}", backupId, e.getMessage());
        }
    }

    private static String backupId(StepContext ctx) {
        return ctx.payload().path("backup_id").asText();
    }

    @Override
    public TaskType type() {
        return TaskType.BACKUP;
    }

    @Override
    public Step step(String name) {
        return steps.get(name);
    }

    @Override
    public void succeeded(StepContext ctx) {
        // the conductor recorded COMPLETED
    }

    @Override
    public void failed(StepContext ctx, int status, String fault) throws Exception {
        discard(backupId(ctx), fault);
    }

    /** Fails the backup if it still runs and deletes what it stored unless it completed. */
    void discard(String id, String fault) throws Exception {
        store.backups.failIfRunning(id, "Backup failed: " + fault);
        BackupRecord b = store.backups.find(id).orElse(null);
        if (b != null && !BackupRecord.COMPLETED.equals(b.state())) {
            vault.delete(b.storageKey());   // what a cancelled or killed writer left
        }
    }
}
