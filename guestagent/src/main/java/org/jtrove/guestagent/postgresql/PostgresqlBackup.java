package org.jtrove.guestagent.postgresql;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.jtrove.guestagent.backup.BackupPayload;
import org.jtrove.guestagent.backup.NonClosing;
import org.jtrove.model.Json;
import org.jtrove.model.JtroveException;

/**
 * Physical backups of a running PostgreSQL server with the server's own backup API (pg_backup_start/stop), so
 * they work for every server build without client tools of a matching version. The data directory is copied
 * as a tar stream while the server runs; the WAL from the backup's start to its end goes with it (kept from
 * recycling by a temporary replication slot), so the copy is made consistent by recovery when it first starts.
 *
 * <p>An incremental backup copies only the files changed since its parent started (by modification time: the
 * parent's start checkpoint flushed every dirty page, so any later change rewrote the file) plus its own WAL,
 * and lists every file present, so that a restore can drop files deleted in between.
 */
final class PostgresqlBackup {
    static final String MANIFEST = ".jtrove-manifest";
    /** mtime granularity and clock slack: files changed this close to the parent's start are copied again. */
    private static final long SLACK_MS = 2_000;
    private static final Set<String> SKIPPED_FILES = Set.of("postmaster.pid", "postmaster.opts", "backup_label",
            "tablespace_map", "backup_manifest", "current_logfiles", "pg_internal.init", MANIFEST);
    /** Directories whose contents are transient (or handled apart, pg_wal): copied empty. */
    private static final Set<String> EMPTIED_DIRS = Set.of("pg_wal", "pg_dynshmem", "pg_notify", "pg_replslot",
            "pg_serial", "pg_snapshots", "pg_stat_tmp", "pg_subtrans");
    private static final Pattern WAL_SEGMENT = Pattern.compile("[0-9A-F]{24}");

    private PostgresqlBackup() {}

    /** Streams a backup as tar into {@code out}; returns its meta. */
    static String backup(Connection c, Path dataDir, String parentMeta, OutputStream out) throws Exception {
        long recordedParentStart = parentMeta == null ? -1 : Json.parse(parentMeta).path("start_ms").asLong(-1);
        // the clock went back since the parent: mtimes cannot be trusted, so every file is copied
        long parentStart = recordedParentStart > System.currentTimeMillis() ? -1 : recordedParentStart;
        int major = c.getMetaData().getDatabaseMajorVersion();
        // The session idles while files are copied: no timeout of the server's (a configuration group may set
        // them) or of the driver may end it before pg_backup_stop.
        c.setNetworkTimeout(Runnable::run, 0);
        try (var s = c.createStatement()) {
            s.execute("SET statement_timeout = 0; SET lock_timeout = 0; SET idle_in_transaction_session_timeout = 0"
                    + (major >= 14 ? "; SET idle_session_timeout = 0" : ""));
        }
        try (var tablespaces = Files.list(dataDir.resolve("pg_tblspc"))) {
            if (tablespaces.findAny().isPresent()) {
                throw JtroveException.notImplemented("The instance has tablespaces, which backups do not cover yet;"
                        + " move their tables to pg_default (ALTER TABLE ... SET TABLESPACE pg_default) and back up again.");
            }
        } catch (NoSuchFileException none) {
            // no pg_tblspc at all
        }
        query(c, "SELECT pg_create_physical_replication_slot(?, true, true)",
                "jtrove_backup_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16));
        long startMs = System.currentTimeMillis();
        String label = "jtrove " + startMs;
        String startLsn = major >= 15 ? query(c, "SELECT pg_backup_start(?, true)::text", label)
                : query(c, "SELECT pg_start_backup(?, true, false)::text", label);
        String startWal = query(c, "SELECT pg_walfile_name(?::pg_lsn)", startLsn);

        TarArchiveOutputStream tar = new TarArchiveOutputStream(new NonClosing(out));
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
        List<String> manifest = new ArrayList<>();
        long[] copied = new long[2];
        Files.walkFileTree(dataDir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                String rel = relative(dataDir, dir);
                if (!rel.isEmpty()) {
                    addDirectory(tar, rel);
                }
                return EMPTIED_DIRS.contains(rel) ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                String name = file.getFileName().toString();
                if (SKIPPED_FILES.contains(name) || name.startsWith("pgsql_tmp")) {
                    return FileVisitResult.CONTINUE;
                }
                if (!attrs.isRegularFile()) {
                    throw new IOException("the data directory holds " + relative(dataDir, file) + ", which is not a"
                            + " regular file (a link?); a backup would miss what it points to");
                }
                String rel = relative(dataDir, file);
                manifest.add(rel);
                if (parentStart > 0 && attrs.lastModifiedTime().toMillis() < parentStart - SLACK_MS) {
                    return FileVisitResult.CONTINUE;
                }
                copied[0]++;
                copied[1] += addFile(tar, rel, file, attrs.size());
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                if (e instanceof NoSuchFileException) {
                    return FileVisitResult.CONTINUE;   // dropped by the server while we walked; WAL replays the drop
                }
                throw e;
            }
        });

