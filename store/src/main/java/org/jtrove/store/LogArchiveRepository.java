package org.jtrove.store;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.mapper.reflect.ConstructorMapper;

/** The continuous archive of each instance (for point-in-time restore), written by the conductor. */
public final class LogArchiveRepository {
    private final Jdbi jdbi;

    LogArchiveRepository(Jdbi jdbi) {
        this.jdbi = jdbi;
        jdbi.registerRowMapper(ConstructorMapper.factory(LogArchiveRecord.class));
    }

    /** Records an archived file and clears the instance's archiving error; a repeated report changes nothing. */
    public void record(LogArchiveRecord r) {
        jdbi.useTransaction(h -> {
            boolean known = h.createQuery("SELECT COUNT(*) FROM log_archive WHERE instance_id = :i AND name = :n")
                    .bind("i", r.instanceId()).bind("n", r.name()).mapTo(Integer.class).one() > 0;
            if (!known) {
                h.createUpdate("INSERT INTO log_archive (instance_id, name, storage_key, checksum, size_bytes,"
                        + " restorable_until, archived) VALUES (:instanceId, :name, :storageKey, :checksum, :sizeBytes,"
                        + " :restorableUntil, :archived)").bindMethods(r).execute();
            }
            h.createUpdate("DELETE FROM log_archive_status WHERE instance_id = :i").bind("i", r.instanceId()).execute();
        });
    }

    /** Records the latest archiving failure of an instance (shown in its view until a file is archived again). */
    public void recordError(String instanceId, String error, Instant when) {
        jdbi.useTransaction(h -> {
            h.createUpdate("DELETE FROM log_archive_status WHERE instance_id = :i").bind("i", instanceId).execute();
            h.createUpdate("INSERT INTO log_archive_status (instance_id, last_error, updated) VALUES (:i, :e, :t)")
                    .bind("i", instanceId).bind("e", InstanceRepository.truncate(error)).bind("t", when).execute();
        });
    }

    public Optional<String> lastError(String instanceId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT last_error FROM log_archive_status WHERE instance_id = :i")
                .bind("i", instanceId).mapTo(String.class).findFirst());
    }

    /** The latest moment the instance can be restored to (empty: nothing archived yet). */
    public Optional<Instant> latestRestorable(String instanceId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT restorable_until FROM log_archive WHERE instance_id = :i"
                        + " AND restorable_until IS NOT NULL ORDER BY restorable_until DESC").setMaxRows(1)
                .bind("i", instanceId).mapTo(Instant.class).findFirst());
    }

    /** The instance's archived files in the order the server wrote them. */
    public List<LogArchiveRecord> list(String instanceId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM log_archive WHERE instance_id = :i ORDER BY name")
                .bind("i", instanceId).mapTo(LogArchiveRecord.class).list());
    }

    /** Files archived at or after {@code from}, in order: what a replay from a backup taken at {@code from} reads. */
    public List<LogArchiveRecord> since(String instanceId, Instant from) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM log_archive WHERE instance_id = :i AND archived >= :t"
                        + " ORDER BY name").bind("i", instanceId).bind("t", from).mapTo(LogArchiveRecord.class).list());
    }

    /** Instances that have archived files. */
    public List<String> instances() {
        return jdbi.withHandle(h -> h.createQuery("SELECT DISTINCT instance_id FROM log_archive").mapTo(String.class)
                .list());
    }

    /** Forgets one archived file (its stored object was deleted first). */
    public void delete(String instanceId, String name) {
        jdbi.useHandle(h -> h.createUpdate("DELETE FROM log_archive WHERE instance_id = :i AND name = :n")
                .bind("i", instanceId).bind("n", name).execute());
    }
}
