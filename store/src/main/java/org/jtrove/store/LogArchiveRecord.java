package org.jtrove.store;

import java.time.Instant;

/**
 * One log file of an instance's continuous archive (a PostgreSQL WAL segment or history file, a MariaDB binary
 * log), sealed in the backup storage as {@code storageKey}. {@code restorableUntil}: every commit up to that moment
 * is in this file or an earlier one (null when the file moves that moment no further).
 */
public record LogArchiveRecord(String instanceId, String name, String storageKey, String checksum, long sizeBytes,
                               Instant restorableUntil, Instant archived) {}
