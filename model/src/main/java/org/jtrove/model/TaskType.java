package org.jtrove.model;

import java.util.List;
import java.util.Map;

/**
 * The long operations the taskmanager runs, each an ordered list of named steps. A step is named after what it
 * makes true, and is idempotent: a taskmanager that takes a task over runs its current step again.
 */
public enum TaskType {
    CREATE(true, "PLACED", "PREPARED", "HEALTHY"),
    RESTART(true, "RESTARTED", "HEALTHY"),
    RESIZE_FLAVOR(true, "RESIZED", "FLAVOR_RECORDED", "HEALTHY"),
    /** Attach, detach or change a configuration group: the server gets the values the store now records. */
    CONFIGURE(true, "CONFIGURATION_APPLIED"),
    /** Changes who may connect (instance access): the host's rules, then a healthy database. */
    UPDATE_ACCESS(true, "ACCESS_APPLIED", "HEALTHY"),
    /** Not exclusive: it stops the instance's other tasks first. */
    DELETE(false, "OTHER_TASKS_STOPPED", "SERVER_REMOVED", "DELETION_RECORDED"),
    BACKUP(false, "BACKUP_STORED"),
    /**
     * Builds a replica: placed (on another host than its source when there is one), the source ready (replication
     * user, slot, access for the replica's address), the set's writer address (made with its first replica), a
     * snapshot of the source in backup storage (none for Redis), the replica prepared from it and following its
     * source, the snapshot removed, a healthy heartbeat, and, in synchronous mode, the source's commits waiting for
     * it too.
     */
    CREATE_REPLICA(true, "PLACED", "SOURCE_READY", "WRITER_READY", "SNAPSHOT_STORED", "PREPARED", "SNAPSHOT_REMOVED",
            "HEALTHY", "STANDBYS_UPDATED"),
    /**
     * A replica stops following its source and takes writes; the source no longer waits for it (synchronous mode)
     * and forgets it.
     */
    DETACH_REPLICA(true, "STANDBYS_UPDATED", "DETACHED", "SOURCE_CLEANED", "DETACH_RECORDED"),
    /**
     * Planned switchover (Trove's promote_to_replica_source), run on the replica: the source stops taking writes,
     * the replica catches up and takes over, the set's writer address and replication mode move to it, the old
     * source and the other replicas follow it, and it waits for them in synchronous mode.
     */
    PROMOTE_TO_REPLICA_SOURCE(true, "SOURCE_FENCED", "PROMOTED", "WRITER_MOVED", "OTHERS_REPOINTED",
            "STANDBYS_UPDATED", "PROMOTION_RECORDED"),
    /**
     * The source is lost (Trove's eject_replica_source), run on it: its most advanced replica takes over, with the
     * set's writer address and replication mode.
     */
    EJECT_REPLICA_SOURCE(true, "CANDIDATE_CHOSEN", "PROMOTED", "WRITER_MOVED", "OTHERS_REPOINTED", "STANDBYS_UPDATED",
            "EJECTION_RECORDED"),
    /**
     * Automatic failover, started by the taskmanager on a source confirmed down: its most advanced replica is chosen,
     * the old source is fenced (recorded, and told to its agent), then the replica takes over as in an eject.
     */
    FAILOVER(true, "CANDIDATE_CHOSEN", "SOURCE_FENCED", "PROMOTED", "WRITER_MOVED", "OTHERS_REPOINTED",
            "STANDBYS_UPDATED", "FAILOVER_RECORDED"),
    /**
     * A fenced old source whose agent is back becomes a replica of the new source: rewound to it (PostgreSQL's
     * pg_rewind) when it can be, else rebuilt from a snapshot as a new replica is; then the set's writer address is
     * forwarded again and, in synchronous mode, the new source waits for it too.
     */
    REJOIN_REPLICA(true, "SOURCE_READY", "REWOUND", "SNAPSHOT_STORED", "PREPARED", "SNAPSHOT_REMOVED", "HEALTHY",
            "STANDBYS_UPDATED"),
    /** jtrove's replication_mode changed on a source: its server waits for its replicas at commit, or no longer. */
    SET_REPLICATION_MODE(true, "STANDBYS_UPDATED"),
    DELETE_BACKUP(false, "BACKUPS_REMOVED");

    /** Step names of tasks recorded by earlier versions, so an upgrade resumes them. */
    private static final Map<String, String> LEGACY_STEPS = Map.of("PROVISION", "PLACED", "PREPARE", "PREPARED",
            "WAIT_ACTIVE", "HEALTHY", "RESTART", "RESTARTED", "RESIZE", "RESIZED", "DESTROY", "SERVER_REMOVED",
            "BACKUP", "BACKUP_STORED", "REMOVE_BACKUP", "BACKUPS_REMOVED");

    private final boolean exclusive;
    private final List<String> steps;

    TaskType(boolean exclusive, String... steps) {
        this.exclusive = exclusive;
        this.steps = List.of(steps);
    }

    /** Whether it runs alone on its instance: of two exclusive tasks of one instance, the older runs first. */
    public boolean exclusive() {
        return exclusive;
    }

    public List<String> steps() {
        return steps;
    }

    public String firstStep() {
        return steps.get(0);
    }

    /** The step after {@code step}, or null when it was the last. */
    public String next(String step) {
        int i = steps.indexOf(current(step));
        return i < 0 || i == steps.size() - 1 ? null : steps.get(i + 1);
    }

    /** {@code step} as this version names it (a step recorded by an earlier version may have had another name). */
    public String current(String step) {
        return steps.contains(step) ? step : LEGACY_STEPS.getOrDefault(step, step);
    }
}
