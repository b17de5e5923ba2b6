package org.jtrove.taskmanager;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jtrove.backupstorage.BackupCodec;
import org.jtrove.backupstorage.BackupVault;
import org.jtrove.backupstorage.LocalBackupStorage;
import org.jtrove.model.InstanceTask;
import org.jtrove.model.TaskType;
import org.jtrove.model.guest.ArchiveReport;
import org.jtrove.store.DatastoreVersionRecord;
import org.jtrove.store.InstanceRecord;
import org.jtrove.store.MetadataStore;
import org.jtrove.store.SecretBox;
import org.jtrove.store.TaskRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The janitor on a real metadata store and backup directory: it discards what no writer will finish (a backup that
 * is not running, an archived log file of a deleted instance) and leaves what a writer is on or will write again.
 */
class BackupJanitorTest {
    @TempDir
    Path dir;
    private MetadataStore store;
    private LocalBackupStorage storage;
    private BackupVault vault;
    private DatastoreVersionRecord version;

    @BeforeEach
    void open() {
        store = MetadataStore.embedded(dir.resolve("store"), SecretBox.ephemeral());
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        storage = new LocalBackupStorage(dir.resolve("backups"));
        vault = new BackupVault(storage, new BackupCodec(key));
        var ds = store.datastores.upsertDatastore("postgresql", "postgresql");
        version = store.datastores.upsertVersion(ds.id(), "15", "15", "postgresql", true, "debian", "/bin", "/");
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void discardsOnlyWhatNoWriterWillFinish() throws Exception {
        String live = instance();
        String deleted = instance();
        store.instances.markDeleted(deleted);
        String liveArchive = ArchiveReport.objectId(live, "000000010000000000000003") + ".jtl";
        String deletedArchive = ArchiveReport.objectId(deleted, "000000010000000000000001") + ".jtl";
        String strayBackup = UUID.randomUUID() + ".jtb";
        for (String key : List.of(liveArchive, deletedArchive, strayBackup)) {
            unfinished(key);
        }

        int discarded = new BackupJanitor(store, vault).sweep();

        assertThat(discarded).isEqualTo(2);
        assertThat(vault.partialKeys()).containsExactly(liveArchive);
    }

    @Test
    void archiveKeysNameTheirInstance() {
        String id = UUID.randomUUID().toString();
        assertThat(ArchiveReport.instanceOf(ArchiveReport.objectId(id, "mariadb-bin.000004") + ".jtl")).isEqualTo(id);
        assertThat(ArchiveReport.objectId(id, "x")).startsWith(ArchiveReport.keyPrefix(id));
        assertThat(ArchiveReport.instanceOf(id + ".jtb")).isNull();
        assertThat(ArchiveReport.instanceOf("archive-short")).isNull();
    }

    /** An object whose writer died: created, written to, never closed. */
    private void unfinished(String key) throws Exception {
        OutputStream out = storage.create(key);
        out.write(new byte[] {1, 2, 3});
        out.flush();
    }

    private String instance() {
        Instant now = Instant.now();
        InstanceRecord i = new InstanceRecord(UUID.randomUUID().toString(), "p1", "db", "small", version.id(), 2,
                null, null, InstanceTask.NONE.name(), null, null, now, now, false, null);
        store.instances.insertWithTask(i, TaskRecord.start(TaskType.CREATE, i.id(), Map.of()));
        return i.id();
    }
}
