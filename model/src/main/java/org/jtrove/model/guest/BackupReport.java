package org.jtrove.model.guest;

/**
 * Guest agent to conductor: progress of a backup (Trove's update_backup). BUILDING when it starts, then
 * COMPLETED with what was stored, or FAILED with the reason.
 */
public record BackupReport(String instanceId, String backupId, String state, Long sizeBytes, String location,
                           String checksum, String meta, String error, double sent) {}
