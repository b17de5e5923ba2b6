package org.jtrove.guestagent;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What a guest agent needs from the place its database server runs: a directory, an unprivileged OS user,
 * and a way to run commands as that user. The compute driver provides it.
 */
public interface GuestHost {
    /** Root of everything this instance owns on the host (its "volume"). */
    Path instanceDir();

    /** Runs a command as the unprivileged database user and waits; throws with its output on failure. */
    String run(List<String> command, Duration timeout);

    /** Like {@link #run}, with the command's standard input read from {@code input} (opened as that user). */
    default String run(List<String> command, Path input, Duration timeout) {
        List<String> withInput = new ArrayList<>(List.of("sh", "-c", "exec \"$@\" < \"$0\"", input.toString()));
        withInput.addAll(command);
        return run(withInput, timeout);
    }

    /**
     * Starts a long-lived server as the unprivileged user, detached in its own session so that it outlives
     * this process; output goes to {@code log}. Returns the server's process handle (its pid is the server's).
     */
    ProcessHandle spawn(List<String> command, Path log);

    /** Hands a file or directory tree to the unprivileged database user. */
    void giveToDatabaseUser(Path path);

    /**
     * Completes when {@code server} has exited, as soon as it has: also for a server this process did not start
     * (one adopted after a restart), whose exit the JDK only notices by polling.
     */
    default java.util.concurrent.CompletableFuture<ProcessHandle> onExit(ProcessHandle server) {
        return server.onExit();
    }
}
