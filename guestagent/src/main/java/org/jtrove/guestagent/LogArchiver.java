package org.jtrove.guestagent;

import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import org.jtrove.backupstorage.BackupVault;
import org.jtrove.bus.ConductorApi;
import org.jtrove.model.JtroveException;
import org.jtrove.model.guest.ArchiveReport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Seals an instance's finished log files (see {@link LogArchive}) into the backup storage, oldest first, and
 * reports each to the conductor; a file leaves the server's spool only once it is stored. A failure stops the round
 * (later files wait, so the archive has no gap), is reported to the conductor (shown on the instance) and logged,
 * and the next round retries. Runs as the agent (root): the backup key never reaches the instance's own user.
 */
final class LogArchiver {
    /** How close to the present the archive is kept while the server writes: the current log is closed this often. */
    static final Duration INTERVAL = Duration.ofSeconds(10);
    private static final Duration ERROR_REPEAT = Duration.ofMinutes(1);
    private static final Logger LOG = LoggerFactory.getLogger(LogArchiver.class);
    private final String instanceId;
    private final LogArchive archive;
    private final BackupVault vault;
    private final ConductorApi conductor;
    private String lastError;
    private Instant lastErrorSent = Instant.EPOCH;

    LogArchiver(String instanceId, LogArchive archive, BackupVault vault, ConductorApi conductor) {
        this.instanceId = instanceId;
        this.archive = archive;
        this.vault = vault;
        this.conductor = conductor;
    }

    /** The object key of an archived file in the backup storage. */
    static String storageKey(String instanceId, String name) {
        return ArchiveReport.objectId(instanceId, name) + ".jtl";
    }

    /** One round: close the current log if due, store every finished one. Never throws. */
    synchronized void tick(InstanceContext ctx, String adminPassword) {
        try {
            for (LogArchive.LogFile file : archive.finished(ctx, adminPassword, INTERVAL)) {
                String objectId = ArchiveReport.objectId(instanceId, file.name());
                BackupVault.Stored stored = vault.write(storageKey(instanceId, file.name()), objectId,
                        out -> Files.copy(file.path(), out));
                conductor.logArchived(new ArchiveReport(instanceId, file.name(), storageKey(instanceId, file.name()),
                        stored.checksum(), stored.sizeBytes(),
                        file.restorableUntil() == null ? null : file.restorableUntil().toString(), null, now()));
                archive.stored(ctx, adminPassword, file);
                LOG.debug("instance {}: archived {} ({} bytes)", instanceId, file.name(), stored.sizeBytes());
            }
            lastError = null;
        } catch (Exception e) {
            String error = "Archiving the " + ctx.build().manager() + " logs failed (retried every few seconds): "
                    + (e instanceof JtroveException ? e.getMessage() : e.toString());
            Instant now = Instant.now();
            if (!error.equals(lastError) || now.isAfter(lastErrorSent.plus(ERROR_REPEAT))) {
                LOG.warn("instance {}: {}", instanceId, error);
                lastError = error;
                lastErrorSent = now;
                try {
                    conductor.logArchived(new ArchiveReport(instanceId, null, null, null, null, null, error, now()));
                } catch (RuntimeException bus) {
                    LOG.warn("instance {}: cannot report the archiving error: {}", instanceId, bus.toString());
                }
            }
        }
    }

    private static double now() {
        return System.currentTimeMillis() / 1000.0;
    }
}
