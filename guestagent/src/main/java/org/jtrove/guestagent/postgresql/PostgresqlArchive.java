package org.jtrove.guestagent.postgresql;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.jtrove.guestagent.ConfigFiles;
import org.jtrove.guestagent.GuestHost;
import org.jtrove.guestagent.InstanceContext;
import org.jtrove.guestagent.LogArchive;
import org.jtrove.guestagent.TemplateCache;

/**
 * PostgreSQL's continuous archive (the server's own WAL archiving, PostgreSQL docs 26.3). The server's
 * {@code archive_command}, run as the instance's user, copies each finished segment (and timeline history file) into
 * the spool {@code <instance>/archive}; it refuses (and the server keeps the segment and retries) while the spool
 * holds {@value #SPOOL_LIMIT} files, so the spool never grows without bound. The agent seals and uploads them.
 *
 * <p>Every {@link LogArchive#finished interval} with WAL written since the last switch, the agent commits a tiny
 * transaction (an xid, so a commit record with a time stamp) and switches to a new segment: the closed segment holds
 * every commit up to the marker, and a recovery targeting any time up to it finds a commit after its target, which
 * is how recovery knows it has reached it (PostgreSQL 13+ refuses to end before its target).
 *
 * <p>A replay lays the segments in {@code <instance>/restore-logs} and starts the server with
 * {@code recovery.signal}, {@code restore_command} copying from there, {@code recovery_target_time} and
 * {@code recovery_target_action = promote}.
 */
final class PostgresqlArchive implements LogArchive {
    static final String RECOVERY_CONF = "jtrove-recovery.conf";
    static final int SPOOL_LIMIT = 64;
    private static final Pattern ARCHIVED = Pattern.compile("[0-9A-F]{24}|[0-9A-F]{8}\\.history|[0-9A-F]{24}\\.partial");
    private static final Duration REPLAY_TIMEOUT = Duration.ofMinutes(30);
    /** Segment (24 hex digits) -> time of the marker commit it holds. */
    private final Map<String, Instant> markers = new ConcurrentSkipListMap<>();
    private volatile Instant lastSwitch = Instant.EPOCH;
    private volatile String lsnAfterSwitch;
    private volatile Instant restorable;

    static Path spool(InstanceContext ctx) {
        return ctx.instanceDir().resolve("archive");
    }

    /** The archiving lines of jtrove.conf: on from the first start, so that no restart is needed later. */
    static List<String> settings(InstanceContext ctx) {
        String spool = spool(ctx).toString();
        return List.of(
                "# continuous archiving for point-in-time restore: the agent seals the spool's files into the backup storage",
                "archive_mode = on",
                "archive_command = '[ \"$(ls -1 \"" + spool + "\" | wc -l)\" -lt " + SPOOL_LIMIT + " ] && cp %p \""
                        + spool + "/%f.part\" && mv \"" + spool + "/%f.part\" \"" + spool + "/%f\"'",
                "include_if_exists = '" + RECOVERY_CONF + "'");
    }

    /** Creates the spool for the instance's user (private to it and to root). */
    static void createSpool(InstanceContext ctx, GuestHost host) throws IOException {
        Path spool = spool(ctx);
        Files.createDirectories(spool);
        Files.setPosixFilePermissions(spool, PosixFilePermissions.fromString("rwx------"));
        host.giveToDatabaseUser(spool);
    }

