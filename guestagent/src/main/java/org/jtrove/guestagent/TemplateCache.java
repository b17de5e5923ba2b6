package org.jtrove.guestagent;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.jtrove.model.guest.ServerBuild;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pre-initialised data directories, one per server build. Initialising a data directory (initdb, install-db)
 * dominates provisioning time, so it is done once and each instance starts from a copy.
 */
public final class TemplateCache {
    private static final Logger LOG = LoggerFactory.getLogger(TemplateCache.class);
    private final Path root;
    private final Map<String, java.util.concurrent.locks.ReentrantLock> locks = new ConcurrentHashMap<>();

    public record Template(Path dataDir, String adminPassword) {}

    public TemplateCache(Path root) {
        this.root = root;
    }

    public Template ensure(Datastore datastore, ServerBuild build, GuestHost host) throws Exception {
        String key = key(build);
        java.util.concurrent.locks.ReentrantLock lock = locks.computeIfAbsent(key, k -> new java.util.concurrent.locks.ReentrantLock());
        lock.lockInterruptibly();
        try {
            Path dir = root.resolve(key);
            Path ready = dir.resolve("READY");
            Path secret = dir.resolve("admin.secret");
            if (Files.exists(ready)) {
                return new Template(dir.resolve("data"), Files.readString(secret).trim());
            }
            long start = System.nanoTime();
            // Initialise in a private directory and rename it into place, so a half-made template (a crash, or
            // another process initialising the same build) is never used.
            Files.createDirectories(root);
            Path work = Files.createTempDirectory(root, key + ".init-");
            Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwx--x--x"));
            String password = Secrets.password();
            try {
                datastore.initTemplate(build, work.resolve("data"), password, host);
                Path workSecret = work.resolve("admin.secret");
                Files.createFile(workSecret, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                Files.writeString(workSecret, password, StandardCharsets.UTF_8);
                Files.writeString(work.resolve("READY"), "ready\n");
                deleteTree(dir);
                Files.move(work, dir, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            } finally {
                deleteTree(work);
            }
            LOG.info("initialised template data directory for {} {} in {} ms", build.manager(), build.version(),
                    (System.nanoTime() - start) / 1_000_000);
            Path data = dir.resolve("data");
            return new Template(data, password);
        } finally {
            lock.unlock();
        }
    }

    /** Copies a template into place, keeping owners and modes; the target appears whole or not at all. */
    public static void copy(Path from, Path to) throws IOException, InterruptedException {
        Files.createDirectories(to.getParent());
        Path partial = Files.createTempDirectory(to.getParent(), to.getFileName() + ".copy-");
        try {
            Process p = new ProcessBuilder("cp", "-a", "-T", from.toString(), partial.toString())
                    .redirectErrorStream(true).start();
            try {
                if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
                    throw new IOException("copying " + from + " failed: " + new String(p.getInputStream().readAllBytes()));
                }
            } finally {
                p.destroyForcibly();
            }
            Files.move(partial, to, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } finally {
            deleteTree(partial);
        }
    }

    public static void deleteTree(Path dir) throws IOException, InterruptedException {
        if (!Files.exists(dir)) {
            return;
        }
        Process p = new ProcessBuilder("rm", "-rf", "--one-file-system", dir.toString()).redirectErrorStream(true).start();
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("removing " + dir + " failed: " + new String(p.getInputStream().readAllBytes()));
        }
    }

    static String key(ServerBuild build) {
        try {
            byte[] digest = java.security.MessageDigest.getInstance("SHA-256")
                    .digest((build.binDir() + "|" + build.baseDir()).getBytes(StandardCharsets.UTF_8));
            return build.manager() + "-" + build.version().replaceAll("[^A-Za-z0-9.]", "_") + "-"
                    + HexFormat.of().formatHex(digest, 0, 4);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static Duration initTimeout() {
        return Duration.ofMinutes(3);
    }
}
