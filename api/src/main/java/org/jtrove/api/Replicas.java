package org.jtrove.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.jtrove.bus.TaskmanagerApi;
import org.jtrove.model.InstanceAccess;
import org.jtrove.model.InstanceTask;
import org.jtrove.model.Json;
import org.jtrove.model.JtroveException;
import org.jtrove.model.ReplicationMode;
import org.jtrove.model.ServiceStatus;
import org.jtrove.model.TaskType;
import org.jtrove.model.guest.Managers;
import org.jtrove.store.FlavorRecord;
import org.jtrove.store.InstanceRecord;
import org.jtrove.store.InstanceRepository;
import org.jtrove.store.MetadataStore;
import org.jtrove.store.ServiceStatusRecord;
import org.jtrove.store.TaskRecord;

/**
 * Trove's replication routes: create with {@code replica_of} (and {@code replica_count}, 1 to 3, names suffixed
 * {@code -1}, {@code -2}, ... when several), the {@code replica_of} and {@code replicas} view fields (and jtrove's
 * {@code replication_lag}), detach ({@code replica_of: null}), {@code promote_to_replica_source} and
 * {@code eject_replica_source}. Each checks everything before it records a task, so a refusal changes nothing.
 */
final class Replicas {
    /** Fields a replica takes from its source: giving them is refused, as Trove does. */
    private static final List<String> FROM_SOURCE = List.of("flavorRef", "volume", "datastore", "locality");
    private static final int MAX_COUNT = 3;
    private final MetadataStore store;
    private final TaskmanagerApi taskmanager;
    private final Quotas quotas;
    private final ApiSettings settings;

    Replicas(MetadataStore store, TaskmanagerApi taskmanager, Quotas quotas, ApiSettings settings) {
        this.store = store;
        this.taskmanager = taskmanager;
        this.quotas = quotas;
        this.settings = settings;
    }

    /**
     * jtrove's {@code replication_mode} of a create or update body for an instance of {@code manager}: null when the
     * body has none; refused (400) unless it is {@code asynchronous} or {@code synchronous} on PostgreSQL.
     */
    static ReplicationMode replicationMode(JsonNode body, String manager) {
        if (!body.has(MODE_FIELD)) {
            return null;
        }
        JsonNode value = body.get(MODE_FIELD);
        ReplicationMode mode = value.isTextual() ? ReplicationMode.parse(value.asText()).orElse(null) : null;
        if (mode == null) {
            throw JtroveException.badRequest("Validation error: instance['" + MODE_FIELD + "'] must be one of "
                    + Arrays.stream(ReplicationMode.values()).map(ReplicationMode::apiValue).toList() + ".");
        }
        if (!Managers.hasSynchronousReplication(manager)) {
            throw JtroveException.badRequest("'" + MODE_FIELD + "' is jtrove's extension for PostgreSQL replicas; the '"
                    + manager + "' datastore replicates asynchronously only. Leave '" + MODE_FIELD + "' out.");
        }
        return mode;
    }

    /**
     * PATCH {@code replication_mode} of a source (or of a standalone instance, for its future replicas): recorded
     * with a SET_REPLICATION_MODE task that puts it in force on the server with a reload.
     */
    void setReplicationMode(InstanceRecord i, JsonNode body) {
        ReplicationMode mode = replicationMode(body, store.datastores.version(i.datastoreVersionId()).orElseThrow()
                .manager());
        String source = store.instances.replicaOf(i.id());
        if (source != null) {
            throw JtroveException.badRequest("Instance " + i.id() + " is a replica; its replica set's "
                    + MODE_FIELD + " is set on its source " + source + ".");
        }
        if (!InstanceController.idle(i)) {
            throw InstanceController.busy(i, "task", i.task().name());
        }
        TaskRecord t = TaskRecord.start(TaskType.SET_REPLICATION_MODE, i.id(),
                Map.of("replication_mode", mode.apiValue(), "previous_task", i.task().name()));
        if (!store.instances.setReplicationModeWithTask(i.id(), mode.stored(), i.task(), InstanceTask.UPDATING, t)) {
            throw InstanceController.busy(i, "task", "changing");
        }
        taskmanager.runTask(t.id());
    }

