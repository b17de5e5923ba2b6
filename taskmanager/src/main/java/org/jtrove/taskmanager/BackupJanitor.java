package org.jtrove.taskmanager;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jtrove.backupstorage.BackupVault;
import org.jtrove.model.DaemonThreads;
import org.jtrove.model.RepeatedFailures;
import org.jtrove.model.guest.ArchiveReport;
import org.jtrove.store.BackupRecord;
import org.jtrove.store.MetadataStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes what killed backup writers left in storage: an unfinished object (a {@code .partial} file, an S3
 * multipart upload) whose backup is not being taken any more, or an unfinished archived log file of an instance that
 * is gone (a live instance's agent writes that file again, over the unfinished one). Runs at start and then every
 * {@code interval}.
 */
public final class BackupJanitor implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BackupJanitor.class);
    private static final String SUFFIX = ".jtb";
    private final MetadataStore store;
    private final BackupVault vault;
    private final RepeatedFailures failures = new RepeatedFailures(LOG, Duration.ofHours(1));
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            DaemonThreads.named("backup-janitor"));

    public BackupJanitor(MetadataStore store, BackupVault vault) {
        this.store = store;
        this.vault = vault;
    }

    public void start(Duration interval) {
        timer.scheduleWithFixedDelay(this::sweep, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** One pass; returns how many unfinished objects it discarded. */
    public int sweep() {
        int discarded = 0;
        try {
            for (String key : vault.partialKeys()) {
                if (!stillWritten(key)) {
                    vault.discardPartial(key);
                    discarded++;
                    LOG.info("discarded the unfinished backup object {} (no backup is being taken into it)", key);
                }
            }
        } catch (Exception e) {
            failures.warn("backup storage cleanup", e);
        }
        return discarded;
    }

    /** A running backup's object, or an archived log file of a live instance (retried by its agent). */
    private boolean stillWritten(String key) {
        String archiving = ArchiveReport.instanceOf(key);
        if (archiving != null) {
            return store.instances.find(archiving).isPresent();
        }
        String backupId = key.endsWith(SUFFIX) ? key.substring(0, key.length() - SUFFIX.length()) : null;
        return backupId != null && store.backups.find(backupId).map(BackupRecord::running).orElse(false);
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
