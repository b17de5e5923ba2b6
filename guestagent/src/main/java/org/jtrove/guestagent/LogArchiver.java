package org.jtrove.guestagent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.jtrove.backupstorage.BackupVault;
import org.jtrove.bus.ConductorApi;
import org.jtrove.model.Json;
import org.jtrove.model.JtroveException;
import org.jtrove.model.guest.ArchiveReport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Seals an instance's finished log files (see {@link LogArchive}) into the backup storage, oldest first, and
 * reports each to the conductor; a file leaves the server's spool only once it is stored. A failure stops the round
 * (later files wait, so the archive has no gap), is reported to the conductor (shown on the instance) and logged,
 * and the next round retries. The latest reports are journalled before their file leaves the spool and sent again
 * every minute, so a lost cast (a conductor or broker down at that moment) costs no gap in the recorded archive. Runs as the agent (root): the backup key never reaches the instance's own user.
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
    /** Reports of the latest stored files, sent again now and then: a cast may be lost, and the file is gone. */
    private static final int RESENT = 32;
    private static final Duration RESEND = Duration.ofMinutes(1);
    private final Path journal;
    private String lastError;
    private Instant lastErrorSent = Instant.EPOCH;
    private Instant lastResend = Instant.EPOCH;

    /** @param journal where the latest reports are kept (in the agent's directory), to be sent again */
    LogArchiver(String instanceId, LogArchive archive, BackupVault vault, ConductorApi conductor,
                Path journal) {
        this.instanceId = instanceId;
        this.archive = archive;
        this.vault = vault;
        this.conductor = conductor;
        this.journal = journal;
    }

    /** The object key of an archived file in the backup storage. */
    static String storageKey(String instanceId, String name) {
        return ArchiveReport.objectId(instanceId, name) + ".jtl";
    }

    /**
     * One round: close the current log if due, store every finished one. Never throws; a failure while the server is
     * no longer running (stopped meanwhile) is not reported, the next round after its start retries.
     */
    synchronized void tick(InstanceContext ctx, String adminPassword, BooleanSupplier serverRunning) {
        try {
            resendRecent();
            for (LogArchive.LogFile file : archive.finished(ctx, adminPassword, INTERVAL)) {
                String objectId = ArchiveReport.objectId(instanceId, file.name());
                BackupVault.Stored stored = vault.write(storageKey(instanceId, file.name()), objectId,
                        out -> Files.copy(file.path(), out));
                ArchiveReport report = new ArchiveReport(instanceId, file.name(), storageKey(instanceId, file.name()),
                        stored.checksum(), stored.sizeBytes(),
                        file.restorableUntil() == null ? null : file.restorableUntil().toString(), null, now());
                journal(report);
                conductor.logArchived(report);
                archive.stored(ctx, adminPassword, file);
                LOG.debug("instance {}: archived {} ({} bytes)", instanceId, file.name(), stored.sizeBytes());
            }
            lastError = null;
        } catch (Exception e) {
            if (!serverRunning.getAsBoolean()) {
                LOG.debug("instance {}: archiving stopped with the server: {}", instanceId, e.toString());
                return;
            }
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

    /** Keeps the report among the latest {@value #RESENT} (written beside, then renamed) before the file is dropped. */
    private void journal(ArchiveReport report) throws IOException {
        List<ArchiveReport> recent = new ArrayList<>(recent());
        recent.add(report);
        List<ArchiveReport> kept = recent.subList(Math.max(0, recent.size() - RESENT), recent.size());
        Path tmp = journal.resolveSibling(journal.getFileName() + ".tmp");
        Files.writeString(tmp, Json.write(kept));
        Files.move(tmp, journal, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private List<ArchiveReport> recent() throws IOException {
        if (!Files.exists(journal)) {
            return List.of();
        }
        return Json.MAPPER.readValue(Files.readString(journal),
                Json.MAPPER.getTypeFactory().constructCollectionType(List.class, ArchiveReport.class));
    }

    /** Sends the latest reports again every minute (the conductor ignores what it recorded already). */
    private void resendRecent() throws IOException {
        Instant now = Instant.now();
        if (now.isAfter(lastResend.plus(RESEND))) {
            lastResend = now;
            recent().forEach(conductor::logArchived);
        }
    }

    private static double now() {
        return System.currentTimeMillis() / 1000.0;
    }
}
