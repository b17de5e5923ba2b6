package org.jtrove.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.jtrove.model.JtroveException;
import org.jtrove.store.BackupRecord;
import org.jtrove.store.MetadataStore;

/**
 * jtrove's point-in-time restore (an extension of Trove's {@code restorePoint}):
 * {@code {"backupRef": B, "restoreTime": "2026-11-29T10:15:00Z"}} restores B's source instance as of that time, from
 * the source's newest completed backup finished at or before it, replaying the source's archived WAL or binary logs
 * up to it. The archived window runs from the source's first completed backup to its latest restorable time (shown
 * as {@code latest_restorable_time} in the instance view); a time outside is refused with 400 stating the window.
 */
final class PointInTimeRestores {
    private final MetadataStore store;

    PointInTimeRestores(MetadataStore store) {
        this.store = store;
    }

    /** {@code restorePoint.restoreTime} as an instant, or null when absent; 400 when it is not ISO-8601. */
    static Instant restoreTime(JsonNode spec) {
        JsonNode t = spec.get("restoreTime");
        if (t == null || t.isNull()) {
            return null;
        }
        try {
            if (!t.isTextual()) {
                throw new DateTimeParseException("not a string", t.toString(), 0);
            }
            return OffsetDateTime.parse(t.asText()).toInstant();
        } catch (DateTimeParseException e) {
            throw JtroveException.badRequest("Validation error: instance['restorePoint']['restoreTime'] must be an"
                    + " ISO-8601 date and time with a zone, such as \"2026-11-29T10:15:00Z\".");
        }
    }

    /**
     * The backup to start from for restoring {@code ref}'s source instance as of {@code target}: its newest
     * completed backup (of {@code ref}'s project) finished at or before the target.
     *
     * @throws JtroveException 400 when the target is outside the source's archived window
     */
    BackupRecord base(BackupRecord ref, Instant target) {
        String source = ref.instanceId();
        List<BackupRecord> completed = store.backups.list(ref.projectId(), source).stream()
                .filter(b -> BackupRecord.COMPLETED.equals(b.state())).toList();
        Optional<Instant> latest = store.logArchive.latestRestorable(source);
        Optional<Instant> earliest = completed.stream().map(BackupRecord::updated).min(Comparator.naturalOrder());
        if (latest.isEmpty() || earliest.isEmpty() || latest.get().isBefore(earliest.get())) {
            throw JtroveException.badRequest("Instance " + source + " has no archived window to restore a point in"
                    + " time from yet: it needs a completed backup and the logs archived after it. Restore the backup"
                    + " without 'restoreTime', or try again in a minute.");
        }
        if (target.isBefore(earliest.get()) || target.isAfter(latest.get())) {
            throw JtroveException.badRequest("restoreTime " + target + " is outside the archived window of instance "
                    + source + ": from " + earliest.get() + " to " + latest.get() + ".");
        }
        return completed.stream().filter(b -> !b.updated().isAfter(target))
                .max(Comparator.comparing(BackupRecord::updated)).orElseThrow();
    }
}
