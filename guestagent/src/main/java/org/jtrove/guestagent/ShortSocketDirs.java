package org.jtrove.guestagent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Short private directories for the Unix sockets of instances whose own run directory is too deep for a socket path
 * (the kernel's limit is 107 bytes): {@code /tmp/jtrove-sockets/<instance id>-<hash of its directory>}, one per
 * instance, made when its server first needs it and removed with the instance.
 */
public final class ShortSocketDirs {
    static final Path PARENT = Path.of("/tmp", "jtrove-sockets");

    private ShortSocketDirs() {}

    /** The instance's socket directory (not made). */
    public static Path of(String instanceId, Path instanceDir) {
        String name = instanceId.length() > 40 ? instanceId.substring(0, 40) : instanceId;
        return PARENT.resolve(name.replaceAll("[^A-Za-z0-9-]", "_") + "-" + Integer.toHexString(instanceDir.hashCode()));
    }

    /** Makes the instance's socket directory, private to the database user; returns it. */
    public static Path make(String instanceId, Path instanceDir, GuestHost host) throws IOException {
        Files.createDirectories(PARENT);
        Files.setPosixFilePermissions(PARENT, PosixFilePermissions.fromString("rwx--x--x"));
        Path dir = of(instanceId, instanceDir);
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        host.giveToDatabaseUser(dir);
        return dir;
    }

    /** Removes the instance's socket directory, if it has one. Safe to repeat. */
    public static void remove(String instanceId, Path instanceDir) throws IOException, InterruptedException {
        TemplateCache.deleteTree(of(instanceId, instanceDir));
    }
}
