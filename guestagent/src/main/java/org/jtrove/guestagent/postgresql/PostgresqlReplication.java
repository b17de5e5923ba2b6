package org.jtrove.guestagent.postgresql;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.jtrove.guestagent.ConfigFiles;
import org.jtrove.guestagent.GuestHost;
import org.jtrove.guestagent.InstanceContext;
import org.jtrove.guestagent.Replication;
import org.jtrove.guestagent.Sql;
import org.jtrove.model.guest.ReplicationSource;
import org.postgresql.util.PasswordUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * PostgreSQL physical streaming replication: the source keeps one replication slot per replica (so the WAL a
 * replica still needs is never recycled) and admits jtrove's replication user for replication connections; a
 * replica is a hot standby ({@code standby.signal}) whose {@code primary_conninfo} and {@code primary_slot_name}
 * are in {@code run/jtrove-replication.conf}, which jtrove.conf includes, with the source's running values of the
 * hot standby settings that must not be lower on a standby (e.g. max_connections). Promotion is
 * {@code pg_promote()}; a planned switchover stops the source with a fast shutdown, which sends all its WAL to the connected standbys
 * first, so the promoted replica holds every committed transaction and the old source can follow it without a
 * rewind. In synchronous mode the source's {@code run/jtrove-synchronous.conf} names its replicas, by the
 * {@code application_name} each gives in its primary_conninfo, in {@code synchronous_standby_names = 'ANY 1 (...)'}
 * (PostgreSQL's "quorum-based synchronous replication"): a commit returns once any one of them has flushed it.
 */
final class PostgresqlReplication implements Replication {
    private static final Logger LOG = LoggerFactory.getLogger(PostgresqlReplication.class);
    static final String CONF = "jtrove-replication.conf";
    /** A source's synchronous_standby_names (see {@link #setSynchronousStandbys}); jtrove.conf includes it. */
    static final String SYNCHRONOUS_CONF = "jtrove-synchronous.conf";
    /** PostgreSQL's hot standby settings: a standby whose values are lower than its primary's stops recovering. */
    private static final List<String> STANDBY_MINIMUMS = List.of("max_connections", "max_worker_processes",
            "max_wal_senders", "max_prepared_transactions", "max_locks_per_transaction");
    private static final String HBA_LINE = "host replication " + USER + " 0.0.0.0/0 scram-sha-256";
    private final PostgresqlDatastore pg;

    PostgresqlReplication(PostgresqlDatastore pg) {
        this.pg = pg;
    }

    /** The slot of a replica: its id without dashes (slot names are lower-case letters, digits and '_'). */
    static String slot(String replicaId) {
        return "jtrove_" + replicaId.replace("-", "").toLowerCase(Locale.ROOT);
    }

    @Override
    public boolean needsSnapshot() {
        return true;
    }

    @Override
    public String prepareSource(InstanceContext ctx, GuestHost host, String adminPassword, String replicaId,
                                String password) throws Exception {
        Path hba = ctx.dataDir().resolve("pg_hba.conf");
        if (!Files.readString(hba).contains(HBA_LINE)) {
            Files.writeString(hba, "# written by jtrove: replicas stream WAL as its own replication user\n"
                    + HBA_LINE + "\n", StandardOpenOption.APPEND);
        }
        try (Connection c = pg.connectAdmin(ctx, adminPassword, null); Statement s = c.createStatement()) {
            String verifier = Sql.literal(PasswordUtil.encodeScramSha256(password.toCharArray()));
            boolean exists = exists(c, "SELECT 1 FROM pg_roles WHERE rolname = ?", USER);
            s.execute((exists ? "ALTER ROLE " : "CREATE ROLE ") + Sql.pgIdent(USER)
                    + " WITH REPLICATION LOGIN NOSUPERUSER PASSWORD " + verifier);
            String slot = slot(replicaId);
            if (!exists(c, "SELECT 1 FROM pg_replication_slots WHERE slot_name = ?", slot)) {
                try (PreparedStatement ps = c.prepareStatement("SELECT pg_create_physical_replication_slot(?, true)")) {
                    ps.setString(1, slot);
                    ps.execute();
                }
            }
            s.execute("SELECT pg_reload_conf()");
            return slot;
        }
    }

    @Override
    public Map<String, String> settingsForReplicas(InstanceContext ctx, String adminPassword) throws Exception {
        Map<String, String> out = new TreeMap<>();
        try (Connection c = pg.connectAdmin(ctx, adminPassword, null); PreparedStatement ps = c.prepareStatement(
                "SELECT name, setting FROM pg_settings WHERE name = ANY (?)")) {
            ps.setArray(1, c.createArrayOf("text", STANDBY_MINIMUMS.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getString(1), rs.getString(2));
                }
            }
        }
        return out;
    }

    @Override
    public void setSynchronousStandbys(InstanceContext ctx, GuestHost host, String adminPassword,
                                       List<String> replicaIds) throws Exception {
        String names = replicaIds.isEmpty() ? "" : "ANY 1 (" + replicaIds.stream().map(PostgresqlReplication::slot)
                .sorted().collect(Collectors.joining(", ")) + ")";
        ConfigFiles.replace(ctx.runDir().resolve(SYNCHRONOUS_CONF), "# written by jtrove: "
                + (names.isEmpty() ? "commits do not wait for a replica" : "a commit waits until one replica has it")
                + "\nsynchronous_standby_names = " + Sql.literal(names) + "\nsynchronous_commit = on\n", host);
        pg.includeInConfig(ctx, host, SYNCHRONOUS_CONF);
        try (Connection c = pg.connectAdmin(ctx, adminPassword, null); Statement s = c.createStatement()) {
            s.execute("SELECT pg_reload_conf()");   // PostgreSQL releases waiting commits once no standby is named
        }
    }

    @Override
    public void forgetReplica(InstanceContext ctx, String adminPassword, String replicaId) throws Exception {
        try (Connection c = pg.connectAdmin(ctx, adminPassword, null); PreparedStatement ps = c.prepareStatement(
                "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = ? AND NOT active")) {
            ps.setString(1, slot(replicaId));
            ps.execute();
        }
    }

    @Override
    public boolean writeFollowConfig(InstanceContext ctx, GuestHost host, ReplicationSource source) throws Exception {
        String conninfo = "host=" + source.address() + " port=" + source.port() + " user=" + source.user()
                + " password=" + conninfoQuote(source.password()) + " application_name=" + slot(ctx.instanceId());
        StringBuilder minimums = new StringBuilder();
        source.settings().forEach((name, value) -> {
            if (STANDBY_MINIMUMS.contains(name) && value.matches("\\d{1,9}")) {   // the source's running values
                minimums.append(name).append(" = ").append(value).append('\n');
            }
        });
        ConfigFiles.replace(ctx.runDir().resolve(CONF), "# written by jtrove: this instance is a replica\n"
                + "primary_conninfo = " + Sql.literal(conninfo) + "\n"
                + "primary_slot_name = " + Sql.literal(source.slot()) + "\n" + minimums, host);
        Files.deleteIfExists(ctx.runDir().resolve(SYNCHRONOUS_CONF));   // a standby names none; once promoted, its own
        Path signal = ctx.dataDir().resolve("standby.signal");
        if (Files.exists(signal)) {
            return false;
        }
        Files.writeString(signal, "");
        host.giveToDatabaseUser(signal);
        return true;
    }

    /**
     * {@code pg_rewind} from the source, connecting as jtrove's admin role (the same password on both: the source was
     * built from this instance's snapshot) through a password file in the private run directory, so that the
     * password is in no process's arguments. pg_rewind first finishes the crash recovery of a server that was
     * killed (PostgreSQL 13 and later); {@code wal_log_hints} is on for every instance.
     */
    /**
     * A source promoted moments ago may not have written its new timeline to its control file yet, which pg_rewind
     * reads to find where the two histories part; a CHECKPOINT writes it (the pg_rewind documentation's advice).
     */
    private void checkpoint(InstanceContext ctx, String adminPassword, ReplicationSource source) {
        try (Connection c = pg.connectAdmin(ctx, source.address(), source.port(), adminPassword, null);
             Statement s = c.createStatement()) {
            s.execute("CHECKPOINT");
        } catch (SQLException e) {
            LOG.warn("instance {}: CHECKPOINT on the new source {} failed ({}); pg_rewind may find it on its old"
                    + " timeline", ctx.instanceId(), source.address(), e.getMessage());
        }
    }

    @Override
    public boolean rewind(InstanceContext ctx, GuestHost host, String adminPassword, ReplicationSource source)
            throws Exception {
        Path tool = Path.of(ctx.build().binDir(), "pg_rewind");
        if (!Files.isExecutable(tool)) {
            return false;
        }
        Path passfile = ctx.runDir().resolve("rewind.pgpass");
        Files.deleteIfExists(passfile);
        Files.createFile(passfile, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(passfile, "*:*:*:" + PostgresqlDatastore.ADMIN + ":"
                + adminPassword.replace("\\", "\\\\").replace(":", "\\:") + "\n");
        host.giveToDatabaseUser(passfile);
        checkpoint(ctx, adminPassword, source);
        try {
            host.run(List.of(tool.toString(), "--target-pgdata=" + ctx.dataDir(), "--source-server=host="
                    + source.address() + " port=" + source.port() + " user=" + PostgresqlDatastore.ADMIN
                    + " dbname=postgres connect_timeout=10 passfile=" + conninfoQuote(passfile.toString())),
                    Duration.ofMinutes(30));
            return true;
        } catch (RuntimeException e) {
            LOG.warn("instance {}: pg_rewind from {} failed; it gets a fresh copy instead: {}", ctx.instanceId(),
                    source.address(), e.getMessage());
            return false;
        } finally {
            Files.deleteIfExists(passfile);
        }
    }

    @Override
    public void startFollowing(InstanceContext ctx, GuestHost host, String adminPassword, ReplicationSource source)
            throws Exception {
        try (Connection c = pg.connectAdmin(ctx, adminPassword, null); Statement s = c.createStatement()) {
            s.execute("SELECT pg_reload_conf()");   // a standby that was following another source takes the new one
        }
    }

    @Override
    public void promote(InstanceContext ctx, GuestHost host, String adminPassword) throws Exception {
        try (Connection c = pg.connectAdmin(ctx, adminPassword, null); Statement s = c.createStatement()) {
            boolean standby;
            try (ResultSet rs = s.executeQuery("SELECT pg_is_in_recovery()")) {
                rs.next();
                standby = rs.getBoolean(1);
            }
            if (standby) {
                s.execute("SELECT pg_promote(true, 60)");
            }
            Files.deleteIfExists(ctx.runDir().resolve(CONF));
            s.execute("SELECT pg_reload_conf()");
        }
    }

    @Override
    public String fence(InstanceContext ctx, GuestHost host, String adminPassword, StopServer stop) throws Exception {
        Path recorded = ctx.agentDir().resolve("fenced-at");
        if (!Files.exists(recorded)) {
            try (Connection c = pg.connectAdmin(ctx, adminPassword, null); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT pg_current_wal_lsn()::text")) {
                rs.next();
                Files.writeString(recorded, rs.getString(1));
            }
        }
        stop.stop();   // a fast shutdown sends the remaining WAL, up to its shutdown checkpoint, to the standbys
        return Files.readString(recorded).trim();
    }

    @Override
    public void awaitPosition(InstanceContext ctx, String adminPassword, String position, long timeoutMs)
            throws Exception {
        long deadline = System.currentTimeMillis() + timeoutMs;
        try (Connection c = pg.connectAdmin(ctx, adminPassword, null); PreparedStatement ps = c.prepareStatement(
                "SELECT pg_last_wal_receive_lsn() > ?::pg_lsn AND pg_last_wal_replay_lsn() >= pg_last_wal_receive_lsn()"
                        + " AND NOT EXISTS (SELECT 1 FROM pg_stat_wal_receiver WHERE status = 'streaming')")) {
            ps.setString(1, position);
            while (true) {
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next() && rs.getBoolean(1)) {
                        return;
                    }
                }
                if (System.currentTimeMillis() > deadline) {
                    throw new IllegalStateException("the replica did not receive and replay the source's WAL up to "
                            + position + " within " + timeoutMs / 1000 + " s");
                }
                Thread.sleep(50);
            }
        }
    }

    @Override
    public long rank(InstanceContext ctx, String adminPassword) throws Exception {
        try (Connection c = pg.connectAdmin(ctx, adminPassword, null); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT (CASE WHEN pg_is_in_recovery() THEN GREATEST(pg_last_wal_receive_lsn(),"
                     + " pg_last_wal_replay_lsn()) ELSE pg_current_wal_lsn() END - '0/0'::pg_lsn)::bigint")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Override
    public Double lag(InstanceContext ctx, String adminPassword) throws Exception {
        try (Connection c = pg.connectAdmin(ctx, adminPassword, null); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT pg_is_in_recovery(), pg_last_wal_receive_lsn() IS NOT NULL"
                     + " AND pg_last_wal_receive_lsn() <= pg_last_wal_replay_lsn(),"
                     + " EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())::float8")) {
            rs.next();
            if (!rs.getBoolean(1)) {
                return null;
            }
            if (rs.getBoolean(2)) {
                return 0.0;
            }
            double behind = rs.getDouble(3);
            return rs.wasNull() ? null : Math.max(0, behind);
        }
    }

    private static String conninfoQuote(String value) {
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }

    private static boolean exists(Connection c, String sql, String arg) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, arg);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }
}
