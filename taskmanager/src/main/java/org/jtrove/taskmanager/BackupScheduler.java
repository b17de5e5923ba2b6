package org.jtrove.taskmanager;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jtrove.backupstorage.BackupVault;
import org.jtrove.bus.TaskmanagerApi;
import org.jtrove.model.CronPattern;
import org.jtrove.model.DaemonThreads;
import org.jtrove.model.InstanceTask;
import org.jtrove.model.RepeatedFailures;
import org.jtrove.model.TaskType;
import org.jtrove.store.BackupRecord;
import org.jtrove.store.BackupScheduleRecord;
import org.jtrove.store.InstanceRecord;
import org.jtrove.store.LogArchiveRecord;
import org.jtrove.store.MetadataStore;
import org.jtrove.store.TaskRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs backup schedules and their retention. Every {@code interval} each taskmanager looks for due schedules; a run
 * is claimed by moving the schedule's next run forward with a conditional update that records the backup and its
 * BACKUP task in the same transaction, so of several taskmanagers exactly one takes each run (a run missed while no
 * taskmanager was up is taken once, late; earlier missed ones are skipped). A run is skipped (and logged) while the
 * instance is busy or another backup of it is running.
 *
 * <p>Retention: a schedule keeps its newest {@code retention_count} completed backups, or those younger than
 * {@code retention_days}, and every backup a kept incremental needs; the others are deleted by a DELETE_BACKUP task
 * (only if still COMPLETED, so two taskmanagers never delete one twice). Then each instance's archived logs
 * (point-in-time restore) older than its oldest remaining backup are deleted, stored object first: no restore can
 * use them (a restore starts from a backup and replays only what was archived after it); PostgreSQL's timeline
 * history files (a few bytes each) are kept.
 */