    @Override
    public List<LogFile> finished(InstanceContext ctx, String adminPassword, Duration interval) throws Exception {
        if (!Files.isDirectory(spool(ctx))) {
            return List.of();   // made by an older jtrove: archiving starts at its next restart
        }
        if (Instant.now().isAfter(lastSwitch.plus(interval))) {
            switchIfWritten(ctx, adminPassword);
        }
        List<String> names;
        try (Stream<Path> files = Files.list(spool(ctx))) {
            names = files.map(p -> p.getFileName().toString()).filter(n -> ARCHIVED.matcher(n).matches()).sorted()
                    .toList();
        }
        List<LogFile> out = new ArrayList<>();
        for (String name : names) {
            if (name.length() == 24) {
                for (var e : markers.entrySet()) {
                    if (e.getKey().substring(8).compareTo(name.substring(8)) <= 0) {
                        restorable = restorable == null || e.getValue().isAfter(restorable) ? e.getValue() : restorable;
                    }
                }
                markers.keySet().removeIf(k -> k.substring(8).compareTo(name.substring(8)) <= 0);
                out.add(new LogFile(name, spool(ctx).resolve(name), restorable));
            } else {
                out.add(new LogFile(name, spool(ctx).resolve(name), null));
            }
        }
        return out;
    }

    private void switchIfWritten(InstanceContext ctx, String adminPassword) throws Exception {
        try (Connection c = new PostgresqlDatastore().connectAdmin(ctx, adminPassword, null);
             Statement s = c.createStatement()) {
            String lsn = one(s, "SELECT pg_current_wal_lsn()::text");
            if (lsn.equals(lsnAfterSwitch) || one(s, "SELECT pg_is_in_recovery()::text").equals("true")) {
                lastSwitch = Instant.now();
                return;
            }
            c.setAutoCommit(false);
            Instant marker;
            try (ResultSet rs = s.executeQuery("SELECT txid_current(), clock_timestamp()")) {
                rs.next();
                marker = rs.getObject(2, OffsetDateTime.class).toInstant();
            }
            c.commit();
            c.setAutoCommit(true);
            String segment = one(s, "SELECT pg_walfile_name(pg_switch_wal())");
            markers.put(segment, marker);
            lsnAfterSwitch = one(s, "SELECT pg_current_wal_lsn()::text");
            lastSwitch = Instant.now();
        }
    }

    @Override
    public void stored(InstanceContext ctx, String adminPassword, LogFile file) throws IOException {
        Files.deleteIfExists(file.path());
    }

    @Override
    public void prepareReplay(InstanceContext ctx, Instant target, List<Path> logs, GuestHost host) throws Exception {
        Path dir = logs.isEmpty() ? ctx.instanceDir().resolve("restore-logs") : logs.get(0).getParent();
        String time = DateTimeFormatter.ISO_INSTANT.format(target).replace('T', ' ').replace("Z", "+00");
        Files.createDirectories(ctx.runDir());
        ConfigFiles.replace(ctx.runDir().resolve(RECOVERY_CONF), String.join("\n",
                "# written by jtrove for a point-in-time restore; removed once the server is promoted",
                "restore_command = 'cp \"" + dir + "/%f\" %p'",
                "recovery_target_time = '" + time + "'",
                "recovery_target_action = 'promote'",
                ""), host);
        Path signal = ctx.dataDir().resolve("recovery.signal");
        Files.writeString(signal, "");
        host.giveToDatabaseUser(signal);
    }

    /** Waits until recovery reached its target and the server was promoted, then drops the replay's files. */
    @Override
    public void finishReplay(InstanceContext ctx, String adminPassword, GuestHost host) throws Exception {
        long deadline = System.nanoTime() + REPLAY_TIMEOUT.toNanos();
        while (true) {
            try (Connection c = new PostgresqlDatastore().connectAdmin(ctx, adminPassword, null);
                 Statement s = c.createStatement()) {
                if (one(s, "SELECT pg_is_in_recovery()::text").equals("false")) {
                    break;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("PostgreSQL did not finish replaying the archived WAL within "
                        + REPLAY_TIMEOUT.toMinutes() + " minutes.");
            }
            Thread.sleep(100);
        }
        Files.deleteIfExists(ctx.runDir().resolve(RECOVERY_CONF));
        TemplateCache.deleteTree(ctx.instanceDir().resolve("restore-logs"));
    }

    private static String one(Statement s, String sql) throws Exception {
        try (ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
