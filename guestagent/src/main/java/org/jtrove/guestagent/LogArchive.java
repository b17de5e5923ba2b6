package org.jtrove.guestagent;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * One instance's continuous archive on the guest side (PostgreSQL WAL, MariaDB binary logs): which finished log
 * files wait to be sealed into the backup storage, and how a restored server replays archived files up to a
 * moment. One object per guest agent (it may keep what it learnt about the instance's logs in memory); the
 * {@link LogArchiver} seals and uploads, so the backup key never reaches the server's own user.
 */
public interface LogArchive {
    /**
     * A finished log file. {@code restorableUntil}: every commit up to that moment is in this file or an earlier
     * one (null when this file moves that moment no further).
     */
    record LogFile(String name, Path path, Instant restorableUntil) {}

    /**
     * Called every few seconds while the server runs: closes the current log when it has grown since it was last
     * closed and {@code interval} has passed (so the archive stays that close to the present), and lists the
     * finished files not yet stored, in the order the server wrote them.
     */
    List<LogFile> finished(InstanceContext ctx, String adminPassword, Duration interval) throws Exception;

    /** {@code file} is sealed in the backup storage: the server or the spool may drop it now. */
    void stored(InstanceContext ctx, String adminPassword, LogFile file) throws Exception;

    /**
     * Before the first start of a server restored from a backup: arranges for {@code logs} (plain files readable by
     * the instance's user, in the order the source wrote them) to be replayed up to {@code target} and no further.
     */
    void prepareReplay(InstanceContext ctx, Instant target, List<Path> logs, GuestHost host) throws Exception;

    /** Once the restored server answers: finishes the replay (waits for it, or applies the logs) and cleans up. */
    void finishReplay(InstanceContext ctx, String adminPassword, GuestHost host) throws Exception;
}
