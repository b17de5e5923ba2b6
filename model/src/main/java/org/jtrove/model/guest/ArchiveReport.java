package org.jtrove.model.guest;

/**
 * Guest agent to conductor: a log file of the instance's continuous archive (PostgreSQL WAL segment or history
 * file, MariaDB binary log) is sealed in the backup storage as {@code storageKey}; or, with {@code error} set and
 * the other fields null, archiving failed and is being retried. {@code restorableUntil} (ISO-8601 instant, may be
 * null): every commit up to then is in this file or an earlier one. {@code sent} is epoch seconds.
 */
public record ArchiveReport(String instanceId, String name, String storageKey, String checksum, Long sizeBytes,
                            String restorableUntil, String error, double sent) {
    /** The name an archived file is sealed under (bound to its encryption as associated data). */
    public static String objectId(String instanceId, String name) {
        return "archive-" + instanceId + "-" + name;
    }
}
