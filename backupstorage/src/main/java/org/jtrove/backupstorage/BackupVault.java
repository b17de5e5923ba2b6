package org.jtrove.backupstorage;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/** Backup storage plus the codec that seals what goes into it: the one object guest agents and tasks use. */
public final class BackupVault {
    private final BackupStorage storage;
    private final BackupCodec codec;

    public BackupVault(BackupStorage storage, BackupCodec codec) {
        this.storage = storage;
        this.codec = codec;
    }

    /** What a finished write stored. */
    public record Stored(long sizeBytes, String checksum, String location) {}

    /** Writes the plain payload produced by {@code writer} as sealed object {@code key}. */
    public Stored write(String key, String backupId, PayloadWriter writer) throws Exception {
        OutputStream raw = storage.create(key);
        try {
            BackupCodec.Sealing sealing = codec.seal(raw, backupId);
            writer.write(sealing);
            sealing.close();
            raw.close();
            return new Stored(sealing.size(), sealing.sha256(), storage.location(key));
        } catch (Exception | Error e) {
            BackupStorage.abort(raw);
            throw e;
        }
    }

    public InputStream read(String key, String backupId, String checksum) throws IOException {
        return codec.unseal(storage.open(key), backupId, checksum);
    }

    /** Removes the object and whatever an unfinished write of it left. */
    public void delete(String key) throws IOException {
        storage.delete(key);
        storage.discardPartial(key);
    }

    /** Keys of unfinished writes (see {@link BackupStorage#partialKeys()}). */
    public java.util.List<String> partialKeys() throws IOException {
        return storage.partialKeys();
    }

    public void discardPartial(String key) throws IOException {
        storage.discardPartial(key);
    }

    /** Produces a backup's plain payload. */
    public interface PayloadWriter {
        void write(OutputStream out) throws Exception;
    }
}
