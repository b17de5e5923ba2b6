package org.jtrove.store;

import java.time.Instant;

/**
 * A backup schedule of one instance (jtrove's extension): a cron {@code pattern} (UTC), full or incremental backups,
 * and the retention of the backups it makes ({@code retentionCount} newest, or those younger than
 * {@code retentionDays}; null: kept until deleted). {@code nextRun} is claimed by the taskmanager that takes the run.
 */
public record BackupScheduleRecord(String id, String projectId, String instanceId, String name, String description,
                                   String pattern, boolean incremental, Integer retentionCount, Integer retentionDays,
                                   Instant nextRun, Instant lastRun, Instant created, Instant updated) {}
