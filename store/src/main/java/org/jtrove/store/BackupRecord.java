package org.jtrove.store;

import java.time.Instant;
import java.util.Set;

/**
 * A backup of one instance. {@code meta} is the datastore's own JSON about the backup (what an incremental
 * child needs from its parent, e.g. a start time or a log sequence number).
 */
public record BackupRecord(
        String id, String projectId, String name, String description, String instanceId, String parentId,
        String datastoreVersionId, String backupType, String state, Long sizeBytes, String location, String checksum,
        String meta, String fault, Instant created, Instant updated, boolean deleted) {
    public static final String NEW = "NEW";
    public static final String BUILDING = "BUILDING";
    public static final String COMPLETED = "COMPLETED";
    public static final String FAILED = "FAILED";
    public static final String DELETE_FAILED = "DELETE_FAILED";
    /** jtrove's own: being removed (Trove drops the row at once); never restorable or a parent. */
    public static final String DELETING = "DELETING";
    public static final Set<String> RUNNING = Set.of(NEW, BUILDING);

    public boolean running() {
        return RUNNING.contains(state);
    }

    /** Object key in backup storage. */
    public String storageKey() {
        return id + ".jtb";
    }
}
