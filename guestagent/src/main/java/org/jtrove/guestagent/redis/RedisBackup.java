package org.jtrove.guestagent.redis;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.jtrove.guestagent.backup.BackupPayload;
import org.jtrove.guestagent.backup.NonClosing;
import org.jtrove.model.Json;
import org.jtrove.model.JtroveException;
import java.util.function.Supplier;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisConnectionException;

/**
 * Redis backups are RDB snapshots: BGSAVE on the running server, then the finished dump.rdb (Redis writes a new
 * file and renames it, so the one opened is never changed under the reader) and the ACL file go out as a tar.
 * Redis has no incremental backups. A restore puts both files in place; the server loads the RDB at start.
 */
final class RedisBackup {
    static final String RDB = "dump.rdb";
    private static final long WAIT_MS = 30 * 60 * 1000;

    private RedisBackup() {}

    static String backup(Supplier<Jedis> connect, Path dataDir, String parentMeta, OutputStream out) throws Exception {
        if (parentMeta != null) {
            throw JtroveException.badRequest("Redis has no incremental backups; take a full backup.");
        }
        try (Jedis admin = connect.get()) {
            waitUntilNoSaveRuns(admin);
            long before = admin.lastsave();
            // LASTSAVE has a resolution of seconds: start in a later second than the last save, so ours shows.
            while (Long.parseLong(admin.time().get(0)) <= before) {
                Thread.sleep(50);
            }
            admin.bgsaveSchedule();   // waits its turn if an AOF rewrite runs, instead of refusing
            waitForSave(connect, before);
        }
        TarArchiveOutputStream tar = new TarArchiveOutputStream(new NonClosing(out));
        long rdbBytes = add(tar, dataDir.resolve(RDB), RDB);
        add(tar, dataDir.resolve(RedisConfig.ACL_FILE), RedisConfig.ACL_FILE);
        tar.finish();
        return Json.write(Map.of("format", "redis-rdb-1", "rdb_bytes", rdbBytes));
    }

    /**
     * Waits until LASTSAVE moves past {@code before} (the snapshot is on disk). LASTSAVE is cheap and answered at
     * once; INFO is asked only now and then, to notice a failed save. A connection that stops answering is
     * replaced (seen once with Redis 6.2 while its save child ran).
     */
    private static void waitForSave(Supplier<Jedis> connect, long before) throws Exception {
        long deadline = System.currentTimeMillis() + WAIT_MS;
        long nextInfo = System.currentTimeMillis() + 2_000;
        Jedis j = connect.get();
        int reconnects = 0;
        try {
            while (true) {
                try {
                    if (j.lastsave() > before) {
                        return;
                    }
                    if (System.currentTimeMillis() > nextInfo) {
                        // failed only if no child runs (a scheduled save starts once an AOF rewrite is done)
                        String info = j.info("persistence");
                        if (info.contains("rdb_bgsave_in_progress:0") && info.contains("aof_rewrite_in_progress:0")
                                && info.contains("rdb_last_bgsave_status:err") && j.lastsave() <= before) {
                            throw new IOException("the server's BGSAVE failed; check the instance's free disk space"
                                    + " and take the backup again");
                        }
                        nextInfo = System.currentTimeMillis() + 2_000;
                    }
                } catch (JedisConnectionException e) {
                    if (++reconnects > 5) {
                        throw e;
                    }
                    j.close();
                    j = connect.get();
                }
                if (System.currentTimeMillis() > deadline) {
                    throw new IOException("BGSAVE did not finish within 30 minutes");
                }
                Thread.sleep(20);
            }
        } finally {
            j.close();
        }
    }

    private static void waitUntilNoSaveRuns(Jedis admin) throws InterruptedException {
        long deadline = System.currentTimeMillis() + WAIT_MS;
        while (admin.info("persistence").contains("rdb_bgsave_in_progress:1") && System.currentTimeMillis() < deadline) {
            Thread.sleep(20);
        }
    }

    static void restore(Path dataDir, List<BackupPayload> chain) throws IOException {
        if (chain.size() != 1) {
            throw JtroveException.badRequest("A Redis backup has no incremental parts; restore a full backup.");
        }
        Files.createDirectories(dataDir);
        try (InputStream in = chain.get(0).open()) {
            TarArchiveInputStream tar = new TarArchiveInputStream(in);
            TarArchiveEntry entry;
            while ((entry = tar.getNextEntry()) != null) {
                String name = entry.getName();
                if (!entry.isFile() || !(name.equals(RDB) || name.equals(RedisConfig.ACL_FILE))) {
                    throw new IOException("unexpected entry " + name + " in a Redis backup");
                }
                Files.copy(tar, dataDir.resolve(name));
            }
            in.transferTo(OutputStream.nullOutputStream());
        }
        if (!Files.exists(dataDir.resolve(RDB))) {
            throw new IOException("the backup holds no RDB snapshot");
        }
    }

    private static long add(TarArchiveOutputStream tar, Path file, String name) throws IOException {
        try (java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(file);
             InputStream in = java.nio.channels.Channels.newInputStream(channel)) {
            long size = channel.size();   // of the file opened: an automatic save may rename a new one in
            TarArchiveEntry e = new TarArchiveEntry(name);
            e.setSize(size);
            e.setMode(0100600);
            tar.putArchiveEntry(e);
            long copied = in.transferTo(new NonClosing(tar));
            if (copied != size) {
                throw new IOException(name + " changed while it was copied");
            }
            tar.closeArchiveEntry();
            return size;
        }
    }
}
