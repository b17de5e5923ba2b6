package org.jtrove.guestagent.mariadb;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import org.jtrove.guestagent.ConfigFiles;
import org.jtrove.guestagent.GuestHost;
import org.jtrove.guestagent.InstanceContext;
import org.jtrove.guestagent.Replication;
import org.jtrove.guestagent.Sql;
import org.jtrove.model.guest.ReplicationSource;

/**
 * MariaDB GTID replication: every instance writes a binary log with its own {@code server_id} (and logs what it
 * replicates, so a promoted replica can serve the others). A replica starts from a mariadb-backup snapshot of
 * the source, whose GTID position ({@code xtrabackup_binlog_info}) becomes its {@code gtid_slave_pos}, and follows
 * with {@code MASTER_USE_GTID}; it is {@code read_only} (in {@code run/replication.cnf}, kept across restarts),
 * which refuses writes from every user but the admin. A planned switchover sets the source read-only and waits
 * ({@code MASTER_GTID_WAIT}) until the replica has applied its last GTID.
 */
final class MariadbReplication implements Replication {
    static final String CNF = "replication.cnf";
    private static final List<String> POSITION_FILES = List.of("mariadb_backup_binlog_info", "xtrabackup_binlog_info");
    private final MariadbDatastore mariadb;

    MariadbReplication(MariadbDatastore mariadb) {
        this.mariadb = mariadb;
    }

    @Override
    public boolean needsSnapshot() {
        return true;
    }

    @Override
    public String prepareSource(InstanceContext ctx, GuestHost host, String adminPassword, String replicaId,
                                String password) throws Exception {
        try (Connection c = mariadb.connectAdmin(ctx, adminPassword, null); Statement s = c.createStatement()) {
            String user = Sql.literal(USER) + "@'%'";
            s.execute("CREATE USER IF NOT EXISTS " + user + " IDENTIFIED BY " + Sql.literal(password));
            s.execute("ALTER USER " + user + " IDENTIFIED BY " + Sql.literal(password));
            s.execute("GRANT REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO " + user);
        }
        return null;
    }

    @Override
    public void forgetReplica(InstanceContext ctx, String adminPassword, String replicaId) {
        // a MariaDB source keeps nothing per replica
    }

    @Override
    public boolean writeFollowConfig(InstanceContext ctx, GuestHost host, ReplicationSource source) throws Exception {
        ConfigFiles.replace(ctx.runDir().resolve(CNF), "# written by jtrove: this instance is a replica\n[mariadbd]\n"
                + "read_only = ON\nskip_slave_start = OFF\n", host);
        return false;
    }

    @Override
    public void startFollowing(InstanceContext ctx, GuestHost host, String adminPassword, ReplicationSource source)
            throws Exception {
        try (Connection c = mariadb.connectAdmin(ctx, adminPassword, null); Statement s = c.createStatement()) {
            s.execute("SET GLOBAL read_only = ON");
            s.execute("STOP SLAVE");
            String snapshot = snapshotPosition(ctx);
            String using = "current_pos";
            if (snapshot != null) {
                try (PreparedStatement ps = c.prepareStatement("SET GLOBAL gtid_slave_pos = ?")) {
                    ps.setString(1, snapshot);
                    ps.execute();
                }
                using = "slave_pos";
            }
            s.execute("CHANGE MASTER TO MASTER_HOST = " + Sql.literal(source.address()) + ", MASTER_PORT = "
                    + source.port() + ", MASTER_USER = " + Sql.literal(source.user()) + ", MASTER_PASSWORD = "
                    + Sql.literal(source.password()) + ", MASTER_CONNECT_RETRY = 1, MASTER_USE_GTID = " + using);
            s.execute("START SLAVE");
        }
        for (String name : POSITION_FILES) {
            Files.deleteIfExists(ctx.dataDir().resolve(name));   // used once: later starts continue from gtid_slave_pos
        }
    }

    /** The GTID position of the snapshot this replica was restored from, if it was just restored. */
    private static String snapshotPosition(InstanceContext ctx) throws Exception {
        for (String name : POSITION_FILES) {
            Path file = ctx.dataDir().resolve(name);
            if (Files.exists(file)) {
                String[] fields = Files.readString(file).trim().split("\t");
                return fields.length >= 3 ? fields[2].trim() : "";
            }
        }
        return null;
    }

    @Override
    public void promote(InstanceContext ctx, GuestHost host, String adminPassword) throws Exception {
        try (Connection c = mariadb.connectAdmin(ctx, adminPassword, null); Statement s = c.createStatement()) {
            s.execute("STOP SLAVE");
            s.execute("RESET SLAVE ALL");
            s.execute("SET GLOBAL read_only = OFF");
        }
        Files.deleteIfExists(ctx.runDir().resolve(CNF));
        ConfigFiles.replace(ctx.runDir().resolve(CNF), "[mariadbd]\n", host);
    }

    @Override
    public String fence(InstanceContext ctx, GuestHost host, String adminPassword, StopServer stop) throws Exception {
        ConfigFiles.replace(ctx.runDir().resolve(CNF), "# written by jtrove: fenced for a switchover\n[mariadbd]\n"
                + "read_only = ON\n", host);
        try (Connection c = mariadb.connectAdmin(ctx, adminPassword, null); Statement s = c.createStatement()) {
            s.execute("SET GLOBAL read_only = ON");
            try (ResultSet rs = s.executeQuery("SELECT @@gtid_binlog_pos")) {
                rs.next();
                return rs.getString(1);
            }
        }
    }

    @Override
    public void awaitPosition(InstanceContext ctx, String adminPassword, String position, long timeoutMs)
            throws Exception {
        try (Connection c = mariadb.connectAdmin(ctx, adminPassword, null);
             PreparedStatement ps = c.prepareStatement("SELECT MASTER_GTID_WAIT(?, ?)")) {
            ps.setString(1, position);
            ps.setDouble(2, timeoutMs / 1000.0);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                if (rs.getInt(1) != 0) {
                    throw new IllegalStateException("the replica did not apply the source's transactions up to GTID "
                            + position + " within " + timeoutMs / 1000 + " s");
                }
            }
        }
    }

    @Override
    public long rank(InstanceContext ctx, String adminPassword) throws Exception {
        try (Connection c = mariadb.connectAdmin(ctx, adminPassword, null); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT @@gtid_current_pos")) {
            rs.next();
            long sum = 0;
            for (String gtid : rs.getString(1).split(",")) {
                String[] parts = gtid.trim().split("-");
                if (parts.length == 3) {
                    sum += Long.parseLong(parts[2]);
                }
            }
            return sum;
        }
    }

    @Override
    public Double lag(InstanceContext ctx, String adminPassword) throws Exception {
        try (Connection c = mariadb.connectAdmin(ctx, adminPassword, null); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SHOW SLAVE STATUS")) {
            if (!rs.next()) {
                return null;
            }
            long behind = rs.getLong("Seconds_Behind_Master");
            return rs.wasNull() ? null : (double) behind;
        }
    }
}
