package org.jtrove.bus;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jtrove.model.Json;
import org.jtrove.model.guest.BackupRequest;
import org.jtrove.model.guest.DatabaseSpec;
import org.jtrove.model.guest.PrepareRequest;
import org.jtrove.model.guest.ReplicaRequest;
import org.jtrove.model.guest.ReplicationSource;
import org.jtrove.model.guest.RootUser;
import org.jtrove.model.guest.UserAttributes;
import org.jtrove.model.guest.UserSpec;

/**
 * How the control plane talks to an instance's guest agent: one method per {@link GuestMethod}. Long operations
 * are casts carrying an operation id: the agent runs each id once (a repeat is answered with the first outcome)
 * and reports the outcome to the conductor, where the waiting task step reads it. Everything else is a call with
 * the method's timeout; a refusal comes back as a {@code JtroveException} with its status, no reply as an
 * {@code UnavailableException} (503, "guest unavailable").
 */
public final class GuestApi {
    private final MessageBus bus;

    public GuestApi(MessageBus bus) {
        this.bus = bus;
    }

    // ---- long operations (casts) -------------------------------------------------------------------------------

    /** Builds and starts the instance's server as {@code request} says. */
    public void prepare(String instanceId, String operationId, PrepareRequest request) {
        operation(instanceId, GuestMethod.PREPARE, operationId, request);
    }

    /** Stops and starts the server. */
    public void restart(String instanceId, String operationId) {
        operation(instanceId, GuestMethod.RESTART, operationId, Map.of());
    }

    /** Rewrites the memory settings for {@code memoryMb} of RAM and restarts the server with them. */
    public void resize(String instanceId, String operationId, int memoryMb) {
        operation(instanceId, GuestMethod.RESIZE, operationId, Map.of("memory_mb", memoryMb));
    }

    /** Makes {@code values} the server's configuration-group values (empty: back to the defaults). */
    public void applyConfiguration(String instanceId, String operationId, Map<String, Object> values) {
        operation(instanceId, GuestMethod.APPLY_CONFIGURATION, operationId, Map.of("values", values));
    }

    /** Takes a backup in the background; progress is reported as {@code update_backup}. */
    public void createBackup(String instanceId, BackupRequest request) {
        bus.cast(Topics.guest(instanceId), Message.of(GuestMethod.CREATE_BACKUP.wireName(), request));
    }

    /** Builds a replica (its prepare restores the source's snapshot) that follows {@code request.source()}. */
    public void prepareReplica(String instanceId, String operationId, ReplicaRequest request) {
        operation(instanceId, GuestMethod.PREPARE_REPLICA, operationId, request);
    }

    /**
     * A fenced old source rewinds its data to {@code source} and follows it, if its datastore can; the outcome's
     * result is {@code {"rewound": true|false}} (false: it needs {@link #rebuildReplica}).
     */
    public void rewindReplica(String instanceId, String operationId, ReplicationSource source) {
        operation(instanceId, GuestMethod.REWIND_REPLICA, operationId, Map.of("source", source));
    }

    /** Replaces a fenced old source's data by its new source's snapshot and makes it follow that source. */
    public void rebuildReplica(String instanceId, String operationId, ReplicaRequest request) {
        operation(instanceId, GuestMethod.REBUILD_REPLICA, operationId, request);
    }

    /**
     * Fences an old source after a failover (a cast: an agent that is down gets it when it returns): its server is
     * stopped and not started again until it follows a source.
     */
    public void fenceServer(String instanceId) {
        bus.cast(Topics.guest(instanceId), Message.of(GuestMethod.FENCE_SERVER.wireName(), Map.of()));
    }

    // ---- calls ---------------------------------------------------------------------------------------------------

    /**
     * Readies the source {@code instanceId} for the replica {@code replicaId}: jtrove's replication user (the
     * source's own password for it, made once) and, for PostgreSQL, the replica's slot. Answers
     * {@code {"user", "password", "slot"}}.
     */
    public JsonNode prepareReplicationSource(String instanceId, String replicaId) {
        return call(instanceId, GuestMethod.PREPARE_REPLICATION_SOURCE, Map.of("replica_id", replicaId));
    }

    /** The source forgets a replica that left it. */
    public void forgetReplica(String instanceId, String replicaId) {
        call(instanceId, GuestMethod.FORGET_REPLICA, Map.of("replica_id", replicaId));
    }

    /**
     * The source's commits wait until one of {@code replicaIds} has them (PostgreSQL's synchronous replication); an
     * empty list: they do not wait. Applied with a reload.
     */
    public void setSynchronousStandbys(String instanceId, List<String> replicaIds) {
        call(instanceId, GuestMethod.SET_SYNCHRONOUS_STANDBYS, Map.of("replica_ids", replicaIds));
    }

    /** The running instance follows {@code source} from now on (restarted if its datastore needs it). */
    public void followSource(String instanceId, ReplicationSource source) {
        call(instanceId, GuestMethod.FOLLOW_SOURCE, Map.of("source", source));
    }

    /** The replica takes writes, once it applied everything up to {@code position} (null: at once). */
    public void promoteReplica(String instanceId, String position) {
        Map<String, Object> args = new HashMap<>();
        args.put("position", position);
        call(instanceId, GuestMethod.PROMOTE_REPLICA, args);
    }

