package org.jtrove.store;

import java.time.Instant;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.mapper.reflect.ConstructorMapper;
import org.jtrove.model.ServiceStatus;

/** Guest-reported database status; written by the conductor (and set to NEW/BUILDING by the taskmanager's create). */
public final class ServiceStatusRepository {
    private final Jdbi jdbi;

    ServiceStatusRepository(Jdbi jdbi) {
        this.jdbi = jdbi;
        jdbi.registerRowMapper(ConstructorMapper.factory(ServiceStatusRecord.class));
    }

    public Optional<ServiceStatusRecord> find(String instanceId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM service_statuses WHERE instance_id = :id")
                .bind("id", instanceId).mapTo(ServiceStatusRecord.class).findFirst());
    }

    /**
     * Stores a heartbeat unless an equal or newer one from the same sender was stored already
     * (messages can arrive out of order). Returns whether it was stored.
     */
    public boolean saveHeartbeat(String instanceId, ServiceStatus status, double sent) {
        return jdbi.inTransaction(h -> {
            Optional<Double> last = h.createQuery("SELECT sent FROM conductor_lastseen WHERE instance_id = :id"
                            + " AND method_name = 'heartbeat' FOR UPDATE")
                    .bind("id", instanceId).mapTo(Double.class).findFirst();
            if (last.isPresent() && last.get() >= sent) {
                return false;
            }
            if (last.isPresent()) {
                h.createUpdate("UPDATE conductor_lastseen SET sent = :s WHERE instance_id = :id AND method_name = 'heartbeat'")
                        .bind("s", sent).bind("id", instanceId).execute();
            } else {
                h.createUpdate("INSERT INTO conductor_lastseen (instance_id, method_name, sent) VALUES (:id, 'heartbeat', :s)")
                        .bind("s", sent).bind("id", instanceId).execute();
            }
            int updated = h.createUpdate("UPDATE service_statuses SET status = :st, updated_at = :t WHERE instance_id = :id")
                    .bind("st", status.name()).bind("t", Instant.now()).bind("id", instanceId).execute();
            if (updated == 0) {
                h.createUpdate("INSERT INTO service_statuses (instance_id, status, updated_at) VALUES (:id, :st, :t)")
                        .bind("st", status.name()).bind("t", Instant.now()).bind("id", instanceId).execute();
            }
            return true;
        });
    }

    public void set(String instanceId, ServiceStatus status) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE service_statuses SET status = :st, updated_at = :t WHERE instance_id = :id")
                .bind("st", status.name()).bind("t", Instant.now()).bind("id", instanceId).execute());
    }
}
