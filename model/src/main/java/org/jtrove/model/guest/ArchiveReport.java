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
        return PREFIX + instanceId + "-" + name;
    }

    private static final String PREFIX = "archive-";
    private static final int ID_LENGTH = 36;

    /** The start every archived object key of {@code instanceId} shares. */
    public static String keyPrefix(String instanceId) {
        return PREFIX + instanceId + "-";
    }

    /** The instance an archived object key belongs to, or null when {@code key} is not an archived file's key. */
    public static String instanceOf(String key) {
        int end = PREFIX.length() + ID_LENGTH;
        return key.startsWith(PREFIX) && key.length() > end && key.charAt(end) == '-'
                ? key.substring(PREFIX.length(), end) : null;
    }
}