    /** The source stops taking writes; answers its final position. */
    /**
     * The fence of {@link #fenceServer}, answered once the server is stopped.
     *
     * @throws RuntimeException when the agent does not answer within the method's timeout (it may be down)
     */
    public void fenceServerNow(String instanceId) {
        call(instanceId, GuestMethod.FENCE_SERVER_NOW, Map.of());
    }

    public String fenceSource(String instanceId) {
        return call(instanceId, GuestMethod.FENCE_SOURCE, Map.of()).path("position").asText();
    }

    /** How far the instance's data goes; higher is more advanced. */
    public long replicationRank(String instanceId) {
        return call(instanceId, GuestMethod.REPLICATION_RANK, Map.of()).path("rank").asLong();
    }

    /** Stops a running backup at its next write; true if it was running. */
    public boolean cancelBackup(String instanceId, String backupId) {
        return call(instanceId, GuestMethod.CANCEL_BACKUP, Map.of("backup_id", backupId)).path("cancelled").asBoolean();
    }

    /** Stops the database server (Trove's stop_db); it stays stopped until a restart. */
    public void stopDb(String instanceId) {
        call(instanceId, GuestMethod.STOP_DB, Map.of());
    }

    /** GB the data directory takes. */
    public double volumeUsedGb(String instanceId) {
        return call(instanceId, GuestMethod.GET_VOLUME_INFO, Map.of()).path("used").asDouble();
    }

    /** Every catalogue parameter's value in effect on the running server, by name. */
    public JsonNode effectiveConfiguration(String instanceId) {
        return call(instanceId, GuestMethod.GET_CONFIGURATION, Map.of());
    }

    public List<String> listDatabases(String instanceId) {
        return strings(call(instanceId, GuestMethod.LIST_DATABASES, Map.of()));
    }

    /** Creates every database or none. */
    public void createDatabases(String instanceId, List<DatabaseSpec> databases) {
        call(instanceId, GuestMethod.CREATE_DATABASE, Map.of("databases", databases));
    }

    public void deleteDatabase(String instanceId, String name) {
        call(instanceId, GuestMethod.DELETE_DATABASE, Map.of("name", name));
    }

    /** Every user as {@code {"name", "host", "databases": [...]}}. */
    public List<JsonNode> listUsers(String instanceId) {
        List<JsonNode> users = new ArrayList<>();
        call(instanceId, GuestMethod.LIST_USERS, Map.of()).forEach(users::add);
        return users;
    }

    /** Creates every user or none. */
    public void createUsers(String instanceId, List<UserSpec> users) {
        call(instanceId, GuestMethod.CREATE_USER, Map.of("users", users));
    }

    /** Changes every listed user's password or none (Trove's change_passwords). */
    public void changePasswords(String instanceId, List<UserSpec> users) {
        call(instanceId, GuestMethod.CHANGE_PASSWORDS, Map.of("users", users));
    }

    /** The user as {@code {"name", "host", "databases": [...]}}; 404 if it does not exist. */
    public JsonNode getUser(String instanceId, String name, String host) {
        return call(instanceId, GuestMethod.GET_USER, Map.of("name", name, "host", host));
    }

    /** Renames, moves or re-passwords a user, all or nothing. */
    public void updateUser(String instanceId, String name, String host, UserAttributes attributes) {
        call(instanceId, GuestMethod.UPDATE_ATTRIBUTES, Map.of("name", name, "host", host, "attributes", attributes));
    }

    public void deleteUser(String instanceId, String name, String host) {
        call(instanceId, GuestMethod.DELETE_USER, Map.of("name", name, "host", host));
    }

    /** The databases the user may use. */
    public List<String> listAccess(String instanceId, String name, String host) {
        return strings(call(instanceId, GuestMethod.LIST_ACCESS, Map.of("name", name, "host", host)));
    }

    public void grantAccess(String instanceId, String name, String host, List<String> databases) {
        call(instanceId, GuestMethod.GRANT_ACCESS, Map.of("name", name, "host", host, "databases", databases));
    }

    public void revokeAccess(String instanceId, String name, String host, String database) {
        call(instanceId, GuestMethod.REVOKE_ACCESS, Map.of("name", name, "host", host, "database", database));
    }

    /** Enables the datastore's root user with {@code password} (null: a generated one). */
    public RootUser enableRoot(String instanceId, String password) {
        Map<String, Object> args = new HashMap<>();
        if (password != null) {
            args.put("password", password);
        }
        return Json.convert(call(instanceId, GuestMethod.ENABLE_ROOT, args), RootUser.class);
    }

    public void disableRoot(String instanceId) {
        call(instanceId, GuestMethod.DISABLE_ROOT, Map.of());
    }

    public boolean isRootEnabled(String instanceId) {
        return call(instanceId, GuestMethod.IS_ROOT_ENABLED, Map.of()).asBoolean();
    }

    // ---- wire ----------------------------------------------------------------------------------------------------

    private void operation(String instanceId, GuestMethod method, String operationId, Object request) {
        bus.cast(Topics.guest(instanceId), Message.of(method.wireName(),
                Map.of("operation_id", operationId, "request", request)));
    }

    private JsonNode call(String instanceId, GuestMethod method, Object args) {
        JsonNode result = bus.call(Topics.guest(instanceId), Message.of(method.wireName(), args), method.timeout());
        return result == null ? Json.MAPPER.nullNode() : result;
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }
}