public final class BackupScheduler implements AutoCloseable {
    /** Archived logs younger than this are kept even without a backup (one may be being recorded meanwhile). */
    static final Duration ARCHIVE_GRACE = Duration.ofMinutes(5);
    private static final Logger LOG = LoggerFactory.getLogger(BackupScheduler.class);
    private final MetadataStore store;
    private final TaskmanagerApi taskmanager;
    private final BackupVault vault;
    private final RepeatedFailures failures = new RepeatedFailures(LOG, Duration.ofMinutes(10));
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            DaemonThreads.named("backup-scheduler"));

    public BackupScheduler(MetadataStore store, TaskmanagerApi taskmanager, BackupVault vault) {
        this.store = store;
        this.taskmanager = taskmanager;
        this.vault = vault;
    }

    public void start(Duration interval) {
        timer.scheduleWithFixedDelay(() -> {
            try {
                runDue(Instant.now());
                prune(Instant.now());
            } catch (RuntimeException e) {
                failures.warn("backup schedules", e);
            }
        }, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Takes every due run this taskmanager wins; returns the ids of the backups it recorded. */
    public List<String> runDue(Instant now) {
        List<String> started = new ArrayList<>();
        for (BackupScheduleRecord s : store.backupSchedules.due(now)) {
            Optional<InstanceRecord> instance = store.instances.find(s.instanceId());
            if (instance.isEmpty()) {
                store.backupSchedules.delete(s.id());
                LOG.info("backup schedule {}: its instance {} is gone; schedule removed", s.id(), s.instanceId());
                continue;
            }
            Instant next = CronPattern.parse(s.pattern()).next(now.truncatedTo(ChronoUnit.SECONDS));
            String skip = instance.get().task() != InstanceTask.NONE ? "the instance is " + instance.get().task()
                    : store.backups.hasRunning(s.instanceId()) || store.backups.hasRunningSnapshot(s.instanceId())
                    ? "another backup of the instance is running" : null;
            BackupRecord backup = skip == null ? backup(s, instance.get(), now) : null;
            TaskRecord task = backup == null ? null
                    : TaskRecord.start(TaskType.BACKUP, s.instanceId(), Map.of("backup_id", backup.id()));
            if (!store.backupSchedules.claimRun(s, next, now, backup, task)) {
                continue;   // another taskmanager took this run
            }
            if (backup == null) {
                LOG.warn("backup schedule {} of instance {}: run due at {} skipped ({}); next at {}", s.id(),
                        s.instanceId(), s.nextRun(), skip, next);
                continue;
            }
            LOG.info("backup schedule {} of instance {}: backup {} started (due at {}); next at {}", s.id(),
                    s.instanceId(), backup.id(), s.nextRun(), next);
            taskmanager.runTask(task.id());
            started.add(backup.id());
        }
        return started;
    }

    private BackupRecord backup(BackupScheduleRecord s, InstanceRecord instance, Instant now) {
        BackupRecord parent = s.incremental() ? store.backups.latestCompleted(instance.id()).orElse(null) : null;
        Instant at = now.truncatedTo(ChronoUnit.MILLIS);
        return new BackupRecord(UUID.randomUUID().toString(), s.projectId(), s.name() + " " + at.truncatedTo(
                ChronoUnit.SECONDS), s.description(), instance.id(), parent == null ? null : parent.id(),
                instance.datastoreVersionId(), parent == null ? "full" : "incremental", BackupRecord.NEW, null, null,
                null, null, null, at, at, false);
    }

    /** Applies every schedule's retention, then drops archived logs no backup needs; returns the backups deleted. */
    public List<String> prune(Instant now) {
        List<String> deleted = new ArrayList<>();
        for (BackupScheduleRecord s : store.backupSchedules.all()) {
            if (s.retentionCount() != null || s.retentionDays() != null) {
                deleted.addAll(applyRetention(s, now));
            }
        }
        for (String instanceId : store.logArchive.instances()) {
            pruneArchive(instanceId, now);
        }
        return deleted;
    }

    private List<String> applyRetention(BackupScheduleRecord s, Instant now) {
        List<BackupRecord> made = store.backups.bySchedule(s.id());
        List<BackupRecord> completed = made.stream().filter(b -> BackupRecord.COMPLETED.equals(b.state())).toList();
        Set<String> needed = new HashSet<>();
        for (int i = 0; i < completed.size(); i++) {
            BackupRecord b = completed.get(i);
            boolean kept = s.retentionCount() != null ? i < s.retentionCount()
                    : b.created().isAfter(now.minus(Duration.ofDays(s.retentionDays())));
            if (kept) {
                store.backups.chain(b.id()).forEach(link -> needed.add(link.id()));
            }
        }
        made.stream().filter(BackupRecord::running).forEach(b -> needed.add(b.id()));
        List<String> deleted = new ArrayList<>();
        List<BackupRecord> expired = new ArrayList<>(completed.stream().filter(b -> !needed.contains(b.id())).toList());
        Collections.reverse(expired);   // oldest first: a parent takes its expired incrementals with it
        Set<String> expiredIds = new HashSet<>(expired.stream().map(BackupRecord::id).toList());
        for (BackupRecord b : expired) {
            if (deleted.contains(b.id())) {
                continue;
            }
            List<String> ids = new ArrayList<>(store.backups.withDescendants(b.id()).stream().map(BackupRecord::id).toList());
            if (!expiredIds.containsAll(ids)) {
                continue;   // an incremental taken by hand (or kept) is built on it
            }
            Collections.reverse(ids);   // children first, as a user's delete does
            TaskRecord task = TaskRecord.start(TaskType.DELETE_BACKUP, b.instanceId(), Map.of("backup_ids", ids));
            if (store.backups.markDeletingIfCompleted(ids, task)) {
                LOG.info("backup schedule {}: retention deletes backups {}", s.id(), ids);
                taskmanager.runTask(task.id());
                deleted.addAll(ids);
            }
        }
        return deleted;
    }

    private void pruneArchive(String instanceId, Instant now) {
        Instant cutoff = now.minus(ARCHIVE_GRACE);
        Optional<Instant> oldestBackup = store.backups.oldestCreated(instanceId);
        if (oldestBackup.isPresent() && oldestBackup.get().isBefore(cutoff)) {
            cutoff = oldestBackup.get();
        }
        for (LogArchiveRecord log : store.logArchive.list(instanceId)) {
            if (log.archived().isBefore(cutoff) && !log.name().endsWith(".history")) {
                try {
                    vault.delete(log.storageKey());
                    store.logArchive.delete(instanceId, log.name());
                } catch (IOException e) {
                    failures.warn("deleting the archived log " + log.storageKey(), e);
                    return;
                }
            }
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
