package org.jtrove.guestagent;

import java.util.List;
import java.util.Map;
import org.jtrove.model.guest.Managers;
import org.jtrove.model.guest.NameRules;
import org.jtrove.model.guest.ReplicationSource;

/**
 * A datastore plugin's replication (Trove's replication strategy): how its server serves replicas, follows a source,
 * stops following, and reports how far it is. A datastore without it refuses replica requests. Every method is
 * idempotent: the taskmanager repeats a step it is not sure of.
 */
public interface Replication {
    /** The name of jtrove's own replication user; never listed among the instance's users. */
    String USER = NameRules.REPLICATION_USER;

    /** Whether a replica starts from a snapshot (a backup of the source) rather than copying over replication itself. */
    boolean needsSnapshot();

    /**
     * Makes the running server ready to serve the replica {@code replicaId}: the replication user with
     * {@code password}, and whatever the replica needs kept for it (PostgreSQL: its replication slot, which this
     * returns; null for the others).
     */
    String prepareSource(InstanceContext ctx, GuestHost host, String adminPassword, String replicaId, String password)
            throws Exception;

    /**
     * The running values of the settings a replica of this source must have at least as high (PostgreSQL: a hot
     * standby stops if its max_connections, max_worker_processes, ... are lower than the primary's); none by default.
     */
    default Map<String, String> settingsForReplicas(InstanceContext ctx, String adminPassword) throws Exception {
        return Map.of();
    }

    /**
     * Makes this source's commits wait until one of the replicas {@code replicaIds} has them on disk (synchronous
     * replication), or, with none, return once they are on the source's own disk; applied without a restart. Only
     * PostgreSQL waits; the others refuse a non-empty list.
     */
    default void setSynchronousStandbys(InstanceContext ctx, GuestHost host, String adminPassword,
                                        List<String> replicaIds) throws Exception {
        if (!replicaIds.isEmpty()) {
            throw Managers.operationNotSupported("synchronous replication", ctx.build().manager());
        }
    }

    /** Forgets the replica {@code replicaId} on this source (PostgreSQL: drops its slot); nothing if unknown. */
    void forgetReplica(InstanceContext ctx, String adminPassword, String replicaId) throws Exception;

    /**
     * Writes what makes the server follow {@code source} from its next start (read before it starts), and returns
     * whether a running server must restart to follow it (PostgreSQL, when it was not a standby).
     */
    boolean writeFollowConfig(InstanceContext ctx, GuestHost host, ReplicationSource source) throws Exception;

    /** Once the server runs: follows {@code source} (MariaDB: CHANGE MASTER and START SLAVE; Redis: REPLICAOF). */
    void startFollowing(InstanceContext ctx, GuestHost host, String adminPassword, ReplicationSource source)
            throws Exception;

    /**
     * With the server stopped: makes its data, which may hold transactions {@code source} never received (an old
     * source after a failover), a copy of {@code source}'s history without copying everything again, when the
     * datastore can (PostgreSQL: {@code pg_rewind}, if the build has it). Returns false when it cannot or failed: the
     * data is then replaced by a fresh copy. The follow settings are written after it.
     */
    default boolean rewind(InstanceContext ctx, GuestHost host, String adminPassword, ReplicationSource source)
            throws Exception {
        return false;
    }

    /** Stops following and takes writes from now on, also after restarts. */
    void promote(InstanceContext ctx, GuestHost host, String adminPassword) throws Exception;

    /**
     * Stops a source from taking writes (a planned switchover) and returns its final position (see
     * {@link #awaitPosition}); called again, returns the same position.
     */
    String fence(InstanceContext ctx, GuestHost host, String adminPassword, StopServer stop) throws Exception;

    /** Stops the server of the instance (the agent's own stop, so that its exit is expected). */
    interface StopServer {
        void stop() throws Exception;
    }

    /** Waits until this replica has applied everything up to {@code position} (from {@link #fence}). */
    void awaitPosition(InstanceContext ctx, String adminPassword, String position, long timeoutMs) throws Exception;

    /** How far this server's data goes, comparable between replicas of one source (higher: more advanced). */
    long rank(InstanceContext ctx, String adminPassword) throws Exception;

    /** Seconds this replica is behind its source (0 when caught up), or null if it does not follow one now. */
    Double lag(InstanceContext ctx, String adminPassword) throws Exception;
}
