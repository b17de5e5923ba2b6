package org.jtrove.guestagent.mariadb;

import java.io.IOException;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jtrove.guestagent.ConfigFiles;
import org.jtrove.guestagent.GuestHost;
import org.jtrove.guestagent.InstanceContext;
import org.jtrove.guestagent.LogArchive;
import org.jtrove.guestagent.Replication;
import org.jtrove.guestagent.Sql;
import org.jtrove.guestagent.SqlDatastore;
import org.jtrove.guestagent.ShortSocketDirs;
import org.jtrove.guestagent.TemplateCache;
import org.jtrove.guestagent.UndoJournal;
import org.jtrove.guestagent.UndoStep;
import org.jtrove.guestagent.backup.BackupPayload;
import org.jtrove.model.JtroveException;
import org.jtrove.model.config.ConfigParameter;
import org.jtrove.model.guest.CharacterSets;
import org.jtrove.model.guest.DatabaseSpec;
import org.jtrove.model.guest.NameRules;
import org.jtrove.model.guest.ServerBuild;
import org.jtrove.model.guest.UserSpec;

/**
 * MariaDB (Trove manager "mysql"): the admin user is {@code os_admin@'%'} created when the template is
 * initialised; passwords are sent to the server only as mysql_native_password hashes, never in clear text.
 */
public final class MariadbDatastore implements SqlDatastore {
    private static final String ADMIN = "os_admin";
    private final MariadbReplication replication = new MariadbReplication(this);
    private static final String ROOT = "root";
    private static final List<String> SYSTEM_DATABASES =
            List.of("information_schema", "mysql", "performance_schema", "sys");
    private static final String OVERRIDES = "overrides.cnf";
    /** A database made without a character set gets this one (Trove documents utf8; utf8mb4 holds all of Unicode). */
    static final String DEFAULT_CHARSET = "utf8mb4";
    private static final long MB = 1024 * 1024;
    private static final Pattern VERSION = Pattern.compile("Ver (\\d+\\.\\d+)\\.(\\d+)");

    @Override
    public String manager() {
        return "mysql";
    }

    @Override
    public String datastoreName() {
        return "mariadb";
    }

    @Override
    public int port() {
        return 3306;
    }

    @Override
    public NameRules names() {
        return NameRules.MYSQL;
    }

    /** Trove's "mysql" datastore, served by this MySQL-compatible build (Debian's default-mysql-server is MariaDB). */
    @Override
    public List<Alias> aliases() {
        return List.of(new Alias("mysql", "-mariadb"));
    }

    @Override
    public CharacterSets characterSets(ServerBuild build, Path workDir, GuestHost host) throws Exception {
        return MariadbCharsets.read(build, workDir, host);
    }

    @Override
    public String rootUserName() {
        return ROOT;
    }

    @Override
    public String processName() {
        return "mariadbd";
    }

    @Override
    public List<ServerBuild> discover() {
        Path server = Path.of("/usr/sbin/mariadbd");
        if (!Files.isExecutable(server) || !Files.isExecutable(Path.of("/usr/bin/mariadb-install-db"))) {
            return List.of();
        }
        try {
            Process p = new ProcessBuilder(server.toString(), "--version").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor(10, TimeUnit.SECONDS);
            Matcher m = VERSION.matcher(out);
            if (!m.find()) {
                return List.of();
            }
            return List.of(new ServerBuild(manager(), m.group(1), "/usr/sbin", "/usr", "debian"));
        } catch (IOException e) {
            return List.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of();
        }
    }

