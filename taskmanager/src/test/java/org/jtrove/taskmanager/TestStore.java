package org.jtrove.taskmanager;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.jtrove.backupstorage.BackupCodec;
import org.jtrove.backupstorage.BackupStorage;
import org.jtrove.backupstorage.BackupVault;
import org.jtrove.model.InstanceTask;
import org.jtrove.model.TaskType;
import org.jtrove.store.DatastoreVersionRecord;
import org.jtrove.store.InstanceRecord;
import org.jtrove.store.MetadataStore;
import org.jtrove.store.SecretBox;
import org.jtrove.store.TaskRecord;

/** The taskmanager tests' real embedded metadata store, with PostgreSQL 15 registered, and the instances made on it. */
final class TestStore implements AutoCloseable {
    final MetadataStore store;
    final DatastoreVersionRecord version;

    TestStore(Path dir) {
        store = MetadataStore.embedded(dir, SecretBox.ephemeral());
        var ds = store.datastores.upsertDatastore("postgresql", "postgresql");
        version = store.datastores.upsertVersion(ds.id(), "15", "15", "postgresql", true, "debian", "/bin", "/");
    }

    /** A live PostgreSQL instance of project p1 at {@code ip} (may be null), its create task recorded; its id. */
    String instance(String ip) {
        Instant now = Instant.now();
        InstanceRecord i = new InstanceRecord(UUID.randomUUID().toString(), "p1", "db", "small", version.id(), 2,
                ip, null, InstanceTask.NONE.name(), null, null, now, now, false, null);
        store.instances.insertWithTask(i, TaskRecord.start(TaskType.CREATE, i.id(), Map.of()));
        return i.id();
    }

    /** A vault on {@code storage} with a fresh random key. */
    static BackupVault vault(BackupStorage storage) {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return new BackupVault(storage, new BackupCodec(key));
    }

    @Override
    public void close() {
        store.close();
    }
}
