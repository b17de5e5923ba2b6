package org.jtrove.store;

import java.sql.SQLException;
import java.time.Instant;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.mapper.reflect.ConstructorMapper;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;

/** Outcomes of long guest operations, written by the conductor and read by the task steps that wait for them. */
public final class GuestOperationRepository {
    private final Jdbi jdbi;

    GuestOperationRepository(Jdbi jdbi) {
        this.jdbi = jdbi;
        jdbi.registerRowMapper(ConstructorMapper.factory(GuestOperationRecord.class));
    }

    /** Records an outcome; the first report of an operation wins (a repeated report changes nothing). */
    public boolean record(GuestOperationRecord r) {
        try {
            jdbi.useHandle(h -> h.createUpdate("INSERT INTO guest_operations (id, instance_id, method, state, status,"
                            + " message, result, reported_at) VALUES (:id, :instanceId, :method, :state, :status,"
                            + " :message, :result, :reportedAt)")
                    .bindMethods(r).bind("message", InstanceRepository.truncate(r.message())).execute());
            return true;
        } catch (UnableToExecuteStatementException e) {
            if (e.getCause() instanceof SQLException sql && sql.getSQLState() != null
                    && sql.getSQLState().startsWith("23")) {
                return false;   // already reported
            }
            throw e;
        }
    }

    public Optional<GuestOperationRecord> find(String id) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM guest_operations WHERE id = :id").bind("id", id)
                .mapTo(GuestOperationRecord.class).findFirst());
    }

    /** Forgets outcomes older than {@code before} (their tasks ended long ago). */
    public int purge(Instant before) {
        return jdbi.withHandle(h -> h.createUpdate("DELETE FROM guest_operations WHERE reported_at < :t")
                .bind("t", before).execute());
    }
}
