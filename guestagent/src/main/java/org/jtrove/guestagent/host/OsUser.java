package org.jtrove.guestagent.host;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;

/**
 * The unprivileged OS user database servers run as. Created on first use when jtrove runs as root; when
 * jtrove itself is unprivileged, servers simply run as the same user.
 */
public final class OsUser {
    private static final int USERDEL_NO_SUCH_USER = 6;
    private final String name;
    private final boolean switchNeeded;

    private OsUser(String name, boolean switchNeeded) {
        this.name = name;
        this.switchNeeded = switchNeeded;
    }

    public static OsUser ensure(String name) {
        boolean root = "root".equals(System.getProperty("user.name"));
        if (!root) {
            return new OsUser(System.getProperty("user.name"), false);
        }
        if (exec("id", "-u", name) != 0) {
            int rc = exec("useradd", "--system", "--no-create-home", "--home-dir", "/nonexistent",
                    "--shell", "/usr/sbin/nologin", name);
            if (rc != 0 && exec("id", "-u", name) != 0) {
                throw new IllegalStateException("cannot create the OS user " + name + " for database servers (useradd exit "
                        + rc + ")");
            }
        }
        return new OsUser(name, true);
    }

    /** The user an instance's server runs as: one per instance, so instances cannot read each other's files. */
    public static String forInstance(String instanceId) {
        return "jt" + instanceId.replace("-", "").substring(0, 30);
    }

    /**
     * Removes the user (only users jtrove created for instances), after killing whatever still runs as it (the
     * server was stopped before; anything left would keep {@code userdel} from working).
     *
     * @throws IllegalStateException if the user cannot be removed
     */
    public void remove() {
        if (!switchNeeded || !name.startsWith("jt") || name.equals("jtrove-db")) {
            return;
        }
        for (int attempt = 0; attempt < 50; attempt++) {
            exec("pkill", "-KILL", "-u", name);
            int rc = exec("userdel", name);
            if (rc == 0 || rc == USERDEL_NO_SUCH_USER) {
                return;
            }
            try {
                Thread.sleep(100);   // the killed processes are still exiting
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        throw new IllegalStateException("cannot remove the OS user " + name + " (userdel failed); remove it by hand"
                + " with `pkill -KILL -u " + name + "; userdel " + name + "`");
    }

    public String name() {
        return name;
    }

    /** The user's numeric id; nftables tells jtrove's own connections by their socket's owner. */
    public int uid() {
        if (!switchNeeded) {
            return currentUid();
        }
        return lookUp(name).orElseThrow(() -> new IllegalStateException("cannot find the user id of " + name));
    }

    /**
     * The uid of instance {@code instanceId}'s OS user when it exists on this host (its server runs here, or on
     * another guest-agent host of this machine), else empty; never creates the user.
     */
    public static OptionalInt uidOfInstance(String instanceId) {
        if (!"root".equals(System.getProperty("user.name"))) {
            return OptionalInt.empty();    // servers run as jtrove's own user, which is trusted anyway
        }
        return lookUp(forInstance(instanceId));
    }

    private static OptionalInt lookUp(String name) {
        try {
            Process p = new ProcessBuilder("id", "-u", name).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0 || !out.matches("\\d+")) {
                return OptionalInt.empty();
            }
            return OptionalInt.of(Integer.parseInt(out));
        } catch (IOException e) {
            throw new IllegalStateException("cannot run id -u " + name + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted looking up the user id of " + name, e);
        }
    }

    /** The user id this JVM runs as. */
    public static int currentUid() {
        try {
            return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        } catch (IOException e) {
            throw new IllegalStateException("cannot read this process's user id from /proc/self: " + e.getMessage(), e);
        }
    }

    boolean switchNeeded() {
        return switchNeeded;
    }

    void chown(Path path) {
        if (!switchNeeded) {
            return;
        }
        try {
            Process p = new ProcessBuilder("chown", "-R", name + ":" + name, path.toString()).redirectErrorStream(true)
                    .start();
            String output = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            if (p.waitFor() != 0) {
                throw new IllegalStateException("cannot give " + path + " to " + name + " (chown exit " + p.exitValue()
                        + "): " + output.lines().limit(3).reduce((a, b) -> a + " | " + b).orElse(""));
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run chown for " + path + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted giving " + path + " to " + name, e);
        }
    }

    private static int exec(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return -1;
            }
            return p.exitValue();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }
}