        String stopLsn;
        String labelFile;
        String sql = major >= 15 ? "SELECT lsn::text, labelfile FROM pg_backup_stop(false)"
                : "SELECT lsn::text, labelfile FROM pg_stop_backup(false, false)";
        try (PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
            rs.next();
            stopLsn = rs.getString(1);
            labelFile = rs.getString(2);
        }
        addBytes(tar, "backup_label", labelFile.getBytes(StandardCharsets.UTF_8));
        String stopWal = query(c, "SELECT pg_walfile_name(?::pg_lsn)", stopLsn);
        int walFiles = 0;
        try (var wal = Files.list(dataDir.resolve("pg_wal"))) {
            for (Path segment : wal.sorted().toList()) {
                String name = segment.getFileName().toString();
                if (WAL_SEGMENT.matcher(name).matches() && name.substring(8).compareTo(startWal.substring(8)) >= 0
                        && name.substring(8).compareTo(stopWal.substring(8)) <= 0) {
                    addFile(tar, "pg_wal/" + name, segment, Files.size(segment));
                    walFiles++;
                }
            }
        }
        addDirectory(tar, "pg_wal/archive_status");
        addBytes(tar, MANIFEST, String.join("\n", manifest).getBytes(StandardCharsets.UTF_8));
        tar.finish();

        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("format", "pg-files-1");
        meta.put("start_ms", startMs);
        meta.put("start_lsn", startLsn);
        meta.put("stop_lsn", stopLsn);
        meta.put("server_major", major);
        meta.put("files", manifest.size());
        meta.put("files_copied", copied[0]);
        meta.put("bytes_copied", copied[1]);
        meta.put("wal_segments", walFiles);
        return Json.write(meta);
    }

    /** Rebuilds a data directory from a chain (full backup first); the server recovers it when it starts. */
    static void restore(Path dataDir, List<BackupPayload> chain) throws IOException {
        Files.createDirectories(dataDir);
        Set<String> finalManifest = null;
        for (BackupPayload payload : chain) {
            wipe(dataDir.resolve("pg_wal"));   // only the last backup's WAL and label belong to the result
            Files.deleteIfExists(dataDir.resolve("backup_label"));
            try (InputStream in = payload.open()) {
                TarArchiveInputStream tar = new TarArchiveInputStream(in);
                TarArchiveEntry entry;
                while ((entry = tar.getNextEntry()) != null) {
                    Path target = safeTarget(dataDir, entry.getName());
                    if (entry.isDirectory()) {
                        Files.createDirectories(target);
                    } else if (entry.isFile()) {
                        if (entry.getName().equals(MANIFEST)) {
                            finalManifest = new HashSet<>(List.of(new String(tar.readAllBytes(), StandardCharsets.UTF_8)
                                    .split("\n")));
                            continue;
                        }
                        Files.createDirectories(target.getParent());
                        Files.copy(tar, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                    } else {
                        throw new IOException("unexpected entry " + entry.getName() + " in a backup");
                    }
                }
                in.transferTo(OutputStream.nullOutputStream());
            }
        }
        if (finalManifest == null) {
            throw new IOException("the backup has no file list; it was not written by this version of jtrove");
        }
        Set<String> keep = finalManifest;
        List<Path> stale = new ArrayList<>();
        Files.walkFileTree(dataDir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                return EMPTIED_DIRS.contains(relative(dataDir, dir)) ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                String rel = relative(dataDir, file);
                if (!rel.equals("backup_label") && !keep.contains(rel)) {
                    stale.add(file);
                }
                return FileVisitResult.CONTINUE;
            }
        });
        for (Path p : stale) {
            Files.delete(p);
        }
    }

    private static void wipe(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (var files = Files.list(dir)) {
            for (Path p : files.toList()) {
                if (Files.isRegularFile(p)) {
                    Files.delete(p);
                }
            }
        }
    }

    private static Path safeTarget(Path root, String name) throws IOException {
        Path target = root.resolve(name).normalize();
        if (!target.startsWith(root) || target.equals(root) && !name.equals("./")) {
            throw new IOException("backup entry " + name + " points outside the data directory");
        }
        return target;
    }

    private static String relative(Path root, Path p) {
        return root.relativize(p).toString();
    }

    private static void addDirectory(TarArchiveOutputStream tar, String rel) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(rel + "/");
        e.setMode(040700);
        tar.putArchiveEntry(e);
        tar.closeArchiveEntry();
    }

    private static void addBytes(TarArchiveOutputStream tar, String rel, byte[] data) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(rel);
        e.setSize(data.length);
        e.setMode(0100600);
        tar.putArchiveEntry(e);
        tar.write(data);
        tar.closeArchiveEntry();
    }

    /**
     * Copies {@code size} bytes (the size when the walk saw the file): a file that shrank meanwhile is padded with
     * zeros, one that grew is cut; recovery from the WAL repairs both, as with pg_basebackup.
     */
    private static long addFile(TarArchiveOutputStream tar, String rel, Path file, long size) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(rel);
        e.setSize(size);
        e.setMode(0100600);
        tar.putArchiveEntry(e);
        long left = size;
        byte[] buffer = new byte[1 << 17];
        try (InputStream in = Files.newInputStream(file)) {
            while (left > 0) {
                int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
                if (n < 0) {
                    break;
                }
                tar.write(buffer, 0, n);
                left -= n;
            }
        } catch (NoSuchFileException gone) {
            // dropped after the walk saw it: zeros below; the WAL replays the drop
        }
        java.util.Arrays.fill(buffer, (byte) 0);
        while (left > 0) {
            int n = (int) Math.min(buffer.length, left);
            tar.write(buffer, 0, n);
            left -= n;
        }
        tar.closeArchiveEntry();
        return size;
    }

    private static String query(Connection c, String sql, String arg) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, arg);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        }
    }

    static JsonNode meta(String json) {
        return Json.parse(json);
    }
}
