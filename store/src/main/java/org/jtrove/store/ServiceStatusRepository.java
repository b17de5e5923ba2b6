package org.jtrove.store;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.PreparedBatch;
import org.jdbi.v3.core.mapper.reflect.ConstructorMapper;
import org.jtrove.model.ServiceStatus;

/** Guest-reported database status; written by the conductor (and set to NEW/BUILDING by the taskmanager's create). */
public final class ServiceStatusRepository {
    private static final int IN_LIST = 50;
    private final Jdbi jdbi;

    ServiceStatusRepository(Jdbi jdbi) {
        this.jdbi = jdbi;
        jdbi.registerRowMapper(ConstructorMapper.factory(ServiceStatusRecord.class));
    }

    public Optional<ServiceStatusRecord> find(String instanceId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM service_statuses WHERE instance_id = :id")
                .bind("id", instanceId).mapTo(ServiceStatusRecord.class).findFirst());
    }

    /** A guest's heartbeat to store: its status stamped with the sender's clock (epoch seconds). */
    public record Heartbeat(String instanceId, ServiceStatus status, double sent, Double replicationLag) {
        public Heartbeat(String instanceId, ServiceStatus status, double sent) {
            this(instanceId, status, sent, null);
        }
    }

    /** The replication lag in seconds the instance's last stored heartbeat reported; empty when it is no replica. */
    public Optional<Double> replicationLag(String instanceId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT replication_lag FROM service_statuses WHERE instance_id = :id")
                .bind("id", instanceId).mapTo(Double.class).findFirst());
    }

    /** A heartbeat that was stored, with the status it replaced. */
    public record Stored(String instanceId, ServiceStatus before, ServiceStatus after) {}

    /**
     * Stores a heartbeat of a live instance unless an equal or newer one was stored already (messages can arrive
     * out of order). Returns whether it was stored.
     */
    public boolean saveHeartbeat(String instanceId, ServiceStatus status, double sent) {
        return !saveHeartbeats(List.of(new Heartbeat(instanceId, status, sent))).isEmpty();
    }

    /**
     * Stores many heartbeats in one transaction with a few statements per 50 instances (the
     * conductor's batches). The same rule as one at a time: of an instance's heartbeats only the newest counts (the
     * first of equals), and only if it is newer than the one stored; heartbeats of unknown or deleted instances
     * are dropped. Rows are locked in instance id order, so two conductors storing overlapping batches cannot
     * deadlock.
     *
     * @return the heartbeats stored, in instance id order
     */
    public List<Stored> saveHeartbeats(List<Heartbeat> heartbeats) {
        Map<String, Heartbeat> newest = new TreeMap<>();
        for (Heartbeat h : heartbeats) {
            newest.merge(h.instanceId(), h, (had, next) -> next.sent() > had.sent() ? next : had);
        }
        if (newest.isEmpty()) {
            return List.of();
        }
        return jdbi.inTransaction(h -> {
            // every live instance has had a status row since its insert: one query finds both
            Map<String, ServiceStatus> before = new HashMap<>();
            Map<String, Double> last = new HashMap<>();
            for (List<String> ids : chunks(new ArrayList<>(newest.keySet()))) {
                h.createQuery("SELECT s.instance_id, s.status FROM service_statuses s JOIN instances i"
                                + " ON i.id = s.instance_id WHERE i.deleted = FALSE AND s.instance_id IN (<ids>)")
                        .bindList("ids", ids)
                        .map((rs, ctx) -> before.put(rs.getString("instance_id"),
                                ServiceStatus.valueOf(rs.getString("status"))))
                        .list();
                h.createQuery("SELECT instance_id, sent FROM conductor_lastseen WHERE method_name = 'heartbeat'"
                                + " AND instance_id IN (<ids>) ORDER BY instance_id FOR UPDATE")
                        .bindList("ids", ids)
                        .map((rs, ctx) -> last.put(rs.getString("instance_id"), rs.getDouble("sent"))).list();
            }
            Instant now = Instant.now();
            PreparedBatch seenUpdate = h.prepareBatch("UPDATE conductor_lastseen SET sent = :s"
                    + " WHERE instance_id = :id AND method_name = 'heartbeat'");
            PreparedBatch seenInsert = h.prepareBatch("INSERT INTO conductor_lastseen (instance_id, method_name, sent)"
                    + " VALUES (:id, 'heartbeat', :s)");
            PreparedBatch statusUpdate = h.prepareBatch("UPDATE service_statuses SET status = :st, updated_at = :t,"
                    + " replication_lag = :lag WHERE instance_id = :id");
            List<Stored> stored = new ArrayList<>();
            for (Heartbeat b : newest.values()) {
                Double seen = last.get(b.instanceId());
                if (!before.containsKey(b.instanceId()) || seen != null && seen >= b.sent()) {
                    continue;   // unknown or deleted instance, or not newer than the stored heartbeat
                }
                (seen != null ? seenUpdate : seenInsert).bind("id", b.instanceId()).bind("s", b.sent()).add();
                statusUpdate.bind("id", b.instanceId()).bind("st", b.status().name()).bind("t", now)
                        .bind("lag", b.replicationLag()).add();
                stored.add(new Stored(b.instanceId(), before.get(b.instanceId()), b.status()));
            }
            for (PreparedBatch batch : List.of(seenUpdate, seenInsert, statusUpdate)) {
                if (batch.size() > 0) {
                    batch.execute();
                }
            }
            return stored;
        });
    }

    /**
     * Splits sorted ids into IN lists of {@value #IN_LIST} (H2 checks every row against every value of an IN list,
     * so one list of hundreds costs far more than several short ones; other databases do not mind).
     */
    private static List<List<String>> chunks(List<String> ids) {
        List<List<String>> chunks = new ArrayList<>();
        for (int i = 0; i < ids.size(); i += IN_LIST) {
            chunks.add(ids.subList(i, Math.min(ids.size(), i + IN_LIST)));
        }
        return chunks;
    }

    public void set(String instanceId, ServiceStatus status) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE service_statuses SET status = :st, updated_at = :t WHERE instance_id = :id")
                .bind("st", status.name()).bind("t", Instant.now()).bind("id", instanceId).execute());
    }
}