    @Override
    public void initTemplate(ServerBuild build, Path dataDir, String adminPassword, GuestHost host) throws Exception {
        Path work = dataDir.getParent();
        Files.createDirectories(work);
        host.giveToDatabaseUser(work);
        Path bundled = Path.of(build.baseDir(), "scripts", "mariadb-install-db");
        List<String> install = new ArrayList<>(List.of(
                Files.isExecutable(bundled) ? bundled.toString() : "/usr/bin/mariadb-install-db",
                "--no-defaults", "--datadir=" + dataDir, "--auth-root-authentication-method=normal",
                "--skip-test-db", "--skip-name-resolve"));
        if (Files.isExecutable(bundled)) {
            install.add("--basedir=" + build.baseDir());
        }
        host.run(install, Duration.ofMinutes(3));

        // Start once with an init file that creates the admin user, then shut down cleanly.
        Path init = work.resolve("init.sql");
        Files.writeString(init, "CREATE USER '" + ADMIN + "'@'%' IDENTIFIED BY PASSWORD '" + nativeHash(adminPassword)
                + "';\nGRANT ALL PRIVILEGES ON *.* TO '" + ADMIN + "'@'%' WITH GRANT OPTION;\n"
                + "ALTER USER 'root'@'localhost' IDENTIFIED VIA unix_socket;\n"
                + "DELETE FROM mysql.global_priv WHERE User = '' OR (User = 'root' AND Host <> 'localhost');\n"
                + "FLUSH PRIVILEGES;\n");
        int port = freePort();
        InstanceContext bootstrap = new InstanceContext("template", build, "127.0.0.1", 256, work);
        writeConfig(bootstrap, dataDir, port, "init-file = " + init, host);
        host.giveToDatabaseUser(work);
        ProcessHandle server = host.spawn(List.of(build.binDir() + "/mariadbd",
                "--defaults-file=" + bootstrap.runDir().resolve("my.cnf")), work.resolve("bootstrap.log"));
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (true) {
                try (Connection c = connect("127.0.0.1", port, adminPassword, null); Statement s = c.createStatement()) {
                    s.execute("SHUTDOWN");
                    break;
                } catch (SQLException e) {
                    if (System.nanoTime() > deadline || !server.isAlive()) {
                        throw new IllegalStateException("MariaDB did not start while preparing its template: "
                                + Files.readString(work.resolve("bootstrap.log")), e);
                    }
                    Thread.sleep(100);
                }
            }
            server.onExit().get(60, TimeUnit.SECONDS);
        } finally {
            server.destroy();
            Files.deleteIfExists(init);
            TemplateCache.deleteTree(bootstrap.runDir());
        }
    }

    @Override
    public void configure(InstanceContext ctx, GuestHost host) throws Exception {
        Path overrides = ctx.runDir().resolve(OVERRIDES);
        // Included last, so that the configuration group's values win over the flavor's.
        Path replicationCnf = ctx.runDir().resolve(MariadbReplication.CNF);
        writeConfig(ctx, ctx.dataDir(), port(), MariadbArchive.settings(ctx) + "!include " + replicationCnf
                + "\n!include " + overrides, host);
        for (Path included : List.of(overrides, replicationCnf)) {
            if (!Files.exists(included, LinkOption.NOFOLLOW_LINKS)) {
                ConfigFiles.replace(included, "[mariadbd]\n", host);
            }
        }
        host.giveToDatabaseUser(ctx.runDir());
    }

    /** The settings my.cnf derives from the flavor's RAM; a value removed from a group goes back to these. */
    private static Map<String, Long> flavorSettings(InstanceContext ctx) {
        Map<String, Long> out = new LinkedHashMap<>();
        out.put("innodb_buffer_pool_size", Math.max(32, ctx.memoryMb() / 2) * MB);
        // The 96 MB default redo log would be most of a small instance's disk (and of every spare copy).
        out.put("innodb_log_file_size", Math.max(16, Math.min(512, ctx.memoryMb() / 16)) * MB);
        out.put("max_connections", (long) Math.max(20, Math.min(500, ctx.memoryMb() / 8)));
        return out;
    }

    private static void writeConfig(InstanceContext ctx, Path dataDir, int port, String extra, GuestHost host)
            throws IOException {
        Files.createDirectories(ctx.runDir().resolve("files"));
        Path socket = socketPath(ctx, host);
        ServerBuild build = ctx.build();
        StringBuilder cnf = new StringBuilder("# written by jtrove; memory settings follow the flavor's RAM ("
                + ctx.memoryMb() + " MB)\n[mariadbd]\n");
        cnf.append("datadir = ").append(dataDir).append('\n')
                .append("basedir = ").append(build.baseDir()).append('\n')
                .append("port = ").append(port).append('\n')
                .append("bind-address = ").append(ctx.address()).append('\n')
                .append("socket = ").append(socket).append('\n')
                .append("pid-file = ").append(ctx.runDir().resolve("mariadbd.pid")).append('\n')
                .append("log-error = ").append(ctx.runDir().resolve("error.log")).append('\n')
                .append("skip-name-resolve\n")
                .append("character-set-server = ").append(DEFAULT_CHARSET).append('\n')
                .append("secure_file_priv = ").append(ctx.runDir().resolve("files")).append('\n');
        flavorSettings(ctx).forEach((name, value) -> cnf.append(name).append(" = ").append(value).append('\n'));
        if (!"debian".equals(build.source())) {
            cnf.append("lc-messages-dir = ").append(build.baseDir()).append("/share\n").append("skip-ssl\n");
        }
        cnf.append(extra).append('\n');
        Files.writeString(ctx.runDir().resolve("my.cnf"), cnf.toString());
    }

    /**
     * Unix socket paths are limited to 107 bytes; a deep state directory gets its sockets in a short private
     * directory instead ({@link ShortSocketDirs}). root@localhost authenticates by OS identity (unix_socket), so the
     * socket grants nothing to other local users.
     */
    static Path socketPath(InstanceContext ctx, GuestHost host) throws IOException {
        Path inRunDir = ctx.runDir().resolve("mysqld.sock");
        if (inRunDir.toString().length() <= 100) {
            return inRunDir;
        }
        Path dir = ShortSocketDirs.make(ctx.instanceId(), ctx.instanceDir(), host);
        return dir.resolve("mysqld.sock");
    }

    @Override
    public List<String> startCommand(InstanceContext ctx) {
        return List.of(ctx.build().binDir() + "/mariadbd", "--defaults-file=" + ctx.runDir().resolve("my.cnf"));
    }

    @Override
    public Replication replication() {
        return replication;
    }

    @Override
    public Connection connectAdmin(InstanceContext ctx, String password, String database) throws SQLException {
        return connect(ctx.address(), port(), password, database);
    }

    @Override
    public LogArchive logArchive() {
        return new MariadbArchive(ADMIN);
    }

    @Override
    public String backup(InstanceContext ctx, String adminPassword, String parentMeta, OutputStream out,
                         GuestHost host) throws Exception {
        return MariadbBackup.backup(ctx, ADMIN, adminPassword, socketPath(ctx, host), parentMeta, out);
    }

    @Override
    public void restore(InstanceContext ctx, List<BackupPayload> chain, GuestHost host)
            throws Exception {
        MariadbBackup.restore(ctx, chain);
        Files.setPosixFilePermissions(ctx.dataDir(), PosixFilePermissions.fromString("rwx------"));
        host.giveToDatabaseUser(ctx.dataDir());
    }

    private static Connection connect(String address, int port, String password, String database) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", ADMIN);
        p.setProperty("password", password);
        p.setProperty("connectTimeout", "3000");
        p.setProperty("socketTimeout", "60000");
        p.setProperty("localSocketAddress", address);   // from the instance's own address: see InstanceContext
        return DriverManager.getConnection("jdbc:mariadb://" + address + ":" + port + "/"
                + (database == null ? "" : database), p);
    }

    @Override
    public void changeAdminPassword(Connection c, String newPassword) throws SQLException {
        exec(c, "ALTER USER '" + ADMIN + "'@'%' IDENTIFIED BY PASSWORD '" + nativeHash(newPassword) + "'");
    }

    /** Each database is recorded in {@code undo} before it is created: MariaDB commits every DDL statement at once. */
    @Override
    public void createDatabases(InstanceContext ctx, Connection c, List<DatabaseSpec> databases, UndoJournal undo)
            throws SQLException, IOException {
        createEach(c, listDatabases(c), databases, db -> List.of(createDatabaseSql(db)), undo);
    }

    /** Without a character set or collation, a database gets utf8mb4 (so any text fits), with its default collation. */
    private static String createDatabaseSql(DatabaseSpec db) {
        StringBuilder sql = new StringBuilder("CREATE DATABASE ").append(Sql.myIdent(db.name()));
        if (db.characterSet() != null || db.collate() == null) {
            sql.append(" CHARACTER SET ").append(Sql.literal(db.characterSet() == null ? DEFAULT_CHARSET : db.characterSet()));
        }
        if (db.collate() != null) {
            sql.append(" COLLATE ").append(Sql.literal(db.collate()));
        }
        return sql.toString();
    }

    @Override
    public List<String> listDatabases(Connection c) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SHOW DATABASES")) {
            while (rs.next()) {
                String name = rs.getString(1);
                if (!SYSTEM_DATABASES.contains(name)) {
                    out.add(name);
                }
            }
        }
        out.sort(null);
        return out;
    }

    @Override
    public void dropDatabase(Connection c, String name) throws SQLException {
        names().databaseRef(name);
        if (!listDatabases(c).contains(name)) {
            throw JtroveException.notFound("Database " + name + " cannot be found on the instance.");
        }
        exec(c, "DROP DATABASE " + Sql.myIdent(name));
    }

    /** Each user is recorded in {@code undo} before it is created (dropping it also takes its grants away). */
    @Override
    public void createUsers(InstanceContext ctx, Connection c, String adminPassword, List<UserSpec> users,
                            UndoJournal undo) throws SQLException, IOException {
        checkNewUsers(users, listDatabases(c), (name, host) -> userExists(c, name, host));
        for (UserSpec user : users) {
            undo.record(UndoStep.dropUser(user.name(), user.host()));
            exec(c, "CREATE USER " + account(user.name(), user.host()) + " IDENTIFIED BY PASSWORD '"
                    + nativeHash(user.password()) + "'");
            for (String db : user.databases()) {
                exec(c, "GRANT ALL PRIVILEGES ON " + grantTarget(db) + " TO " + account(user.name(), user.host()));
            }
        }
    }

    @Override
    public List<UserSpec> listUsers(Connection c) throws SQLException {
        List<UserSpec> users = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT User, Host FROM mysql.user WHERE User NOT IN"
                + " ('', 'root', 'os_admin', 'mariadb.sys', 'mysql', 'debian-sys-maint', '" + Replication.USER + "') ORDER BY User, Host");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                users.add(new UserSpec(rs.getString(1), rs.getString(2), null, List.of()));
            }
        }
        List<UserSpec> out = new ArrayList<>();
        for (UserSpec u : users) {
            out.add(new UserSpec(u.name(), u.host(), null, listAccess(c, u.name(), u.host())));
        }
        return out;
    }

    @Override
    public void dropUser(InstanceContext ctx, Connection c, String adminPassword, String name, String host)
            throws SQLException {
        requireUser(c, name, host);
        exec(c, "DROP USER " + account(name, host));
    }

    /** Every user must exist; each one's previous password hash is recorded in {@code undo} before it changes. */
    @Override
    public void changePasswords(Connection c, List<UserSpec> users, UndoJournal undo) throws SQLException, IOException {
        for (UserSpec user : users) {
            requireUser(c, user.name(), user.host());
            names().password(user.password());
        }
        for (UserSpec user : users) {
            setPassword(c, user.name(), user.host(), user.password(), undo);
        }
    }

    private void setPassword(Connection c, String name, String host, String password, UndoJournal undo)
            throws SQLException, IOException {
        undo.record(UndoStep.restorePassword(name, host, storedPassword(c, name, host)));
        exec(c, "ALTER USER " + account(name, host) + " IDENTIFIED BY PASSWORD '" + nativeHash(password) + "'");
    }

    /** The account's authentication as the server stores it: "plugin authentication_string" (a hash, not a password). */
    private static String storedPassword(Connection c, String name, String host) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT plugin, authentication_string FROM mysql.user WHERE User = ? AND Host = ?")) {
            ps.setString(1, name);
            ps.setString(2, host);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) + " " + rs.getString(2) : null;
            }
        }
    }

    @Override
    public void updateUser(Connection c, String name, String host, UserChange change, UndoJournal undo)
            throws SQLException, IOException {
        requireUser(c, name, host);
        String newName = change.name() == null ? name : names().checkUser(change.name());
        String newHost = change.host() == null ? host : names().checkHost(change.host());
        if (change.password() != null) {
            names().password(change.password());
        }
        boolean rename = !newName.equals(name) || !newHost.equals(host);
        if (rename && userExists(c, newName, newHost)) {
            throw JtroveException.badRequest("A user with the name '" + newName + "@" + newHost + "' already exists.");
        }
        if (change.password() != null) {
            setPassword(c, name, host, change.password(), undo);
        }
        if (rename) {
            undo.record(UndoStep.renameBack(newName, newHost, name, host));
            exec(c, "RENAME USER " + account(name, host) + " TO " + account(newName, newHost));
        }
    }

    /** The user and every database must exist; a revoke is recorded for each database the user had no access to. */
    @Override
    public void grant(InstanceContext ctx, Connection c, String adminPassword, String name, String host,
                      List<String> databases, UndoJournal undo) throws SQLException, IOException {
        requireUser(c, name, host);
        requireDatabases(listDatabases(c), databases);
        List<String> before = listAccess(c, name, host);
        for (String db : new LinkedHashSet<>(databases)) {
            if (!before.contains(db)) {
                undo.record(UndoStep.revoke(name, host, db));
            }
            exec(c, "GRANT ALL PRIVILEGES ON " + grantTarget(db) + " TO " + account(name, host));
        }
    }

    @Override
    public void revoke(InstanceContext ctx, Connection c, String adminPassword, String name, String host, String database)
            throws SQLException {
        requireUser(c, name, host);
        if (!listAccess(c, name, host).contains(database)) {
            throw JtroveException.notFound("User " + name + " has no access to database " + database + ".");
        }
        exec(c, "REVOKE ALL PRIVILEGES ON " + grantTarget(database) + " FROM " + account(name, host));
    }

    @Override
    public List<String> listAccess(Connection c, String name, String host) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT DISTINCT Db FROM mysql.db WHERE User = ? AND Host = ? ORDER BY Db")) {
            ps.setString(1, name);
            ps.setString(2, host);
            List<String> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1).replace("\\_", "_").replace("\\%", "%"));
                }
            }
            return out;
        }
    }

    /**
     * `db`.* for a database-level grant, with '_' and '%' escaped: in grants they are wildcards, so an unescaped
     * grant on app_1 would also cover appx1.
     */
    private String grantTarget(String database) {
        names().databaseRef(database);
        return Sql.myIdent(database.replace("_", "\\_").replace("%", "\\%")) + ".*";
    }

    @Override
    public void undo(InstanceContext ctx, Connection c, String adminPassword, UndoStep step) throws SQLException {
        String name = step.name();
        switch (step.action()) {
            case "drop_database" -> {
                if (listDatabases(c).contains(name)) {
                    exec(c, "DROP DATABASE " + Sql.myIdent(name));
                }
            }
            case "drop_user" -> {
                if (userExists(c, name, step.host())) {
                    exec(c, "DROP USER " + account(name, step.host()));
                }
            }
            case "restore_password" -> {
                if (userExists(c, name, step.host())) {
                    exec(c, "ALTER USER " + account(name, step.host()) + " IDENTIFIED " + authentication(step.credential()));
                }
            }
            case "rename_user" -> {
                if (userExists(c, name, step.host()) && !userExists(c, step.target(), step.targetHost())) {
                    exec(c, "RENAME USER " + account(name, step.host()) + " TO " + account(step.target(), step.targetHost()));
                }
            }
            case "revoke" -> {
                if (userExists(c, name, step.host()) && listAccess(c, name, step.host()).contains(step.target())) {
                    exec(c, "REVOKE ALL PRIVILEGES ON " + grantTarget(step.target()) + " FROM " + account(name, step.host()));
                }
            }
            default -> throw new IllegalStateException("MariaDB has no undo step " + step.action());
        }
    }

    /** "VIA plugin USING 'stored string'" from {@link #storedPassword}; only a plugin name and a quoted string reach SQL. */
    private static String authentication(String stored) {
        String[] parts = stored == null ? new String[] {"mysql_native_password", ""} : stored.split(" ", 2);
        if (!parts[0].matches("[a-z0-9_]{1,64}")) {
            throw new IllegalStateException("unexpected authentication plugin " + parts[0]);
        }
        return "VIA " + parts[0] + " USING " + Sql.literal(parts.length > 1 ? parts[1] : "");
    }

    @Override
    public void enableRoot(Connection c, String password) throws SQLException {
        if (!userExists(c, ROOT, "%")) {
            exec(c, "CREATE USER 'root'@'%' IDENTIFIED BY PASSWORD '" + nativeHash(password) + "'");
        } else {
            exec(c, "ALTER USER 'root'@'%' IDENTIFIED BY PASSWORD '" + nativeHash(password) + "'");
        }
        exec(c, "GRANT ALL PRIVILEGES ON *.* TO 'root'@'%' WITH GRANT OPTION");
    }

    @Override
    public void disableRoot(Connection c) throws SQLException {
        if (userExists(c, ROOT, "%")) {
            exec(c, "DROP USER 'root'@'%'");
        }
    }

    @Override
    public boolean isRootEnabled(Connection c) throws SQLException {
        return userExists(c, ROOT, "%");
    }

    /**
     * Dynamic values are set with SET GLOBAL first (so a value the server refuses changes nothing on disk), then
     * every value goes to overrides.cnf, which my.cnf includes last. A read-only variable whose running value
     * differs, or one removed from the group, needs a restart.
     */
    @Override
    public boolean applyConfiguration(InstanceContext ctx, GuestHost host, String adminPassword,
                                      Map<String, Object> values, Set<String> removed) throws Exception {
        Map<String, ConfigParameter> catalogue = catalogue(ctx);
        StringBuilder cnf = new StringBuilder("# written by jtrove: the instance's configuration group\n[mariadbd]\n");
        for (Map.Entry<String, Object> e : new TreeMap<>(values).entrySet()) {
            cnf.append(variable(catalogue, e.getKey())).append(" = ").append(cnfValue(e.getValue())).append('\n');
        }
        boolean restart = false;
        if (adminPassword != null) {
            try (Connection c = connectAdmin(ctx, adminPassword, null)) {
                Map<String, Object> live = effective(c, catalogue.values());
                for (Map.Entry<String, Object> e : values.entrySet()) {
                    ConfigParameter p = catalogue.get(e.getKey());
                    if (ConfigFiles.same(e.getValue(), live.get(p.name()))) {
                        continue;
                    }
                    if (p.restartRequired()) {
                        restart = true;
                    } else {
                        exec(c, "SET GLOBAL " + variable(catalogue, p.name()) + " = " + sqlValue(e.getValue()));
                    }
                }
                for (String name : removed) {
                    ConfigParameter p = catalogue.get(name);
                    if (p == null || p.restartRequired()) {
                        restart = true;
                        continue;
                    }
                    Long flavorValue = flavorSettings(ctx).get(name);
                    exec(c, "SET GLOBAL " + variable(catalogue, name) + " = "
                            + (flavorValue != null ? flavorValue.toString() : "DEFAULT"));
                }
            }
        }
        ConfigFiles.replace(ctx.runDir().resolve(OVERRIDES), cnf.toString(), host);
        return restart;
    }

    @Override
    public Map<String, Object> effectiveConfiguration(InstanceContext ctx, String adminPassword,
                                                      List<ConfigParameter> parameters) throws Exception {
        try (Connection c = connectAdmin(ctx, adminPassword, null)) {
            return effective(c, parameters);
        }
    }

    private static Map<String, Object> effective(Connection c, Collection<ConfigParameter> parameters)
            throws SQLException {
        Map<String, ConfigParameter> byName = new HashMap<>();
        parameters.forEach(p -> byName.put(p.name().toUpperCase(Locale.ROOT), p));
        Map<String, Object> out = new TreeMap<>();
        if (byName.isEmpty()) {
            return out;
        }
        String marks = String.join(", ", Collections.nCopies(byName.size(), "?"));
        try (PreparedStatement ps = c.prepareStatement("SELECT VARIABLE_NAME, VARIABLE_VALUE"
                + " FROM information_schema.GLOBAL_VARIABLES WHERE VARIABLE_NAME IN (" + marks + ")")) {
            int i = 1;
            for (String name : byName.keySet()) {
                ps.setString(i++, name);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ConfigParameter p = byName.get(rs.getString(1).toUpperCase(Locale.ROOT));
                    out.put(p.name(), ConfigFiles.typed(p, rs.getString(2)));
                }
            }
        }
        return out;
    }

    /** Only catalogue names, which are plain identifiers, reach SQL and my.cnf. */
    private static String variable(Map<String, ConfigParameter> catalogue, String name) {
        if (!catalogue.containsKey(name) || !name.matches("[a-z][a-z0-9_]*")) {
            throw JtroveException.unprocessable("The configuration parameter " + name + " is not supported.");
        }
        return name;
    }

    private static String sqlValue(Object value) {
        if (value instanceof Boolean b) {
            return b ? "ON" : "OFF";
        }
        if (value instanceof Double d) {
            return BigDecimal.valueOf(d).toPlainString();
        }
        if (value instanceof Number n) {
            return Long.toString(n.longValue());
        }
        return Sql.literal(String.valueOf(value));
    }

    /** Strings were checked against the catalogue (an allowed list, or no quotes, backslashes, '#' or ';'). */
    private static String cnfValue(Object value) {
        if (value instanceof String s) {
            return s.contains(" ") ? "\"" + s + "\"" : s;
        }
        return sqlValue(value);
    }

    private void requireUser(Connection c, String name, String host) throws SQLException {
        if (name == null || host == null || ROOT.equals(name) || ADMIN.equals(name) || !userExists(c, name, host)) {
            throw JtroveException.notFound("User " + name + "@" + host + " cannot be found on the instance.");
        }
    }


    private static boolean userExists(Connection c, String name, String host) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM mysql.user WHERE User = ? AND Host = ?")) {
            ps.setString(1, name);
            ps.setString(2, host);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    private String account(String name, String host) {
        return Sql.literal(names().userRef(name)) + "@" + Sql.literal(names().hostRef(host));
    }

    private static void exec(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    /** mysql_native_password hash: "*" + upper hex of SHA1(SHA1(password)); only hex reaches SQL. */
    static String nativeHash(String password) {
        try {
            MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
            byte[] once = sha1.digest(password.getBytes(StandardCharsets.UTF_8));
            byte[] twice = MessageDigest.getInstance("SHA-1").digest(once);
            return "*" + HexFormat.of().withUpperCase().formatHex(twice);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        }
    }
}
