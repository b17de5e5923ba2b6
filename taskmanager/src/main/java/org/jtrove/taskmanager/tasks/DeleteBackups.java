package org.jtrove.taskmanager.tasks;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import org.jtrove.backupstorage.BackupVault;
import org.jtrove.model.TaskType;
import org.jtrove.store.BackupRecord;
import org.jtrove.store.MetadataStore;
import org.jtrove.taskmanager.engine.Step;
import org.jtrove.taskmanager.engine.StepContext;
import org.jtrove.taskmanager.engine.StepResult;
import org.jtrove.taskmanager.engine.TaskDefinition;

/**
 * Deletes backups (a backup and the incrementals built on it, children first; the API marked them DELETING):
 * BACKUPS_REMOVED removes each stored object, then its row. A storage failure marks the backup DELETE_FAILED.
 */
public final class DeleteBackups implements TaskDefinition {
    private final MetadataStore store;
    private final BackupVault vault;
    private final Steps steps;

    public DeleteBackups(MetadataStore store, BackupVault vault) {
        this.store = store;
        this.vault = vault;
        this.steps = new Steps(type(), Map.of("BACKUPS_REMOVED", this::removeAll));
    }

    private StepResult removeAll(StepContext ctx) throws Exception {
        for (JsonNode backupId : ctx.payload().path("backup_ids")) {
            BackupRecord b = store.backups.find(backupId.asText()).orElse(null);
            if (b == null) {
                continue;
            }
            try {
                vault.delete(b.storageKey());
            } catch (Exception e) {
                store.backups.setState(b.id(), BackupRecord.DELETE_FAILED, "Deleting the stored data failed: " + e.getMessage());
                throw e;
            }
            store.backups.markDeleted(b.id());
        }
        return StepResult.done();
    }

    @Override
    public TaskType type() {
        return TaskType.DELETE_BACKUP;
    }

    @Override
    public Step step(String name) {
        return steps.get(name);
    }

    @Override
    public void succeeded(StepContext ctx) {
        // each backup's row was marked deleted
    }

    @Override
    public void failed(StepContext ctx, int status, String fault) {
        // the backup that failed was marked DELETE_FAILED
    }
}
