package org.jtrove.bus;

import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.jtrove.model.JtroveException;

/**
 * Every method a guest agent serves, with its wire name, whether it is a cast or a call, and a call's timeout.
 * {@link GuestApi} sends them; the agent's dispatcher switches on them — one list for both sides.
 */
public enum GuestMethod {
    // long operations: casts carrying an operation id, outcome reported to the conductor
    PREPARE("prepare", null),
    RESTART("restart", null),
    RESIZE("resize", null),
    APPLY_CONFIGURATION("apply_configuration", null),
    CREATE_BACKUP("create_backup", null),
    /** Builds a replica from its source's snapshot and makes it follow the source. */
    PREPARE_REPLICA("prepare_replica", null),
    /** A fenced old source follows the new source after rewinding its data to it (PostgreSQL: pg_rewind), if it can. */
    REWIND_REPLICA("rewind_replica", null),
    /** Rebuilds a fenced old source as a replica: its data is replaced by the new source's snapshot. */
    REBUILD_REPLICA("rebuild_replica", null),
    /**
     * After an automatic failover: the old source must not take writes (its server is stopped and not started again
     * until it follows a source). A cast, so that an agent that is down gets it when it returns.
     */
    FENCE_SERVER("fence_server", null),
    // calls
    /** On a source: jtrove's replication user and what a new replica needs kept (a PostgreSQL slot). */
    PREPARE_REPLICATION_SOURCE("prepare_replication_source", Duration.ofSeconds(60)),
    /** On a source: forgets a replica that left (drops its slot). */
    FORGET_REPLICA("forget_replica", Duration.ofSeconds(60)),
    /** On a source: the replicas its commits wait for (synchronous replication; none: asynchronous). */
    SET_SYNCHRONOUS_STANDBYS("set_synchronous_standbys", Duration.ofSeconds(60)),
    /** Makes a running instance follow a (new) source. */
    FOLLOW_SOURCE("follow_source", Duration.ofSeconds(180)),
    /** A replica stops following and takes writes, after applying everything up to an optional position. */
    PROMOTE_REPLICA("promote_replica", Duration.ofSeconds(180)),
    /** A source stops taking writes (planned switchover) and answers its final position. */
    FENCE_SOURCE("fence_source", Duration.ofSeconds(120)),
    /**
     * {@link #FENCE_SERVER} answered: the failover waits for it (briefly) before promoting, so that a source whose
     * server was only stalled cannot take writes once a replica has taken over.
     */
    FENCE_SERVER_NOW("fence_server_now", Duration.ofSeconds(5)),
    /** How far the instance's data goes (comparable between replicas of one source). */
    REPLICATION_RANK("replication_rank", Duration.ofSeconds(15)),
    CANCEL_BACKUP("cancel_backup", Duration.ofSeconds(30)),
    STOP_DB("stop_db", Duration.ofSeconds(90)),
    GET_VOLUME_INFO("get_volume_info", Duration.ofSeconds(3)),
    GET_CONFIGURATION("get_configuration", Duration.ofSeconds(30)),
    LIST_DATABASES("list_databases", Duration.ofSeconds(60)),
    CREATE_DATABASE("create_database", Duration.ofSeconds(60)),
    DELETE_DATABASE("delete_database", Duration.ofSeconds(60)),
    LIST_USERS("list_users", Duration.ofSeconds(60)),
    CREATE_USER("create_user", Duration.ofSeconds(60)),
    CHANGE_PASSWORDS("change_passwords", Duration.ofSeconds(60)),
    GET_USER("get_user", Duration.ofSeconds(60)),
    UPDATE_ATTRIBUTES("update_attributes", Duration.ofSeconds(60)),
    DELETE_USER("delete_user", Duration.ofSeconds(60)),
    LIST_ACCESS("list_access", Duration.ofSeconds(60)),
    GRANT_ACCESS("grant_access", Duration.ofSeconds(60)),
    REVOKE_ACCESS("revoke_access", Duration.ofSeconds(60)),
    ENABLE_ROOT("enable_root", Duration.ofSeconds(60)),
    DISABLE_ROOT("disable_root", Duration.ofSeconds(60)),
    IS_ROOT_ENABLED("is_root_enabled", Duration.ofSeconds(60));

    private static final Map<String, GuestMethod> BY_WIRE_NAME = Arrays.stream(values())
            .collect(Collectors.toMap(GuestMethod::wireName, Function.identity()));
    private final String wireName;
    private final Duration timeout;

    GuestMethod(String wireName, Duration timeout) {
        this.wireName = wireName;
        this.timeout = timeout;
    }

    public String wireName() {
        return wireName;
    }

    /** Whether it is a call (with a reply); a cast has no timeout. */
    public boolean call() {
        return timeout != null;
    }

    /** How long a caller waits for the reply of a call. */
    public Duration timeout() {
        return timeout;
    }

    /**
     * The method called {@code wireName}.
     *
     * @throws JtroveException 501 for a method the agent does not have
     */
    public static GuestMethod of(String wireName) {
        GuestMethod m = BY_WIRE_NAME.get(wireName);
        if (m == null) {
            throw JtroveException.notImplemented("Guest agent has no method " + wireName);
        }
        return m;
    }
}
