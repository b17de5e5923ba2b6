package org.jtrove.store;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.mapper.reflect.ConstructorMapper;

/** Backup rows; their state is written by the conductor from the guest agent's reports. */
public final class BackupRepository {
    private final Jdbi jdbi;

    private final TaskRepository tasks;

    BackupRepository(Jdbi jdbi, TaskRepository tasks) {
        this.jdbi = jdbi;
        this.tasks = tasks;
        jdbi.registerRowMapper(ConstructorMapper.factory(BackupRecord.class));
    }

    /** A guard run inside the insert transaction, under the project's quota lock. */
    public interface Guard {
        void check(Map<String, Integer> usage);
    }

    /**
     * Inserts the backup and the task that takes it, after the guard (quota, no other running backup of the
     * instance) passed under the project's lock, so two concurrent requests cannot both pass it.
     */
    public void insertWithTask(BackupRecord b, TaskRecord task, Guard guard) {
        jdbi.useTransaction(h -> {
            QuotaRepository.lock(jdbi, h, b.projectId());
            guard.check(QuotaRepository.usage(h, b.projectId()));
            insert(h, b, null, task);
        });
    }

    /** Inserts the backup row ({@code scheduleId}: the schedule that made it, or null) and its task. */
    void insert(Handle h, BackupRecord b, String scheduleId, TaskRecord task) {
        h.createUpdate("INSERT INTO backups (id, project_id, name, description, instance_id, parent_id,"
                + " datastore_version_id, backup_type, state, created, updated, deleted, schedule_id) VALUES (:id,"
                + " :projectId, :name, :description, :instanceId, :parentId, :datastoreVersionId, :backupType, :state,"
                + " :created, :updated, FALSE, :scheduleId)").bindMethods(b).bind("scheduleId", scheduleId).execute();
        tasks.insert(h, task);
    }

