package org.jtrove.guestagent;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jtrove.backupstorage.BackupVault;
import org.jtrove.bus.ConductorApi;
import org.jtrove.guestagent.backup.BackupEnvelope;
import org.jtrove.model.DaemonThreads;
import org.jtrove.model.Json;
import org.jtrove.model.JtroveException;
import org.jtrove.model.guest.BackupReport;
import org.jtrove.model.guest.BackupRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes one instance's backups, each on a thread of its own, so the agent keeps serving (heartbeats, users) while
 * a backup streams. At most one at a time. Progress goes to the conductor: BUILDING, then COMPLETED or FAILED. A
 * completed backup is journalled in the agent's directory before it is reported, so a request repeated later
 * (the taskmanager resends until it sees the outcome) is answered with the same outcome instead of a second run
 * that would replace the stored object.
 */
final class BackupRunner {
    private static final Logger LOG = LoggerFactory.getLogger(BackupRunner.class);

    /** What a backup needs from its agent at the moment it starts. */
    interface Source {
        InstanceContext context();

        Datastore datastore();

        GuestHost host();

        /** The admin password, or an error if the instance is not prepared or its server is not running. */
        String readyForBackup() throws IOException;
    }

    private final Source source;
    private final BackupVault vault;
    private final ConductorApi conductor;
    private final Path journal;
    private final Set<String> running = ConcurrentHashMap.newKeySet();
    private final Set<String> cancelled = ConcurrentHashMap.newKeySet();

    BackupRunner(Source source, BackupVault vault, ConductorApi conductor, Path journal) {
        this.source = source;
        this.vault = vault;
        this.conductor = conductor;
        this.journal = journal;
    }

    /** Starts {@code request} in the background unless it runs or ended already; a refusal is reported as FAILED. */
    void start(BackupRequest request) throws IOException {
        String id = request.backupId();
        Path done = journal.resolve(id + ".json");
        if (Files.exists(done)) {
            conductor.updateBackup(Json.convert(Json.parse(Files.readString(done)), BackupReport.class));
            return;
        }
        synchronized (running) {
            if (running.contains(id)) {
                return;
            }
            if (!running.isEmpty()) {
                report(id, "FAILED", "Backup failed: another backup of instance " + source.context().instanceId()
                        + " is still being written; take this one when it has ended.");
                return;
            }
            running.add(id);
        }
        DaemonThreads.start("backup-" + id, () -> {
            try {
                run(request);
            } finally {
                running.remove(id);
                cancelled.remove(id);
            }
        });
    }

    /** Stops a running backup at its next write; what it stored so far is discarded. */
    Map<String, Object> cancel(String backupId) {
        boolean isRunning = running.contains(backupId);
        if (isRunning) {
            cancelled.add(backupId);
            LOG.info("instance {}: cancelling backup {}", source.context().instanceId(), backupId);
        }
        return Map.of("cancelled", isRunning);
    }

    private void run(BackupRequest request) {
        String id = request.backupId();
        InstanceContext ctx = source.context();
        long start = System.nanoTime();
        try {
            String password = source.readyForBackup();
            report(id, "BUILDING", null);
            String[] meta = new String[1];
            BackupVault.Stored stored = vault.write(request.storageKey(), id, sealed -> {
                OutputStream out = new Cancellable(sealed, id);
                new BackupEnvelope(source.datastore().manager(), ctx.build().version(), password).writeTo(out);
                meta[0] = source.datastore().backup(ctx, password, request.parentMeta(), out, source.host());
                if (cancelled.contains(id)) {
                    throw new IOException("the backup was cancelled");
                }
            });
            LOG.info("instance {}: backup {} stored ({} bytes) in {} ms", ctx.instanceId(), id, stored.sizeBytes(),
                    (System.nanoTime() - start) / 1_000_000);
            BackupReport completed = new BackupReport(ctx.instanceId(), id, "COMPLETED", stored.sizeBytes(),
                    stored.location(), stored.checksum(), meta[0], null, now());
            journal(completed);
            conductor.updateBackup(completed);
        } catch (Exception e) {
            String reason = e instanceof JtroveException ? e.getMessage() : e.toString();
            if (e instanceof JtroveException) {
                LOG.warn("instance {}: backup {} failed: {}", ctx.instanceId(), id, reason);
            } else {
                LOG.warn("instance {}: backup {} failed", ctx.instanceId(), id, e);
            }
            report(id, "FAILED", "Backup failed: " + reason);
        }
    }

    private void journal(BackupReport completed) throws IOException {
        Files.createDirectories(journal);
        Path tmp = journal.resolve(completed.backupId() + ".tmp");
        Files.writeString(tmp, Json.write(completed));
        Files.move(tmp, journal.resolve(completed.backupId() + ".json"), StandardCopyOption.ATOMIC_MOVE,
                StandardCopyOption.REPLACE_EXISTING);
    }

    private void report(String backupId, String state, String error) {
        conductor.updateBackup(new BackupReport(source.context().instanceId(), backupId, state, null, null, null, null,
                error, now()));
    }

    private static double now() {
        return System.currentTimeMillis() / 1000.0;
    }

    /** The backup stream, failing at the next write once the backup is cancelled (the tools stop on a broken pipe). */
    private final class Cancellable extends FilterOutputStream {
        private final String backupId;

        Cancellable(OutputStream out, String backupId) {
            super(out);
            this.backupId = backupId;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (cancelled.contains(backupId)) {
                throw new IOException("the backup was cancelled");
            }
            out.write(b, off, len);
        }

        @Override
        public void close() {
            // the vault closes the sealed stream
        }
    }
}
