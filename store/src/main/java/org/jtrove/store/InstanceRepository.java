package org.jtrove.store;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.mapper.reflect.ConstructorMapper;
import org.jtrove.model.InstanceAccess;
import org.jtrove.model.InstanceTask;
import org.jtrove.model.Json;

/** Instance rows. The task status column is owned by the api and the taskmanager only. */
public final class InstanceRepository {
    private final Jdbi jdbi;

    private final TaskRepository tasks;

    InstanceRepository(Jdbi jdbi, TaskRepository tasks) {
        this.jdbi = jdbi;
        this.tasks = tasks;
        jdbi.registerRowMapper(ConstructorMapper.factory(InstanceRecord.class));
    }

    /** Inserts without a quota check (tests, imports). */
    public void insertWithTask(InstanceRecord i, TaskRecord task) {
        insertWithTask(i, task, (usage, wanted) -> { }, Map.of(), null, InstanceAccess.DEFAULT);
    }

    /** What a create may use, checked under the project's quota lock: resource -> limit (-1: unlimited). */
    public interface QuotaCheck {
        /** Throws if taking {@code wanted} on top of {@code usage} exceeds a limit. */
        void check(Map<String, Integer> usage, Map<String, Integer> wanted);
    }

    /**
     * Inserts the instance, its NEW service status and its create task in one transaction, after checking the
     * project's quota under a lock so that concurrent creates cannot both take the last free slot.
     * {@code configurationId} is the configuration group attached at create, or null; {@code access} is recorded
     * with the row, so the compute driver enforces it from the first provisioning step.
     */
    public void insertWithTask(InstanceRecord i, TaskRecord task, QuotaCheck quota, Map<String, Integer> wanted,
                               String configurationId, InstanceAccess access) {
        insertWithTask(i, task, quota, wanted, configurationId, access, null);
    }

    /** As above, with the instance's replication mode ({@code synchronous}, or null: asynchronous). */
    public void insertWithTask(InstanceRecord i, TaskRecord task, QuotaCheck quota, Map<String, Integer> wanted,
                               String configurationId, InstanceAccess access, String replicationMode) {
        insertAllWithTasks(List.of(new NewInstance(i, task, null, replicationMode)), quota, wanted, configurationId,
                access);
    }

    /**
     * An instance to insert with its create task; {@code replicaOf} is the source of a replica, else null;
     * {@code replicationMode} is {@code synchronous} or null (asynchronous).
     */
    public record NewInstance(InstanceRecord instance, TaskRecord task, String replicaOf, String replicationMode) {
        public NewInstance(InstanceRecord instance, TaskRecord task, String replicaOf) {
            this(instance, task, replicaOf, null);
        }
    }

    /**
     * Inserts several instances of one project (Trove's replica_count) like {@link #insertWithTask}: all of them in
     * one transaction, the quota checked once for {@code wanted} (their sum).
     */
    public void insertAllWithTasks(List<NewInstance> instances, QuotaCheck quota, Map<String, Integer> wanted,
                                   String configurationId, InstanceAccess access) {
        String project = instances.get(0).instance().projectId();
        jdbi.useTransaction(h -> {
            QuotaRepository.lock(jdbi, h, project);
            quota.check(QuotaRepository.usage(h, project), wanted);
            for (NewInstance n : instances) {
                InstanceRecord i = n.instance();
                h.createUpdate("INSERT INTO instances (id, project_id, name, flavor_id, datastore_version_id, volume_size,"
                        + " task_status, created, updated, deleted, configuration_id, access, replica_of, replication_mode)"
                        + " VALUES (:id, :projectId, :name, :flavorId, :datastoreVersionId, :volumeSize, :taskStatus,"
                        + " :created, :updated, FALSE, :configurationId, :access, :replicaOf, :mode)")
                        .bindMethods(i).bind("configurationId", configurationId).bind("access", Json.write(access))
                        .bind("replicaOf", n.replicaOf()).bind("mode", n.replicationMode()).execute();
                h.createUpdate("INSERT INTO service_statuses (instance_id, status, updated_at) VALUES (:id, 'NEW', :t)")
                        .bind("id", i.id()).bind("t", i.created()).execute();
                tasks.insert(h, n.task());
            }
        });
    }

    /** The source a replica follows, or null for a standalone instance or a source. */
    public String replicaOf(String id) {
        return jdbi.withHandle(h -> h.createQuery("SELECT replica_of FROM instances WHERE id = :id").bind("id", id)
                .mapTo(String.class).findFirst().orElse(null));
    }

