package org.jtrove.model.guest;

import java.util.List;

/**
 * A point-in-time restore: after the backup chain is laid down, the source instance's archived log files
 * {@code logs} (in the order they were written) are replayed up to {@code targetTime} (ISO-8601 instant), and no
 * commit after it.
 */
public record PointInTime(String targetTime, List<RestoreSource> logs) {}
