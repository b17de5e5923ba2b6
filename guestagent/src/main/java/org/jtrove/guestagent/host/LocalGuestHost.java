package org.jtrove.guestagent.host;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jtrove.guestagent.GuestHost;

/**
 * Runs commands on this host as the unprivileged database user. As root, commands go through
 * {@code setpriv} (which execs, so the child pid is the server's pid) and servers get their own session
 * with {@code setsid}, so they outlive jtrove.
 */
public final class LocalGuestHost implements GuestHost {
    private final Path instanceDir;
    private final OsUser user;
    private final ProcessExits exits;

    public LocalGuestHost(Path instanceDir, OsUser user, ProcessExits exits) {
        this.instanceDir = instanceDir;
        this.user = user;
        this.exits = exits;
    }

    /** A host for starting helper processes whose exit nobody waits for (the JDK's own exit watch is used). */
    public LocalGuestHost(Path instanceDir, OsUser user) {
        this(instanceDir, user, null);
    }

    @Override
    public java.util.concurrent.CompletableFuture<ProcessHandle> onExit(ProcessHandle server) {
        return exits == null ? server.onExit() : exits.onExit(server);
    }

    @Override
    public Path instanceDir() {
        return instanceDir;
    }

    @Override
    public String run(List<String> command, Duration timeout) {
        Process p = null;
        java.io.File output = null;
        try {
            // Output goes to a file, not a pipe, so that waiting stays interruptible (a stopping agent kills it); in
            // the instance's directory, so that a killed process leaves nothing behind that outlives the instance.
            output = (java.nio.file.Files.isDirectory(instanceDir)
                    ? java.nio.file.Files.createTempFile(instanceDir, ".cmd-", ".out")
                    : java.nio.file.Files.createTempFile("jtrove-cmd-", ".out")).toFile();
            p = new ProcessBuilder(asUser(command)).redirectErrorStream(true)
                    .redirectOutput(output)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException(command.get(0) + " did not finish within " + timeout.toSeconds() + " s");
            }
            String text = java.nio.file.Files.readString(output.toPath(), StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                throw new IllegalStateException(command.get(0) + " failed (exit " + p.exitValue() + "): " + text.strip());
            }
            return text;
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + command.get(0) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted running " + command.get(0), e);
        } finally {
            if (p != null) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
            }
            if (output != null) {
                output.delete();
            }
        }
    }

    @Override
    public ProcessHandle spawn(List<String> command, Path log) {
        List<String> full = new ArrayList<>();
        full.add("setsid");
        full.addAll(asUser(command));
        try {
            Process p = new ProcessBuilder(full)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .redirectErrorStream(true)
                    .start();
            return p.toHandle();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + command.get(0) + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void giveToDatabaseUser(Path path) {
        user.chown(path);
    }

    private List<String> asUser(List<String> command) {
        if (!user.switchNeeded()) {
            return command;
        }
        List<String> full = new ArrayList<>(List.of("setpriv", "--reuid=" + user.name(), "--regid=" + user.name(),
                "--init-groups", "--reset-env", "--"));
        full.addAll(command);
        return full;
    }
}