    /** Creates the replicas a create body asks for; returns the first (Trove shows only the first). */
    InstanceRecord create(String project, JsonNode body) {
        if (body.has(MODE_FIELD)) {
            throw JtroveException.badRequest("A replica follows its replica set's '" + MODE_FIELD + "', which is set on"
                    + " the source; create the replica without '" + MODE_FIELD + "'.");
        }
        if (!body.hasNonNull("replica_of")) {
            throw JtroveException.badRequest("'replica_count' is only meaningful with 'replica_of' (the source's id).");
        }
        for (String field : FROM_SOURCE) {
            if (body.hasNonNull(field)) {
                throw JtroveException.badRequest("A replica takes '" + field + "' from its source; create it without"
                        + " '" + field + "'.");
            }
        }
        for (String field : List.of("databases", "users", "restorePoint", "configuration")) {
            if (body.hasNonNull(field) && !(body.get(field).isArray() && body.get(field).isEmpty())) {
                throw JtroveException.badRequest("A replica holds its source's data and configuration; create it"
                        + " without '" + field + "'.");
            }
        }
        String name = Bodies.nonEmptyString(body, "name", "instance");
        int count = 1;
        if (body.hasNonNull("replica_count")) {
            JsonNode c = body.get("replica_count");
            if (!c.isIntegralNumber() || c.asInt() < 1 || c.asInt() > MAX_COUNT) {
                throw JtroveException.badRequest("Validation error: instance['replica_count'] must be an integer from 1"
                        + " to " + MAX_COUNT + ".");
            }
            count = c.asInt();
        }
        JsonNode ref = body.get("replica_of");
        if (!ref.isTextual()) {
            throw JtroveException.badRequest("Validation error: instance['replica_of'] must be a string (an id).");
        }
        String sourceId = ref.asText().substring(ref.asText().lastIndexOf('/') + 1);
        InstanceRecord source = store.instances.find(project, sourceId).orElseThrow(() -> JtroveException.notFound(
                "Resource " + sourceId.replaceAll("\\p{Cntrl}", "?") + " cannot be found."));
        if (store.instances.replicaOf(source.id()) != null) {
            throw JtroveException.badRequest("Instance " + source.id() + " is a replica itself; create the replica of"
                    + " its source " + store.instances.replicaOf(source.id()) + " instead.");
        }
        requireReady(source);
        InstanceAccess access = body.has("access")
                ? AccessBody.parse(body.get("access"), InstanceAccess.DEFAULT, settings.publicAddress() != null)
                : store.instances.access(source.id());
        FlavorRecord flavor = store.flavors.find(source.flavorId()).orElseThrow(() -> JtroveException.badRequest(
                "The flavor of instance " + source.id() + " no longer exists."));
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        List<InstanceRepository.NewInstance> rows = new ArrayList<>();
        for (int n = 1; n <= count; n++) {
            String id = UUID.randomUUID().toString();
            InstanceRecord replica = new InstanceRecord(id, project, count == 1 ? name : name + "-" + n,
                    source.flavorId(), source.datastoreVersionId(), source.volumeSize(), null, null,
                    InstanceTask.BUILDING.name(), null, null, now, now, false, null);
            rows.add(new InstanceRepository.NewInstance(replica,
                    TaskRecord.start(TaskType.CREATE_REPLICA, id, Map.of("replica_of", source.id())), source.id()));
        }
        store.instances.insertAllWithTasks(rows, (usage, wanted) -> quotas.check(project, usage, wanted),
                Map.of("instances", count, "volumes", count * source.volumeSize(), "ram", count * flavor.ram()),
                store.configurations.attachedTo(source.id()).orElse(null), access);
        rows.forEach(r -> taskmanager.runTask(r.task().id()));
        return rows.get(0).instance();
    }

