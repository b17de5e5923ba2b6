package org.jtrove.guestagent.mariadb;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.jtrove.guestagent.GuestHost;
import org.jtrove.guestagent.InstanceContext;
import org.jtrove.guestagent.LogArchive;
import org.jtrove.guestagent.TemplateCache;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * MariaDB's continuous archive: the server's binary log ({@code log_bin}, {@code binlog_format = ROW}, a server id
 * derived from the instance id, on from the first start). Every {@link LogArchive#finished interval} with events
 * written since, the agent notes the time and closes the current binary log ({@code FLUSH BINARY LOGS}); every closed
 * one is read as root from the data directory, sealed and uploaded, and purged from the server ({@code PURGE BINARY
 * LOGS TO}) once it is archived and {@link #KEPT_AFTER_ARCHIVING} old: a replica being built from a snapshot, or one
 * away for a while, still finds the logs it needs (a log a connected replica still reads is not purged: the server
 * refuses, and the purge is tried again after the next log). The server's own expiry is the backstop for logs archived
 * before an agent restart.
 *
 * <p>A replay starts from the binary log position the backup recorded ({@code xtrabackup_binlog_info}) and applies the
 * archived logs with the build's {@code mariadb-binlog --stop-datetime} through the {@code mariadb} client over the
 * server's Unix socket. Binary log times have a resolution of one second: a target with a fraction of a second
 * includes the events of its whole second, a whole-second target none of its second.
 */
final class MariadbArchive implements LogArchive {
    static final String LOG_BASE = "binlog";
    /** How long an archived binary log stays on the server for replicas before it is purged. */
    static final Duration KEPT_AFTER_ARCHIVING = Duration.ofMinutes(10);
    private static final Logger LOG = LoggerFactory.getLogger(MariadbArchive.class);
    private static final DateTimeFormatter STOP = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
    private final String admin;
    /** Binary log name -> the moment up to which it holds every commit (noted just before it was closed). */
    private final Map<String, Instant> markers = new ConcurrentHashMap<>();
    /** Binary logs archived since the agent started that are still on the server. */
    private final Set<String> archived = ConcurrentHashMap.newKeySet();
    private volatile Instant lastFlush = Instant.EPOCH;
    private volatile String positionAfterFlush;
    private volatile Instant replayTarget;
    private volatile List<Path> replayLogs;

    MariadbArchive(String admin) {
        this.admin = admin;
    }

    /** The my.cnf lines that turn the binary log on. */
    static String settings(InstanceContext ctx) {
        long serverId = (ctx.instanceId().hashCode() & 0x7fffffffL) % 4_000_000_000L + 1;
        return "# continuous archiving for point-in-time restore (the agent archives and purges closed binary logs)\n"
                + "# and replication (a replica logs what it applies, so that it can become a source)\n"
                + "log_bin = " + LOG_BASE + "\nbinlog_format = ROW\nserver_id = " + serverId + "\n"
                + "log_slave_updates = ON\nrelay_log = relay-bin\nbinlog_expire_logs_seconds = 259200\n";
    }

    @Override
    public List<LogFile> finished(InstanceContext ctx, String adminPassword, Duration interval) throws Exception {
        try (Connection c = new MariadbDatastore().connectAdmin(ctx, adminPassword, null);
             Statement s = c.createStatement()) {
            String position = position(s);
            if (position == null) {
                return List.of();   // binary logging is off (made by an older jtrove): on from its next restart
            }
            if (Instant.now().isAfter(lastFlush.plus(interval))) {
                if (!position.equals(positionAfterFlush)) {
                    Instant marker = utcNow(s);
                    String closing = position.substring(0, position.indexOf(':'));
                    s.execute("FLUSH BINARY LOGS");
                    markers.put(closing, marker);
                    positionAfterFlush = position(s);
                }
                lastFlush = Instant.now();
            }
            List<String> logs = new ArrayList<>();
            try (ResultSet rs = s.executeQuery("SHOW BINARY LOGS")) {
                while (rs.next()) {
                    logs.add(rs.getString(1));
                }
            }
            List<LogFile> out = new ArrayList<>();
            for (String name : logs.subList(0, Math.max(0, logs.size() - 1))) {
                if (!archived.contains(name)) {
                    out.add(new LogFile(name, ctx.dataDir().resolve(name), markers.get(name)));
                }
            }
            return out;
        }
    }

    @Override
    public void stored(InstanceContext ctx, String adminPassword, LogFile file) throws Exception {
        archived.add(file.name());
        markers.remove(file.name());
        try (Connection c = new MariadbDatastore().connectAdmin(ctx, adminPassword, null);
             Statement s = c.createStatement()) {
            // the oldest logs that are archived and old enough go; the first that is not bounds the purge
            Instant oldEnough = Instant.now().minus(KEPT_AFTER_ARCHIVING);
            List<String> purged = new ArrayList<>();
            String next = null;
            try (ResultSet rs = s.executeQuery("SHOW BINARY LOGS")) {
                while (rs.next() && next == null) {
                    String name = rs.getString(1);
                    Path log = ctx.dataDir().resolve(name);
                    if (archived.contains(name) && Files.exists(log)
                            && Files.getLastModifiedTime(log).toInstant().isBefore(oldEnough)) {
                        purged.add(name);
                    } else {
                        next = name;
                    }
                }
            }
            if (next == null || purged.isEmpty()) {
                return;
            }
            try (PreparedStatement ps = c.prepareStatement("PURGE BINARY LOGS TO ?")) {
                ps.setString(1, next);
                ps.execute();
                purged.forEach(archived::remove);
            } catch (SQLException e) {
                LOG.debug("instance {}: binary logs before {} stay for now: {}", ctx.instanceId(), next, e.getMessage());
            }
        }
    }

    @Override
    public void prepareReplay(InstanceContext ctx, Instant target, List<Path> logs, GuestHost host) {
        replayTarget = target;
        replayLogs = List.copyOf(logs);
    }

    /** Applies the archived binary logs from the backup's position up to the target, then drops them. */
    @Override
    public void finishReplay(InstanceContext ctx, String adminPassword, GuestHost host) throws Exception {
        String[] start = backupPosition(ctx.dataDir());
        List<Path> logs = replayLogs.stream().filter(p -> p.getFileName().toString().compareTo(start[0]) >= 0).toList();
        if (logs.isEmpty() || !logs.get(0).getFileName().toString().equals(start[0])) {
            throw new IllegalStateException("The archive lacks the binary log " + start[0] + " the backup ends in;"
                    + " restore to a later time or from another backup.");
        }
        for (int i = 1; i < logs.size(); i++) {
            if (sequence(logs.get(i)) != sequence(logs.get(i - 1)) + 1) {
                throw new IllegalStateException("The archive lacks the binary logs between " + logs.get(i - 1)
                        .getFileName() + " and " + logs.get(i).getFileName() + "; restore to an earlier time.");
            }
        }
        Instant stopAt = replayTarget.truncatedTo(ChronoUnit.SECONDS);
        if (stopAt.isBefore(replayTarget)) {
            stopAt = stopAt.plusSeconds(1);
        }
        Path work = ctx.agentDir().resolve("replay");
        TemplateCache.deleteTree(work);
        Files.createDirectories(work);
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwx------"));
        try {
            Path options = work.resolve("client.cnf");
            Files.writeString(options, "[client]\nuser=" + admin + "\npassword=\"" + adminPassword + "\"\nsocket="
                    + MariadbDatastore.socketPath(ctx, host) + "\nprotocol=socket\n");
            List<String> binlog = new ArrayList<>(List.of(MariadbBackup.tool(ctx.build(), "mariadb-binlog"),
                    "--start-position=" + start[1], "--stop-datetime=" + STOP.format(LocalDateTime.ofInstant(stopAt,
                            ZoneOffset.UTC))));
            logs.forEach(p -> binlog.add(p.toString()));
            String script = "set -o pipefail; \"$@\" | " + MariadbBackup.tool(ctx.build(), "mariadb")
                    + " --defaults-file=" + options + " --binary-mode";
            List<String> command = new ArrayList<>(List.of("bash", "-c", script, "replay"));
            command.addAll(binlog);
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(work.resolve("replay.log").toFile());
            pb.environment().put("TZ", "UTC");
            Process p = pb.start();
            p.getOutputStream().close();
            if (!p.waitFor(30, TimeUnit.MINUTES)) {
                p.destroyForcibly().waitFor();
                throw new IOException("replaying the binary logs did not finish within 30 minutes");
            }
            if (p.exitValue() != 0) {
                throw new IOException("replaying the binary logs failed (exit " + p.exitValue() + "): "
                        + Files.readString(work.resolve("replay.log")).strip());
            }
        } finally {
            TemplateCache.deleteTree(work);
            TemplateCache.deleteTree(ctx.instanceDir().resolve("restore-logs"));
        }
    }

    /** The binary log file and position the restored backup ends at, as mariadb-backup recorded them. */
    private static String[] backupPosition(Path dataDir) throws IOException {
        for (String name : List.of("xtrabackup_binlog_info", "mariadb_backup_binlog_info")) {
            Path file = dataDir.resolve(name);
            if (Files.exists(file)) {
                String[] fields = Files.readString(file, StandardCharsets.UTF_8).strip().split("\\s+");
                if (fields.length >= 2 && fields[1].matches("\\d+")) {
                    return new String[] {fields[0], fields[1]};
                }
            }
        }
        throw new IllegalStateException("The backup records no binary log position (it was taken before binary"
                + " logging was on); restore it without restoreTime, or restore to a time after a later backup.");
    }

    private static long sequence(Path log) {
        String name = log.getFileName().toString();
        return Long.parseLong(name.substring(name.lastIndexOf('.') + 1));
    }

    private static String position(Statement s) throws Exception {
        try (ResultSet rs = s.executeQuery("SHOW MASTER STATUS")) {
            return rs.next() ? rs.getString(1) + ":" + rs.getLong(2) : null;
        }
    }

    private static Instant utcNow(Statement s) throws Exception {
        try (ResultSet rs = s.executeQuery("SELECT UNIX_TIMESTAMP(NOW(6))")) {
            rs.next();
            BigDecimal seconds = rs.getBigDecimal(1);
            return Instant.ofEpochSecond(seconds.longValue(),
                    seconds.remainder(BigDecimal.ONE).movePointRight(9).longValue());
        }
    }
}