    /** The backups a schedule made that still exist, newest first. */
    public List<BackupRecord> bySchedule(String scheduleId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM backups WHERE schedule_id = :s AND deleted = FALSE"
                + " ORDER BY created DESC, id").bind("s", scheduleId).mapTo(BackupRecord.class).list());
    }

    /**
     * Marks the backups DELETING and records the task that removes them, in one transaction, only if every one of
     * them is still COMPLETED (another taskmanager may have pruned them meanwhile); returns whether it did.
     */
    public boolean markDeletingIfCompleted(List<String> ids, TaskRecord task) {
        return jdbi.inTransaction(h -> {
            for (String id : ids) {
                if (h.createUpdate("UPDATE backups SET state = 'DELETING', updated = :t WHERE id = :id"
                        + " AND state = 'COMPLETED' AND deleted = FALSE").bind("t", Instant.now()).bind("id", id)
                        .execute() != 1) {
                    h.rollback();
                    return false;
                }
            }
            tasks.insert(h, task);
            return true;
        });
    }

    /**
     * Inserts a backup the taskmanager takes for itself (a snapshot of a source taken for replica {@code takenFor}),
     * unless a backup with its id exists already. It is hidden: no quota applies, it is never listed, found for a
     * project, restorable or a parent, its instance does not show BACKUP while it runs, and its task (or the
     * replica's deletion) removes it. One backup of an instance is taken at a time: under the project's lock (which
     * a user's backup request takes too), nothing is inserted while another backup of the instance is running.
     *
     * @return whether the backup exists now (false: another backup of the instance runs; ask again later)
     */
    public boolean insertIfAbsent(BackupRecord b, String takenFor) {
        return jdbi.inTransaction(h -> {
            QuotaRepository.lock(jdbi, h, b.projectId());
            if (h.createQuery("SELECT COUNT(*) FROM backups WHERE id = :id").bind("id", b.id()).mapTo(Integer.class)
                    .one() > 0) {
                return true;
            }
            if (h.createQuery("SELECT COUNT(*) FROM backups WHERE instance_id = :i AND deleted = FALSE AND state IN"
                    + " ('NEW', 'BUILDING')").bind("i", b.instanceId()).mapTo(Integer.class).one() > 0) {
                return false;
            }
            h.createUpdate("INSERT INTO backups (id, project_id, name, description, instance_id, parent_id,"
                    + " datastore_version_id, backup_type, state, created, updated, deleted, taken_for) VALUES (:id,"
                    + " :projectId, :name, :description, :instanceId, :parentId, :datastoreVersionId, :backupType,"
                    + " :state, :created, :updated, FALSE, :takenFor)").bindMethods(b).bind("takenFor", takenFor)
                    .execute();
            return true;
        });
    }

    /** When the oldest backup of the instance that exists or is being taken was requested. */
    public Optional<Instant> oldestCreated(String instanceId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT created FROM backups WHERE instance_id = :i AND deleted = FALSE"
                        + " AND state IN ('NEW', 'BUILDING', 'COMPLETED') ORDER BY created").setMaxRows(1)
                .bind("i", instanceId).mapTo(Instant.class).findFirst());
    }

    /** Any backup that is not deleted, hidden ones included (the taskmanager's own lookups). */
    public Optional<BackupRecord> find(String id) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM backups WHERE id = :id AND deleted = FALSE")
                .bind("id", id).mapTo(BackupRecord.class).findFirst());
    }

    /** A backup users may see (not deleted, not hidden), of any project. */
    public Optional<BackupRecord> findShown(String id) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM backups WHERE id = :id AND deleted = FALSE"
                + " AND taken_for IS NULL").bind("id", id).mapTo(BackupRecord.class).findFirst());
    }

    /** A backup of the project that users may see. */
    public Optional<BackupRecord> find(String projectId, String id) {
        return findShown(id).filter(b -> b.projectId().equals(projectId));
    }

    /** Shown backups of a project (all projects when null), newest first, optionally of one instance. */
    public List<BackupRecord> list(String projectId, String instanceId) {
        StringBuilder sql = new StringBuilder("SELECT * FROM backups WHERE deleted = FALSE AND taken_for IS NULL");
        if (projectId != null) {
            sql.append(" AND project_id = :p");
        }
        if (instanceId != null) {
            sql.append(" AND instance_id = :i");
        }
        sql.append(" ORDER BY created DESC, id");
        return jdbi.withHandle(h -> {
            var q = h.createQuery(sql.toString());
            if (projectId != null) {
                q.bind("p", projectId);
            }
            if (instanceId != null) {
                q.bind("i", instanceId);
            }
            return q.mapTo(BackupRecord.class).list();
        });
    }

    /** The hidden backups taken for instance {@code instanceId} (a replica's snapshots of its source). */
    public List<BackupRecord> takenFor(String instanceId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM backups WHERE taken_for = :i AND deleted = FALSE")
                .bind("i", instanceId).mapTo(BackupRecord.class).list());
    }

    /** Whether a hidden backup of the instance (a snapshot for a replica being built) is being taken. */
    public boolean hasRunningSnapshot(String instanceId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM backups WHERE instance_id = :i"
                        + " AND deleted = FALSE AND taken_for IS NOT NULL AND state IN ('NEW', 'BUILDING')")
                .bind("i", instanceId).mapTo(Integer.class).one()) > 0;
    }

    /** Whether a shown backup of the instance is being taken (the instance shows BACKUP). */
    public boolean hasRunning(String instanceId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM backups WHERE instance_id = :i"
                        + " AND deleted = FALSE AND taken_for IS NULL AND state IN ('NEW', 'BUILDING')")
                .bind("i", instanceId).mapTo(Integer.class).one()) > 0;
    }

    public Optional<BackupRecord> latestCompleted(String instanceId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM backups WHERE instance_id = :i AND deleted = FALSE"
                        + " AND taken_for IS NULL AND state = 'COMPLETED' ORDER BY created DESC LIMIT 1")
                .bind("i", instanceId).mapTo(BackupRecord.class).findFirst());
    }

    /** The backup and its ancestors, the full backup first. */
    public List<BackupRecord> chain(String id) {
        List<BackupRecord> chain = new ArrayList<>();
        String next = id;
        while (next != null && chain.size() < 1000) {
            String missing = next;
            BackupRecord b = find(next).orElseThrow(() -> new IllegalStateException("backup " + missing + " of the"
                    + " restore chain was deleted; restore from a backup whose whole chain still exists"));
            chain.add(b);
            next = b.parentId();
        }
        Collections.reverse(chain);
        return chain;
    }

    /** The backup and every backup built on it, children after their parents. */
    public List<BackupRecord> withDescendants(String id) {
        List<BackupRecord> out = new ArrayList<>();
        find(id).ifPresent(out::add);
        for (int i = 0; i < out.size(); i++) {
            String parent = out.get(i).id();
            out.addAll(jdbi.withHandle(h -> h.createQuery("SELECT * FROM backups WHERE parent_id = :p AND deleted = FALSE")
                    .bind("p", parent).mapTo(BackupRecord.class).list()));
        }
        return out;
    }

    public void setState(String id, String state, String fault) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE backups SET state = :s, fault = :f, updated = :t WHERE id = :id")
                .bind("s", state).bind("f", InstanceRepository.truncate(fault)).bind("t", Instant.now()).bind("id", id)
                .execute());
    }

    /** Records a finished backup object (only if it was still running: reports may arrive late or twice). */
    public void complete(String id, long sizeBytes, String location, String checksum, String meta) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE backups SET state = 'COMPLETED', size_bytes = :z, location = :l,"
                        + " checksum = :c, meta = :m, fault = NULL, updated = :t WHERE id = :id AND state IN ('NEW', 'BUILDING')")
                .bind("z", sizeBytes).bind("l", location).bind("c", checksum).bind("m", meta).bind("t", Instant.now())
                .bind("id", id).execute());
    }

    /** Ends a backup that is still NEW or BUILDING as FAILED; false if it had ended already. */
    public boolean failIfRunning(String id, String fault) {
        return jdbi.withHandle(h -> h.createUpdate("UPDATE backups SET state = 'FAILED', fault = :f, updated = :t"
                        + " WHERE id = :id AND state IN ('NEW', 'BUILDING')")
                .bind("f", InstanceRepository.truncate(fault)).bind("t", Instant.now()).bind("id", id).execute()) == 1;
    }

    /** NEW -> BUILDING; false if the backup was no longer NEW. */
    public boolean markBuilding(String id) {
        return jdbi.withHandle(h -> h.createUpdate("UPDATE backups SET state = 'BUILDING', updated = :t"
                        + " WHERE id = :id AND state = 'NEW'")
                .bind("t", Instant.now()).bind("id", id).execute()) == 1;
    }

    /** Marks the backups DELETING and records the task that removes them, in one transaction. */
    public void markDeletingWithTask(List<String> ids, TaskRecord task) {
        jdbi.useTransaction(h -> {
            for (String id : ids) {
                h.createUpdate("UPDATE backups SET state = 'DELETING', updated = :t WHERE id = :id")
                        .bind("t", Instant.now()).bind("id", id).execute();
            }
            tasks.insert(h, task);
        });
    }

    public void markDeleted(String id) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE backups SET deleted = TRUE, updated = :t WHERE id = :id")
                .bind("t", Instant.now()).bind("id", id).execute());
    }
}
