package org.jtrove.model;

/** What the control plane is doing to an instance (Trove's task status); owned by api and taskmanager. */
public enum InstanceTask {
    NONE(false, null),
    BUILDING(false, "BUILD"),
    REBOOTING(false, "REBOOT"),
    RESIZING(false, "RESIZE"),
    DELETING(false, "SHUTDOWN"),
    /** A configuration change waits for the database to restart; the restart action clears it. */
    RESTART_REQUIRED(false, "RESTART_REQUIRED"),
    /** The instance's access is being changed; as in Trove, the service status shows through (status ACTIVE). */
    UPDATING(false, null),
    /** A replica becomes its source's source (Trove's PROMOTING); the old source and the other replicas follow it. */
    PROMOTING(false, "PROMOTE"),
    /** The replicas of a lost source elect a new source (Trove's EJECTING). */
    EJECTING(false, "EJECT"),
    /** A replica becomes a standalone writable instance (Trove's DETACHING). */
    DETACHING(false, "DETACH"),
    /** jtrove's own: the source was confirmed down and its replicas elect a new source (shown as Trove's EJECT). */
    FAILING_OVER(false, "EJECT"),
    /**
     * jtrove's own: a source replaced by an automatic failover; it takes no writes and no action (its server is not
     * started) until it has rejoined its group as a replica. Shown as SHUTDOWN.
     */
    FENCED(false, "SHUTDOWN"),
    /** jtrove's own: a fenced old source is being rebuilt as a replica of the new source (shown as BUILD). */
    REJOINING(false, "BUILD"),
    BUILDING_ERROR_SERVER(true, "ERROR"),
    BUILDING_ERROR_TIMEOUT_GA(true, "ERROR"),
    REBOOTING_ERROR(true, "ERROR"),
    DELETING_ERROR(true, "ERROR"),
    /** Trove's UPDATING_ERROR_ACCESS: an access change failed; the fault message says what is in force. */
    UPDATING_ERROR_ACCESS(true, "ERROR"),
    /** Trove's BUILDING_ERROR_REPLICA: a replica could not be built from its source. */
    BUILDING_ERROR_REPLICA(true, "ERROR"),
    PROMOTION_ERROR(true, "ERROR"),
    EJECTION_ERROR(true, "ERROR"),
    /** jtrove's own: a detach failed; the fault message says what to do. */
    DETACHING_ERROR(true, "ERROR"),
    /** jtrove's own: an automatic failover failed; the fault message says what to do. */
    FAILOVER_ERROR(true, "ERROR"),
    /** jtrove's own: a fenced old source could not rejoin as a replica; the fault message says what to do. */
    REJOIN_ERROR(true, "ERROR");

    private final boolean error;
    private final String publicStatus;

    InstanceTask(boolean error, String publicStatus) {
        this.error = error;
        this.publicStatus = publicStatus;
    }

    public boolean isError() {
        return error;
    }

    /** The public status this task forces, or null when the service status decides. */
    public String publicStatus() {
        return publicStatus;
    }
}