    /** The live replicas of {@code sourceId}, oldest first. */
    public List<InstanceRecord> replicasOf(String sourceId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM instances WHERE replica_of = :s AND deleted = FALSE"
                + " ORDER BY created, id").bind("s", sourceId).mapTo(InstanceRecord.class).list());
    }

    /** Live instances that have live replicas (replica sources), oldest first. */
    public List<InstanceRecord> replicaSources() {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM instances s WHERE s.deleted = FALSE AND EXISTS (SELECT 1"
                + " FROM instances r WHERE r.replica_of = s.id AND r.deleted = FALSE) ORDER BY s.created, s.id")
                .mapTo(InstanceRecord.class).list());
    }

    /** Live instances whose task status is {@code task}, oldest first. */
    public List<InstanceRecord> withTask(InstanceTask task) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM instances WHERE task_status = :s AND deleted = FALSE"
                + " ORDER BY created, id").bind("s", task.name()).mapTo(InstanceRecord.class).list());
    }

    /** The instance's own auto_failover choice, or null when it has none (the default applies). */
    public Boolean autoFailover(String id) {
        return jdbi.withHandle(h -> h.createQuery("SELECT auto_failover FROM instances WHERE id = :id").bind("id", id)
                .mapTo(Boolean.class).findFirst().orElse(null));
    }

    /** Whether automatic failover is on for the instance: its own choice, else on while it has replicas. */
    public boolean autoFailoverInEffect(String id) {
        Boolean choice = autoFailover(id);
        return choice != null ? choice : !replicasOf(id).isEmpty();
    }

    /** Records the instance's auto_failover choice (null: back to the default). */
    public void setAutoFailover(String id, Boolean on) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE instances SET auto_failover = :a, updated = :t WHERE id = :id")
                .bind("a", on).bind("t", Instant.now()).bind("id", id).execute());
    }

    /** The last failover the instance took part in (JSON text, see V11), or null. */
    public String failover(String id) {
        return jdbi.withHandle(h -> h.createQuery("SELECT failover FROM instances WHERE id = :id").bind("id", id)
                .mapTo(String.class).findFirst().orElse(null));
    }

    /** Records the last failover the instance took part in (JSON text). */
    public void setFailover(String id, String json) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE instances SET failover = :f, updated = :t WHERE id = :id")
                .bind("f", json).bind("t", Instant.now()).bind("id", id).execute());
    }

    /** Makes {@code id} a replica of {@code sourceId} (null: standalone). */
    public void setReplicaOf(String id, String sourceId) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE instances SET replica_of = :s, updated = :t WHERE id = :id")
                .bind("s", sourceId).bind("t", Instant.now()).bind("id", id).execute());
    }

    /**
     * The replication mode of the replica set whose source is {@code id}: {@code synchronous}, or null
     * (asynchronous, also for a replica: the mode is held by the source).
     */
    public String replicationMode(String id) {
        return jdbi.withHandle(h -> h.createQuery("SELECT replication_mode FROM instances WHERE id = :id")
                .bind("id", id).mapTo(String.class).findFirst().orElse(null));
    }

    /**
     * Records {@code mode} ({@code synchronous} or null) and starts {@code task} on the instance, moving its task
     * status from {@code expected} to {@code next}, in one transaction; false (nothing changed) if the task moved.
     */
    public boolean setReplicationModeWithTask(String id, String mode, InstanceTask expected, InstanceTask next,
                                              TaskRecord task) {
        return jdbi.inTransaction(h -> {
            int moved = h.createUpdate("UPDATE instances SET task_status = :n, replication_mode = :m, updated = :t"
                            + " WHERE id = :id AND task_status = :e AND deleted = FALSE")
                    .bind("n", next.name()).bind("e", expected.name()).bind("m", mode).bind("t", Instant.now())
                    .bind("id", id).execute();
            if (moved != 1) {
                return false;
            }
            tasks.insert(h, task);
            return true;
        });
    }

    /**
     * Hands the replica set's shared settings (replication mode, writer address and its host) from its old source
     * {@code from} to its new source {@code to}, in one transaction; nothing if {@code from} holds none (handed).
     */
    public void moveSetSettings(String from, String to) {
        jdbi.useTransaction(h -> {
            var held = h.createQuery("SELECT replication_mode, writer_address, writer_host FROM instances WHERE id = :id")
                    .bind("id", from).mapToMap().findFirst().orElse(Map.of());
            if (held.get("replication_mode") == null && held.get("writer_address") == null) {
                return;
            }
            h.createUpdate("UPDATE instances SET replication_mode = NULL, writer_address = NULL, writer_host = NULL"
                    + " WHERE id = :id").bind("id", from).execute();
            h.createUpdate("UPDATE instances SET replication_mode = :m, writer_address = :w, writer_host = :h,"
                    + " updated = :t WHERE id = :id").bind("m", held.get("replication_mode"))
                    .bind("w", held.get("writer_address")).bind("h", held.get("writer_host"))
                    .bind("t", Instant.now()).bind("id", to).execute();
        });
    }

    /** A replica set's writer address and the host that gave it out and forwards it. */
    public record Writer(String address, String host) {}

    /** The writer address of the replica set whose source is {@code id}, if it has one. */
    public Optional<Writer> writer(String id) {
        return jdbi.withHandle(h -> h.createQuery("SELECT writer_address, writer_host FROM instances WHERE id = :id"
                        + " AND writer_address IS NOT NULL").bind("id", id)
                .map((rs, ctx) -> new Writer(rs.getString(1), rs.getString(2))).findFirst());
    }

    /** Records (or, with null, gives back) the writer address held by the source {@code id}. */
    public void setWriter(String id, Writer writer) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE instances SET writer_address = :w, writer_host = :h WHERE id = :id")
                .bind("w", writer == null ? null : writer.address()).bind("h", writer == null ? null : writer.host())
                .bind("id", id).execute());
    }

    public Optional<InstanceRecord> find(String id) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM instances WHERE id = :id AND deleted = FALSE")
                .bind("id", id).mapTo(InstanceRecord.class).findFirst());
    }

    public Optional<InstanceRecord> find(String projectId, String id) {
        return jdbi.withHandle(h -> h.createQuery(
                        "SELECT * FROM instances WHERE id = :id AND project_id = :p AND deleted = FALSE")
                .bind("id", id).bind("p", projectId).mapTo(InstanceRecord.class).findFirst());
    }

    public List<InstanceRecord> listByProject(String projectId) {
        return jdbi.withHandle(h -> h.createQuery(
                        "SELECT * FROM instances WHERE project_id = :p AND deleted = FALSE ORDER BY created DESC")
                .bind("p", projectId).mapTo(InstanceRecord.class).list());
    }

    public List<InstanceRecord> listLive() {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM instances WHERE deleted = FALSE ORDER BY created")
                .mapTo(InstanceRecord.class).list());
    }

    /** The instance row, deleted or not (Trove's management view, {@code ?deleted=true}). */
    public Optional<InstanceRecord> findIncludingDeleted(String id) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM instances WHERE id = :id")
                .bind("id", id).mapTo(InstanceRecord.class).findFirst());
    }

    /**
     * Instances of every project for the management view, newest first: only deleted ones, only live ones, or both
     * ({@code deleted} null); of one project, or of all ({@code projectId} null).
     */
    public List<InstanceRecord> listAllProjects(Boolean deleted, String projectId) {
        StringBuilder sql = new StringBuilder("SELECT * FROM instances WHERE 1 = 1");
        if (deleted != null) {
            sql.append(" AND deleted = :d");
        }
        if (projectId != null) {
            sql.append(" AND project_id = :p");
        }
        sql.append(" ORDER BY created DESC, id");
        return jdbi.withHandle(h -> {
            var q = h.createQuery(sql.toString());
            if (deleted != null) {
                q.bind("d", deleted.booleanValue());
            }
            if (projectId != null) {
                q.bind("p", projectId);
            }
            return q.mapTo(InstanceRecord.class).list();
        });
    }

    public void rename(String id, String name) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE instances SET name = :n, updated = :t WHERE id = :id")
                .bind("n", name).bind("t", Instant.now()).bind("id", id).execute());
    }

    public void setFlavor(String id, String flavorId) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE instances SET flavor_id = :f, updated = :t WHERE id = :id")
                .bind("f", flavorId).bind("t", Instant.now()).bind("id", id).execute());
    }

    /** Grows the recorded volume under the project's quota lock. */
    public void growVolume(InstanceRecord i, int newSize, QuotaCheck quota) {
        jdbi.useTransaction(h -> {
            QuotaRepository.lock(jdbi, h, i.projectId());
            quota.check(QuotaRepository.usage(h, i.projectId()), Map.of("volumes", newSize - i.volumeSize()));
            h.createUpdate("UPDATE instances SET volume_size = :s, updated = :t WHERE id = :id")
                    .bind("s", newSize).bind("t", Instant.now()).bind("id", i.id()).execute();
        });
    }

    public void setTask(String id, InstanceTask task) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE instances SET task_status = :s, updated = :t WHERE id = :id")
                .bind("s", task.name()).bind("t", Instant.now()).bind("id", id).execute());
    }

    /**
     * Moves the task from {@code expected} to {@code next} only if nobody changed it meanwhile, so two
     * concurrent actions on one instance cannot both start.
     */
    public boolean compareAndSetTask(String id, InstanceTask expected, InstanceTask next) {
        return jdbi.withHandle(h -> h.createUpdate("UPDATE instances SET task_status = :n, updated = :t"
                        + " WHERE id = :id AND task_status = :e AND deleted = FALSE")
                .bind("n", next.name()).bind("e", expected.name()).bind("t", Instant.now()).bind("id", id)
                .execute()) == 1;
    }

    /**
     * Moves the task from {@code expected} to {@code next} and records the task that will do the work, in one
     * transaction; false (and nothing written) if the instance was not in {@code expected}.
     */
    public boolean startTask(String id, InstanceTask expected, InstanceTask next, TaskRecord task) {
        return startTask(id, expected, next, task, false);
    }

    /**
     * As {@link #startTask(String, InstanceTask, InstanceTask, TaskRecord)}; with {@code unlessBackup}, also false
     * while a backup of the instance runs. Checked under the project's lock, which backup creation takes too, so a
     * restart or resize and a backup cannot both start.
     */
    public boolean startTask(String id, InstanceTask expected, InstanceTask next, TaskRecord task, boolean unlessBackup) {
        return jdbi.inTransaction(h -> {
            if (unlessBackup) {
                String project = h.createQuery("SELECT project_id FROM instances WHERE id = :id").bind("id", id)
                        .mapTo(String.class).findFirst().orElse(null);
                if (project == null) {
                    return false;
                }
                QuotaRepository.lock(jdbi, h, project);
                if (h.createQuery("SELECT COUNT(*) FROM backups WHERE instance_id = :id AND deleted = FALSE"
                        + " AND state IN ('NEW', 'BUILDING')").bind("id", id).mapTo(Integer.class).one() > 0) {
                    return false;
                }
            }
            int moved = h.createUpdate("UPDATE instances SET task_status = :n, updated = :t"
                            + " WHERE id = :id AND task_status = :e AND deleted = FALSE")
                    .bind("n", next.name()).bind("e", expected.name()).bind("t", Instant.now()).bind("id", id).execute();
            if (moved != 1) {
                return false;
            }
            tasks.insert(h, task);
            return true;
        });
    }

    public void setFault(String id, InstanceTask task, String message) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE instances SET task_status = :s, fault_message = :m,"
                        + " fault_created = :t, updated = :t WHERE id = :id")
                .bind("s", task.name()).bind("m", truncate(message)).bind("t", Instant.now()).bind("id", id).execute());
    }

    /** Records a fault message for the user without changing the task status (e.g. a refused configuration). */
    public void setFaultMessage(String id, String message) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE instances SET fault_message = :m, fault_created = :t, updated = :t"
                        + " WHERE id = :id")
                .bind("m", truncate(message)).bind("t", Instant.now()).bind("id", id).execute());
    }

    public void clearFault(String id) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE instances SET fault_message = NULL, fault_created = NULL WHERE id = :id")
                .bind("id", id).execute());
    }

    /** Where the instance's guest agent runs: the host that serves it and the instance's address there. */
    public void setPlacement(String id, String host, String address) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE instances SET compute_host = :h, address = :a WHERE id = :id")
                .bind("h", host).bind("a", address).bind("id", id).execute());
    }

    /** The guest-agent host serving the instance, or null (not placed yet, or placed before hosts were recorded). */
    public String computeHost(String id) {
        return jdbi.withHandle(h -> h.createQuery("SELECT compute_host FROM instances WHERE id = :id").bind("id", id)
                .mapTo(String.class).findFirst().orElse(null));
    }

    /** The instance's access; rows from before access was recorded have the default (not public, any source). */
    public InstanceAccess access(String id) {
        return jdbi.withHandle(h -> h.createQuery("SELECT access FROM instances WHERE id = :id").bind("id", id)
                .mapTo(String.class).findFirst())
                .map(text -> Json.convert(Json.parse(text), InstanceAccess.class)).orElse(InstanceAccess.DEFAULT);
    }

    /** Records the access in force (the compute driver calls this once it has applied it). */
    public void setAccess(String id, InstanceAccess access) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE instances SET access = :a, updated = :t WHERE id = :id")
                .bind("a", Json.write(access)).bind("t", Instant.now()).bind("id", id).execute());
    }

    /** The port the instance is published on at the host's public address, or null while it is not public. */
    public Integer publicPort(String id) {
        return jdbi.withHandle(h -> h.createQuery("SELECT public_port FROM instances WHERE id = :id").bind("id", id)
                .mapTo(Integer.class).findFirst().orElse(null));
    }

    /** Records the instance's public port, or null to give it back; a port held by another instance is refused. */
    public void setPublicPort(String id, Integer port) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE instances SET public_port = :p WHERE id = :id")
                .bind("p", port).bind("id", id).execute());
    }

    public void markDeleted(String id) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE instances SET deleted = TRUE, deleted_at = :t, address_index = NULL,"
                + " task_status = 'NONE', updated = :t WHERE id = :id").bind("t", Instant.now()).bind("id", id).execute());
    }

    /** Messages go into VARCHAR(4000) columns; a longer one (a tool's whole output, say) is cut, not refused. */
    static String truncate(String message) {
        return message == null || message.length() <= 4000 ? message : message.substring(0, 3990) + " [...]";
    }
}
