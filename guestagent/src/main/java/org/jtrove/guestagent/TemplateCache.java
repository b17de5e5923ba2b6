package org.jtrove.guestagent;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.jtrove.model.Secrets;
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

    public record Template(Path dataDir, String adminPassword) {
        Path sparesDir() {
            return dataDir.resolveSibling("spares");
        }
    }

    private final int sparesPerBuild;
    private final java.util.concurrent.ExecutorService replenisher = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "template-spares");
        t.setDaemon(true);
        return t;
    });

    /**
     * {@code sparesPerBuild} copies of each template are kept ready, so that a create only renames a directory;
     * they are replenished in the background.
     */
    private final GuestHost builder;

    /**
     * @param builder runs the initialisation (initdb, install-db) as the unprivileged builder user; the finished
     *                template then belongs to the user jtrove runs as, and each copy is handed to its instance's user
     */
    public TemplateCache(Path root, int sparesPerBuild, GuestHost builder) {
        this.root = root;
        this.sparesPerBuild = sparesPerBuild;
        this.builder = builder;
    }

    /**
     * Puts a fresh data directory made from {@code template} at {@code target}: a ready spare if there is one,
     * else a copy made now. Either way the spare pool is topped up afterwards.
     */
    public void provide(Template template, Path target, GuestHost owner) throws IOException, InterruptedException {
        Files.createDirectories(target.getParent());
        boolean taken = false;
        if (Files.isDirectory(template.sparesDir())) {
            try (var spares = Files.list(template.sparesDir())) {
                for (Path spare : spares.filter(TemplateCache::isSpare).toList()) {
                    try {
                        Files.move(spare, target, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
                        taken = true;
                        break;
                    } catch (java.nio.file.NoSuchFileException e) {
                        // another create took this one
                    }
                }
            }
        }
        if (!taken) {
            copy(template.dataDir(), target);
        }
        owner.giveToDatabaseUser(target);
        replenish(template);
    }

    /** Tops up the template's spare data directories in the background. */
    public void replenish(Template template) {
        replenisher.execute(() -> {
            try {
                Files.createDirectories(template.sparesDir());
                try (var existing = Files.list(template.sparesDir())) {
                    for (Path p : existing.toList()) {
                        if (!isSpare(p)) {
                            deleteTree(p);
                        }
                    }
                }
                long count;
                try (var spares = Files.list(template.sparesDir())) {
                    count = spares.filter(TemplateCache::isSpare).count();
                }
                for (long i = count; i < sparesPerBuild; i++) {
                    Path spare = template.sparesDir().resolve("spare-" + java.util.UUID.randomUUID());
                    copy(template.dataDir(), spare);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (IOException e) {
                LOG.warn("cannot prepare a spare data directory: {}", e.getMessage());
            }
        });
    }

    /** Stops topping up spares and waits for a copy in progress to end. */
    public void close() {
        replenisher.shutdownNow();
        try {
            replenisher.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The finished template is owned by jtrove's own user and closed to everyone else. */
    private static void takeBack(Path data) throws IOException, InterruptedException {
        String me = System.getProperty("user.name");
        Process p = new ProcessBuilder("chown", "-R", me + ":", data.toString()).redirectErrorStream(true).start();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("cannot take back " + data + ": " + new String(p.getInputStream().readAllBytes()));
        }
        Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwx------"));
    }

    /** A finished spare; a copy still in progress is named "spare-....copy-..." and is not one. */
    private static boolean isSpare(Path p) {
        String name = p.getFileName().toString();
        return name.startsWith("spare-") && !name.contains(".copy-");
    }

    public Template ensure(Datastore datastore, ServerBuild build) throws Exception {
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
            try (var stale = Files.list(root)) {
                for (Path p : stale.filter(p -> p.getFileName().toString().startsWith(key + ".init-")).toList()) {
                    deleteTree(p);
                }
            }
            Path work = Files.createTempDirectory(root, key + ".init-");
            Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwx--x--x"));
            String password = Secrets.password();
            try {
                datastore.initTemplate(build, work.resolve("data"), password, builder);
                takeBack(work.resolve("data"));
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
                    throw new IOException("copying " + from + " failed: " + firstLines(p.getInputStream().readAllBytes()));
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
            throw new IOException("removing " + dir + " failed: " + firstLines(p.getInputStream().readAllBytes()));
        }
    }

    /** The start of a tool's output: one error repeated per file (a full disk) should not flood the fault. */
    static String firstLines(byte[] output) {
        String text = new String(output, StandardCharsets.UTF_8).strip();
        String[] lines = text.split("\n");
        String head = String.join("\n", java.util.Arrays.copyOf(lines, Math.min(lines.length, 5)));
        return lines.length > 5 ? head + "\n(" + (lines.length - 5) + " more lines)" : head;
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
}
