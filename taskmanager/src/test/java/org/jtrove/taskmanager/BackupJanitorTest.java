package org.jtrove.taskmanager;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.jtrove.backupstorage.BackupVault;
import org.jtrove.backupstorage.LocalBackupStorage;
import org.jtrove.model.guest.ArchiveReport;
import org.jtrove.store.MetadataStore;
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
    private TestStore stores;
    private MetadataStore store;
    private LocalBackupStorage storage;
    private BackupVault vault;

    @BeforeEach
    void open() {
        stores = new TestStore(dir.resolve("store"));
        store = stores.store;
        storage = new LocalBackupStorage(dir.resolve("backups"));
        vault = TestStore.vault(storage);
    }

    @AfterEach
    void close() {
        stores.close();
    }

    @Test
    void discardsOnlyWhatNoWriterWillFinish() throws Exception {
        String live = stores.instance(null);
        String deleted = stores.instance(null);
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

}
