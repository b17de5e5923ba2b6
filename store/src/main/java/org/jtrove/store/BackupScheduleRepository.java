package org.jtrove.store;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.mapper.reflect.ConstructorMapper;

/** Backup schedules; a run is claimed, and its backup recorded, in one transaction (exactly once). */
public final class BackupScheduleRepository {
    private final Jdbi jdbi;
    private final BackupRepository backups;

    BackupScheduleRepository(Jdbi jdbi, BackupRepository backups) {
        this.jdbi = jdbi;
        this.backups = backups;
        jdbi.registerRowMapper(ConstructorMapper.factory(BackupScheduleRecord.class));
    }

    public void insert(BackupScheduleRecord s) {
        jdbi.useHandle(h -> h.createUpdate("INSERT INTO backup_schedules (id, project_id, instance_id, name, description,"
                + " pattern, incremental, retention_count, retention_days, next_run, last_run, created, updated) VALUES"
                + " (:id, :projectId, :instanceId, :name, :description, :pattern, :incremental, :retentionCount,"
                + " :retentionDays, :nextRun, :lastRun, :created, :updated)").bindMethods(s).execute());
    }

    /** The instance's schedules, oldest first. */
    public List<BackupScheduleRecord> list(String instanceId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM backup_schedules WHERE instance_id = :i"
                + " ORDER BY created, id").bind("i", instanceId).mapTo(BackupScheduleRecord.class).list());
    }

    /** Every schedule, for retention. */
    public List<BackupScheduleRecord> all() {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM backup_schedules ORDER BY id")
                .mapTo(BackupScheduleRecord.class).list());
    }

    public Optional<BackupScheduleRecord> find(String instanceId, String id) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM backup_schedules WHERE id = :id AND instance_id = :i")
                .bind("id", id).bind("i", instanceId).mapTo(BackupScheduleRecord.class).findFirst());
    }

    /** Schedules whose next run is at or before {@code now}. */
    public List<BackupScheduleRecord> due(Instant now) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM backup_schedules WHERE next_run <= :t ORDER BY next_run")
                .bind("t", now).mapTo(BackupScheduleRecord.class).list());
    }

    public boolean delete(String id) {
        return jdbi.withHandle(h -> h.createUpdate("DELETE FROM backup_schedules WHERE id = :id").bind("id", id)
                .execute()) == 1;
    }

    /**
     * Claims the run of {@code s} due at {@code s.nextRun()} by moving its next run to {@code next}; only the caller
     * whose update matched takes the run, and then, in the same transaction, {@code backup} (null: the run is
     * skipped) and its task are recorded. Returns whether this caller took the run.
     */
    public boolean claimRun(BackupScheduleRecord s, Instant next, Instant now, BackupRecord backup, TaskRecord task) {
        return jdbi.inTransaction(h -> {
            int claimed = h.createUpdate("UPDATE backup_schedules SET next_run = :next, last_run = :now, updated = :now"
                            + " WHERE id = :id AND next_run = :due").bind("next", next).bind("now", now)
                    .bind("id", s.id()).bind("due", s.nextRun()).execute();
            if (claimed != 1) {
                return false;
            }
            if (backup != null) {
                backups.insert(h, backup, s.id(), task);
            }
            return true;
        });
    }
}
