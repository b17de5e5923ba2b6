package org.jtrove.store;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A private PostgreSQL (Debian's 15) or MariaDB (Debian's 10.11) server for the store's tests: its own directory
 * under /tmp, a free port on 127.0.0.1, run as the unprivileged {@code jtrove-db} user when the tests run as root
 * (both servers refuse root). Each test takes a new database with {@link #createDatabase()}, owned by the
 * password user {@link #USER}, whose password needs percent-encoding in an oslo.db URL.
 *
 * <p>{@link #crash()} and {@link #restart()} stop and start the same server mid-test. {@link #close()} stops it
 * and removes the directory; a watchdog process does the same if this JVM dies without closing it.
 */
public final class TestDatabaseServer implements AutoCloseable {
    public enum Kind { POSTGRESQL, MARIADB }

    static final String USER = "jtrove";
    /** Every character that an oslo.db URL must escape in a password. */
    static final String PASSWORD = "p@ss:w/rd+%?#&=";
    private static final String OS_USER = "jtrove-db";
    private static final String PG_BIN = "/usr/lib/postgresql/15/bin";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final List<String> MARIADB_HOSTS = List.of("%", "localhost");
    private static final AtomicInteger DATABASES = new AtomicInteger();
    private static final Map<Kind, TestDatabaseServer> SHARED = new EnumMap<>(Kind.class);
    private final Kind kind;
    private final Path dir;
    private final int port;
    private final boolean root = "root".equals(System.getProperty("user.name"));
    private final String adminPassword = HexFormat.of().formatHex(new SecureRandom().generateSeed(12));
    private Process server;
    private Process watchdog;

    private TestDatabaseServer(Kind kind) throws IOException {
        this.kind = kind;
        this.dir = Files.createTempDirectory(Path.of("/tmp"), "jtrove-metadata-" + kind.name().toLowerCase(Locale.ROOT) + "-");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        try (ServerSocket s = new ServerSocket(0)) {
            this.port = s.getLocalPort();
        }
    }

    /**
     * The server of this kind that the test classes of this JVM share, started at the first call and closed when
     * the JVM ends (the watchdog covers a JVM that is killed).
     */
    static synchronized TestDatabaseServer shared(Kind kind) {
        return SHARED.computeIfAbsent(kind, k -> {
            TestDatabaseServer s = start(k);
            Runtime.getRuntime().addShutdownHook(new Thread(s::close, "stop-" + k));
            return s;
        });
    }

    /** Initialises and starts a server, with the {@link #USER} role or user. */
    public static TestDatabaseServer start(Kind kind) {
        TestDatabaseServer s = null;
        try {
            s = new TestDatabaseServer(kind);
            s.startWatchdog();
            s.initialise();
            s.makeCertificates();
            s.restart();
            if (kind == Kind.MARIADB) {
                // '%' for TCP; 'localhost' for the local socket (where the anonymous ''@'localhost' would win)
                for (String host : MARIADB_HOSTS) {
                    s.admin("CREATE USER '" + USER + "'@'" + host + "' IDENTIFIED BY '" + PASSWORD + "'");
                }
            } else {
                s.admin("CREATE USER " + USER + " PASSWORD '" + PASSWORD + "'");
            }
            return s;
        } catch (Exception e) {
            if (s != null) {
                s.close();
            }
            throw new IllegalStateException("could not start a private " + kind + " server: " + e.getMessage(), e);
        }
    }

    /** A new, empty database that {@link #USER} owns; its name. */
    public String createDatabase() {
        String name = "store_" + DATABASES.incrementAndGet();
        if (kind == Kind.MARIADB) {
            admin("CREATE DATABASE " + name);
            for (String host : MARIADB_HOSTS) {
                admin("GRANT ALL PRIVILEGES ON " + name + ".* TO '" + USER + "'@'" + host + "'");
            }
        } else {
            admin("CREATE DATABASE " + name + " OWNER " + USER);
        }
        return name;
    }

    public String jdbcUrl(String database) {
        return (kind == Kind.MARIADB ? "jdbc:mariadb://" : "jdbc:postgresql://") + "127.0.0.1:" + port + "/" + database;
    }

    /** The database as {@code [database] connection} names it, the password percent-encoded. */
    public String osloUrl(String database) {
        String password = PASSWORD.replace("%", "%25").replace("@", "%40").replace(":", "%3A").replace("/", "%2F")
                .replace("?", "%3F").replace("#", "%23").replace("&", "%26").replace("=", "%3D");
        return (kind == Kind.MARIADB ? "mysql+pymysql://" : "postgresql+psycopg2://") + USER + ":" + password
                + "@127.0.0.1:" + port + "/" + database + (kind == Kind.MARIADB ? "?charset=utf8" : "");
    }

    Kind kind() {
        return kind;
    }

    Path dir() {
        return dir;
    }

    /** Runs {@code sql} as the server's administrator. */
    void admin(String sql) {
        try (Connection c = adminConnection(); Statement st = c.createStatement()) {
            st.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
    }

    /**
     * Stops the server in the middle of whatever runs: MariaDB is killed (SIGKILL; InnoDB recovers at the next
     * start), PostgreSQL takes a fast shutdown (SIGINT: sessions are ended at once). Returns once it is gone.
     */
    void crash() throws InterruptedException {
        if (kind == Kind.MARIADB) {
            server.destroyForcibly();
        } else {
            signal(server.pid(), "INT");
        }
        if (!server.waitFor(60, TimeUnit.SECONDS)) {
            server.destroyForcibly();
            throw new IllegalStateException(kind + " did not stop within 60 s");
        }
    }

    /** Starts the server (again) on the same port and data, and waits until it answers. */
    /** SIGKILL of the server, as a crash of its host would do; {@link #restart} starts it again on its data. */
    public void kill() throws InterruptedException {
        if (server != null && server.isAlive()) {
            server.destroyForcibly();
            server.waitFor(30, TimeUnit.SECONDS);
        }
    }

    public void restart() throws IOException, InterruptedException {
        Path data = dir.resolve("data");
        List<String> command = kind == Kind.MARIADB
                ? List.of("/usr/sbin/mariadbd", "--no-defaults", "--datadir=" + data, "--port=" + port,
                        "--bind-address=127.0.0.1", "--socket=" + dir.resolve("mysqld.sock"),
                        "--pid-file=" + dir.resolve("mysqld.pid"), "--log-error=" + dir.resolve("server.log"),
                        "--skip-name-resolve", "--innodb-buffer-pool-size=32M", "--innodb-log-file-size=16M",
                        "--ssl-ca=" + dir.resolve("ca.pem"), "--ssl-cert=" + dir.resolve("server.pem"),
                        "--ssl-key=" + dir.resolve("server.key"),
                        // no fsync: a killed server loses nothing (its writes are in the kernel's page cache)
                        "--innodb-flush-method=nosync", "--innodb-doublewrite=0")
                : List.of(PG_BIN + "/postgres", "-D", data.toString(), "-c", "listen_addresses=127.0.0.1",
                        "-c", "port=" + port, "-c", "unix_socket_directories=", "-c", "fsync=off",
                        "-c", "ssl=on", "-c", "ssl_cert_file=" + dir.resolve("server.pem"),
                        "-c", "ssl_key_file=" + dir.resolve("server.key"));
        ProcessBuilder pb = new ProcessBuilder(asOsUser(command)).redirectErrorStream(true);
        pb.redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("console.log").toFile()));
        server = pb.start();
        Files.writeString(dir.resolve("server.pid"), String.valueOf(server.pid()));
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (true) {
            try (Connection c = adminConnection()) {
                return;
            } catch (SQLException e) {
                if (!server.isAlive() || System.nanoTime() > deadline) {
                    throw new IllegalStateException(kind + " did not start: " + e.getMessage() + "\n" + log());
                }
                Thread.sleep(50);
            }
        }
    }

    @Override
    public void close() {
        if (server != null && server.isAlive()) {
            signal(server.pid(), kind == Kind.MARIADB ? "TERM" : "INT");
            try {
                if (!server.waitFor(30, TimeUnit.SECONDS)) {
                    server.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                server.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        try {
            run(List.of("rm", "-rf", dir.toString()));
        } catch (Exception e) {
            throw new IllegalStateException("cannot remove " + dir + ": " + e.getMessage(), e);
        } finally {
            if (watchdog != null) {
                watchdog.destroy();
            }
        }
    }

    private void initialise() throws Exception {
        if (root) {
            run(List.of("sh", "-c", "id -u " + OS_USER + " >/dev/null 2>&1 || useradd --system --no-create-home"
                    + " --home-dir /nonexistent --shell /usr/sbin/nologin " + OS_USER));
            run(List.of("chown", OS_USER, dir.toString()));
        }
        Path data = dir.resolve("data");
        if (kind == Kind.MARIADB) {
            run(asOsUser(List.of("mariadb-install-db", "--no-defaults", "--datadir=" + data,
                    "--auth-root-authentication-method=normal", "--skip-test-db", "--skip-name-resolve")));
        } else {
            Path pwfile = dir.resolve("pwfile");
            Files.writeString(pwfile, adminPassword + "\n");
            if (root) {
                run(List.of("chown", OS_USER, pwfile.toString()));
            }
            run(asOsUser(List.of(PG_BIN + "/initdb", "-D", data.toString(), "-U", "postgres", "--auth=scram-sha-256",
                    "--pwfile=" + pwfile, "-E", "UTF8", "--locale=C.UTF-8", "--no-sync")));
        }
    }

    /** The CA that signed the server's certificate (for 127.0.0.1), to check it from a TLS client. */
    Path caFile() {
        return dir.resolve("ca.pem");
    }

    /**
     * Another CA, which signed nothing this server has: a client that trusts only it must refuse the server.
     */
    Path otherCaFile() {
        return dir.resolve("other-ca.pem");
    }

    /** A CA and the server's certificate for IP 127.0.0.1 (EC keys: made in a blink). */
    private void makeCertificates() throws Exception {
        String ec = "-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes";
        Files.writeString(dir.resolve("san.ext"), "subjectAltName=IP:127.0.0.1\n");
        run(List.of("sh", "-c", "cd '" + dir + "' && umask 077"
                + " && openssl req -x509 " + ec + " -keyout ca.key -out ca.pem -days 2 -subj /CN=jtrove-test-ca"
                + " && openssl req -x509 " + ec + " -keyout other-ca.key -out other-ca.pem -days 2 -subj /CN=other-ca"
                + " && openssl req " + ec + " -keyout server.key -out server.csr -subj /CN=127.0.0.1"
                + " && openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2"
                + " -extfile san.ext -out server.pem && chmod 644 ca.pem other-ca.pem server.pem"));
        if (root) {
            run(List.of("chown", OS_USER, dir.resolve("server.key").toString()));
        }
    }

    private Connection adminConnection() throws SQLException {
        return kind == Kind.MARIADB
                ? DriverManager.getConnection("jdbc:mariadb://127.0.0.1:" + port + "/mysql?connectTimeout=2000", "root", "")
                : DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres?connectTimeout=2",
                        "postgres", adminPassword);
    }

    /** Kills the server and removes the directory if this JVM ends without {@link #close()}. */
    private void startWatchdog() throws IOException {
        String script = "while kill -0 " + ProcessHandle.current().pid() + " 2>/dev/null && [ -d '" + dir + "' ];"
                + " do sleep 1; done; [ -f '" + dir + "/server.pid' ] && kill -9 \"$(cat '" + dir + "/server.pid')\""
                + " 2>/dev/null; sleep 1; rm -rf '" + dir + "'";
        watchdog = new ProcessBuilder("setsid", "bash", "-c", script)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectErrorStream(true).start();
    }

    private String log() {
        try {
            Path log = Files.exists(dir.resolve("server.log")) ? dir.resolve("server.log") : dir.resolve("console.log");
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    private List<String> asOsUser(List<String> command) {
        if (!root) {
            return command;
        }
        List<String> full = new ArrayList<>(List.of("setpriv", "--reuid=" + OS_USER, "--regid=" + OS_USER,
                "--init-groups", "--reset-env", "--"));
        full.addAll(command);
        return full;
    }

    private static void signal(long pid, String signal) {
        try {
            run(List.of("kill", "-" + signal, String.valueOf(pid)));
        } catch (Exception e) {
            // already gone
        }
    }

    private static void run(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(command + " failed: " + out);
        }
    }
}