    /**
     * jtrove's extension {@code auto_failover} of a create or update body: true or false, or null for the default
     * (on while the instance has replicas); anything else is refused with 400 before anything changes.
     *
     * @return the value, or null for null
     */
    static Boolean autoFailover(JsonNode body) {
        JsonNode v = body.get(AUTO_FAILOVER);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isBoolean()) {
            throw JtroveException.badRequest("Validation error: instance['auto_failover'] must be true, false or null"
                    + " (the default: on while the instance has replicas), not " + v + ".");
        }
        return v.booleanValue();
    }

    /** Records the body's auto_failover choice, if it has the field (checked by {@link #autoFailover} first). */
    void recordAutoFailover(String id, JsonNode body) {
        if (body.has(AUTO_FAILOVER)) {
            store.instances.setAutoFailover(id, autoFailover(body));
        }
    }

    /**
     * Adds {@code replica_of} (with the replica's lag) or {@code replicas} to an instance view, jtrove's
     * {@code auto_failover} (the value in effect), for PostgreSQL jtrove's {@code replication_mode} (its replica
     * set's, held by the source), and, in detail, the last automatic {@code failover} the instance took
     * part in ({@code old_source}, {@code new_source}, and when the failure was first seen ({@code down_since}),
     * confirmed ({@code detected}), the old source {@code fenced}, the new one {@code promoted}, the old one
     * {@code rejoined}).
     */
    void addToView(Context ctx, InstanceRecord i, ObjectNode n, boolean detail, String manager) {
        List<InstanceRecord> replicas = store.instances.replicasOf(i.id());
        Boolean choice = store.instances.autoFailover(i.id());
        n.put(AUTO_FAILOVER, choice != null ? choice : !replicas.isEmpty());
        String failover = detail ? store.instances.failover(i.id()) : null;
        if (failover != null) {
            ObjectNode event = (ObjectNode) Json.parse(failover);
            event.remove("task_id");
            n.set("failover", event);
        }
        String project = ctx.pathParam("project");
        String source = store.instances.replicaOf(i.id());
        if (Managers.hasSynchronousReplication(manager)) {
            n.put(MODE_FIELD, ReplicationMode.ofStored(store.instances.replicationMode(source == null ? i.id() : source))
                    .apiValue());
        }
        if (source != null) {
            ObjectNode of = n.putObject("replica_of");
            of.put("id", source);
            of.set("links", Links.of(ctx, project, "instances", source));
            if (detail) {
                store.serviceStatuses.replicationLag(i.id()).ifPresent(lag -> n.put("replication_lag", lag));
            }
        }
        if (!replicas.isEmpty()) {
            ArrayNode list = n.putArray("replicas");
            for (InstanceRecord r : replicas) {
                ObjectNode item = list.addObject();
                item.put("id", r.id());
                item.set("links", Links.of(ctx, project, "instances", r.id()));
            }
        }
    }

    /**
     * jtrove's extension: the replica set's writer address (held by its source, forwarded to the current source) as an
     * {@code addresses} entry of {@code type: "writer"} with the datastore's port, on every member's view.
     */
    void addWriterAddress(InstanceRecord i, ArrayNode addresses) {
        String source = store.instances.replicaOf(i.id());
        store.instances.writer(source == null ? i.id() : source).ifPresent(w -> addresses.addObject()
                .put("address", w.address()).put("type", "writer").put("network", "loopback")
                .put("port", Managers.port(store.datastores.version(i.datastoreVersionId()).orElseThrow().manager())));
    }

    /** Trove's ReplicaSourceDeleteForbidden: a source with replicas is not deleted. */
    void checkDeletable(InstanceRecord i) {
        List<InstanceRecord> replicas = store.instances.replicasOf(i.id());
        if (!replicas.isEmpty()) {
            throw new JtroveException(403, "The replica source cannot be deleted without detaching the replicas"
                    + " (instance " + i.id() + " has replicas " + replicas.stream().map(InstanceRecord::id).toList()
                    + "); detach or delete them first.");
        }
    }

    /** PATCH {@code replica_of} (or {@code slave_of}) null: the replica becomes a standalone writable instance. */
    void detach(InstanceRecord replica) {
        String source = requireReplica(replica);
        requireReady(replica);
        start(replica, TaskType.DETACH_REPLICA, InstanceTask.DETACHING, Map.of("replica_of", source), List.of());
    }

    /** A planned switchover: the replica becomes the source; the source and the other replicas follow it. */
    void promote(InstanceRecord replica) {
        String sourceId = requireReplica(replica);
        InstanceRecord source = store.instances.find(sourceId).orElseThrow(() -> JtroveException.badRequest(
                "The source " + sourceId + " of replica " + replica.id() + " no longer exists; detach the replica."));
        requireReady(replica);
        requireReady(source);
        List<InstanceRecord> others = new ArrayList<>(store.instances.replicasOf(sourceId));
        others.removeIf(r -> r.id().equals(replica.id()));
        for (InstanceRecord r : others) {
            requireReady(r);
        }
        others.add(source);
        start(replica, TaskType.PROMOTE_TO_REPLICA_SOURCE, InstanceTask.PROMOTING, Map.of("replica_of", sourceId),
                others);
    }

    /** The source is lost: its most advanced replica takes over. Refused while the source is healthy, as in Trove. */
    void eject(InstanceRecord source) {
        List<InstanceRecord> replicas = store.instances.replicasOf(source.id());
        if (replicas.isEmpty()) {
            throw JtroveException.badRequest("Instance " + source.id() + " is not a replica source (it has no"
                    + " replicas).");
        }
        ServiceStatusRecord s = store.serviceStatuses.find(source.id()).orElse(null);
        boolean current = s != null && s.serviceStatus().isUp()
                && s.updatedAt().isAfter(Instant.now().minus(settings.heartbeatExpiry()));
        if (current) {
            throw JtroveException.badRequest("Replica Source " + source.id() + " cannot be ejected as it has a current"
                    + " heartbeat; promote a replica instead (promote_to_replica_source) for a planned switchover.");
        }
        if (!InstanceController.idle(source)) {
            throw InstanceController.busy(source, "task", source.task().name());
        }
        for (InstanceRecord r : replicas) {
            requireReady(r);
        }
        start(source, TaskType.EJECT_REPLICA_SOURCE, InstanceTask.EJECTING, Map.of(), replicas);
    }

    private String requireReplica(InstanceRecord i) {
        String source = store.instances.replicaOf(i.id());
        if (source == null) {
            throw JtroveException.badRequest("Instance " + i.id() + " is not a replica.");
        }
        return source;
    }

    /** Idle, its server up, no backup running: Trove's validate_can_perform_action. */
    private void requireReady(InstanceRecord i) {
        if (!InstanceController.idle(i)) {
            throw InstanceController.busy(i, "task", i.task().name());
        }
        if (store.backups.hasRunning(i.id())) {
            throw InstanceController.busy(i, "instance", "BACKUP");
        }
        ServiceStatus s = store.serviceStatuses.find(i.id()).map(ServiceStatusRecord::serviceStatus)
                .orElse(ServiceStatus.NEW);
        if (!s.isUp()) {
            throw InstanceController.busy(i, "instance", s.apiValue());
        }
    }

    /** Records the task on {@code i} and marks {@code others} with the same task status (undone if one moved). */
    private void start(InstanceRecord i, TaskType type, InstanceTask status, Map<String, Object> payload,
                       List<InstanceRecord> others) {
        Map<String, Object> withInvolved = new HashMap<>(payload);
        withInvolved.put("involved", others.stream().map(InstanceRecord::id).toList());
        withInvolved.put("previous_task", i.task().name());
        List<InstanceRecord> marked = new ArrayList<>();
        for (InstanceRecord o : others) {
            if (!store.instances.compareAndSetTask(o.id(), o.task(), status)) {
                marked.forEach(m -> store.instances.compareAndSetTask(m.id(), status, m.task()));
                throw InstanceController.busy(o, "task", "changing");
            }
            marked.add(o);
        }
        TaskRecord t = TaskRecord.start(type, i.id(), withInvolved);
        if (!store.instances.startTask(i.id(), i.task(), status, t, true)) {
            marked.forEach(m -> store.instances.compareAndSetTask(m.id(), status, m.task()));
            throw InstanceController.busy(i, "task", "changing");
        }
        taskmanager.runTask(t.id());
    }


    static final Set<String> DETACH_FIELDS = Set.of("replica_of", "slave_of");
    static final String AUTO_FAILOVER = "auto_failover";
    /** jtrove's extension: the replica set's replication mode (see {@link ReplicationMode}). */
    static final String MODE_FIELD = "replication_mode";
}
