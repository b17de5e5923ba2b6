package org.jtrove.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.jtrove.guestagent.host.OsUser;
import org.jtrove.server.ApiClient.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The kill-point campaign: {@code jtrove server} runs as its own process and is killed with SIGKILL 0, 20, 50, 150
 * and 400 ms after the answers to a create, a restore, two deletes, a flavor resize, a backup and a configuration
 * attach or detach, all in flight together, on PostgreSQL and on MariaDB. After each kill it is started again on
 * the same state, and once everything has settled the API and the real servers must agree on every operation:
 * <ul>
 * <li>an answered create or restore exists and is ACTIVE, reachable with the user it was created with; a restore
 * holds exactly the rows of its backup (checksum);</li>
 * <li>an answered delete ends deleted: no server process, OS user or directory left;</li>
 * <li>the flavor the API shows is the one whose memory settings the server runs;</li>
 * <li>the configuration group the API shows is the one whose values the server runs;</li>
 * <li>an answered backup ends COMPLETED or FAILED, and no unfinished object is left in storage;</li>
 * <li>nothing is stuck (every instance and backup reaches a final state) and the source data is unchanged.</li>
 * </ul>
 * It prints a table of kill points: tried / held / lost / orphans.
 */
@Tag("e2e")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KillPointCampaignE2ETest {
    private static final int[] DELAYS_MS = {0, 20, 50, 150, 400};
    private static final Duration SETTLE = Duration.ofSeconds(150);
    private static final String USER = "campaign";
    private static final String PASSWORD = "Campaign-pw-1";
    private static final String PROJECT = "campaign";

    /** One datastore's fixed facts: what the test reads from its servers. */
    private record Kind(String type, String version, int port, String memorySetting, Map<String, String> byFlavor,
                        String groupParameter, String groupValueOnServer) {
        String url(String ip, String db) {
            return type.equals("postgresql") ? "jdbc:postgresql://" + ip + ":5432/" + db
                    : "jdbc:mariadb://" + ip + ":3306/" + db;
        }
    }

    // Memory settings jtrove derives from the flavors' RAM (512 and 1024 MB); group values chosen to differ.
    private static final Kind POSTGRESQL = new Kind("postgresql", "15", 5432, "SHOW shared_buffers",
            Map.of("1", "128MB", "2", "256MB"), "work_mem", "12345kB");
    private static final Kind MARIADB = new Kind("mariadb", "10.11", 3306, "SELECT @@GLOBAL.innodb_buffer_pool_size",
            Map.of("1", Long.toString(256L << 20), "2", Long.toString(512L << 20)), "wait_timeout", "1234");

    private final List<String> table = new ArrayList<>();
    private final List<JtroveProcess> processes = new ArrayList<>();
    private final ExecutorService pool = Executors.newFixedThreadPool(8);

    @AfterAll
    void printTable() {
        pool.shutdownNow();
        System.out.println("\nkill-point campaign (datastore, delay after the answers):");
        System.out.printf("%-28s %6s %6s %6s %8s%n", "kill point", "tried", "held", "lost", "orphans");
        table.forEach(System.out::println);
    }

    @Test
    void postgresqlHoldsEveryKillPoint() throws Exception {
        campaign(POSTGRESQL);
    }

    @Test
    void mariadbHoldsEveryKillPoint() throws Exception {
        campaign(MARIADB);
    }

    /** What one campaign knows: its server, its instances, and what each backup holds. */
    private final class Campaign {
        final Kind kind;
        final JtroveProcess jtrove;
        final Set<String> everCreated = ConcurrentHashMap.newKeySet();
        final Map<String, String> backupChecksums = new ConcurrentHashMap<>();
        final Map<String, String> restoredFrom = new ConcurrentHashMap<>();
        String resizeTarget;
        String configTarget;
        String backupSource;
        String group;
        String lastCompletedBackup;
        int rows;

        Campaign(Kind kind, JtroveProcess jtrove) {
            this.kind = kind;
            this.jtrove = jtrove;
        }

        ApiClient api() {
            return new ApiClient(jtrove.port(), PROJECT);
        }
    }

    private void campaign(Kind kind) throws Exception {
        Path state = TestServers.stateDir("killpoints-" + kind.type());
        int base = 150 + (int) (ProcessHandle.current().pid() % 40) + (kind == POSTGRESQL ? 0 : 50);
        JtroveProcess jtrove = new JtroveProcess(state, base, Map.of()).start();
        processes.add(jtrove);
        Campaign c = new Campaign(kind, jtrove);
        try {
            setUp(c);
            List<String> pending = new ArrayList<>();   // instances the next round deletes
            int lost = 0;
            int orphans = 0;
            for (int round = 0; round < DELAYS_MS.length; round++) {
                Round r = round(c, round, pending, DELAYS_MS[round]);
                pending = r.createdNow;
                table.add(String.format("%-28s %6d %6d %6d %8d", kind.type() + " +" + DELAYS_MS[round] + " ms",
                        r.tried, r.tried - r.lost.size(), r.lost.size(), r.orphans.size()));
                r.lost.forEach(l -> table.add("    lost: " + l));
                r.orphans.forEach(o -> table.add("    orphan: " + o));
                lost += r.lost.size();
                orphans += r.orphans.size();
            }
            assertThat(lost).as("operations lost; see the table").isZero();
            assertThat(orphans).as("orphans left; see the table").isZero();
        } finally {
            tearDown(c);
        }
    }

    private void setUp(Campaign c) throws Exception {
        ApiClient api = c.api();
        c.group = api.post("/configurations", "{\"configuration\": {\"name\": \"campaign\", \"values\": {\""
                + c.kind.groupParameter() + "\": " + c.kind.groupValueOnServer().replaceAll("[^0-9]", "") + "}, \"datastore\":"
                + " {\"type\": \"" + c.kind.type() + "\", \"version\": \"" + c.kind.version() + "\"}}}")
                .body().at("/configuration/id").asText();
        c.resizeTarget = create(c, "resize-target", null);
        c.configTarget = create(c, "config-target", null);
        c.backupSource = create(c, "backup-source", null);
        for (String id : List.of(c.resizeTarget, c.configTarget, c.backupSource)) {
            awaitFinal(c, id, Duration.ofMinutes(3));
        }
        try (Connection db = connect(c, c.backupSource)) {
            exec(db, "CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(100))");
        }
        addRows(c, 50);
        String first = backup(c);
        awaitBackup(c, first);
        c.lastCompletedBackup = first;
    }

    private record Round(int tried, List<String> lost, List<String> orphans, List<String> createdNow) {}

    /** One kill point: every operation in flight, the answers, the kill, the restart, then the checks. */
    private Round round(Campaign c, int round, List<String> toDelete, int delayMs) throws Exception {
        ApiClient api = c.api();
        addRows(c, 10);
        String expectedSourceSum = checksum(c, c.backupSource);
        String flavorBefore = flavor(api, c.resizeTarget);
        String flavorAfter = "1".equals(flavorBefore) ? "2" : "1";
        boolean attach = api.get("/instances/" + c.configTarget).body().at("/instance/configuration/id").isMissingNode();
        String restoreFrom = c.lastCompletedBackup;

        // The configuration change answers once it is applied, so it goes first; the rest answer at once, together.
        Map<String, Future<Response>> answers = new LinkedHashMap<>();
        answers.put("configuration " + (attach ? "attach" : "detach"), pool.submit(() -> api.put("/instances/"
                + c.configTarget, "{\"instance\": {\"configuration\": " + (attach ? "\"" + c.group + "\"" : "null") + "}}")));
        answers.values().iterator().next().get();
        answers.put("create", pool.submit(() -> api.post("/instances", createBody(c, "created-" + round, null))));
        answers.put("restore", pool.submit(() -> api.post("/instances", createBody(c, "restored-" + round, restoreFrom))));
        answers.put("resize", pool.submit(() -> api.post("/instances/" + c.resizeTarget + "/action",
                "{\"resize\": {\"flavorRef\": \"" + flavorAfter + "\"}}")));
        answers.put("backup", pool.submit(() -> api.post("/backups", "{\"backup\": {\"name\": \"r" + round
                + "\", \"instance\": \"" + c.backupSource + "\"}}")));
        for (String victim : toDelete) {
            answers.put("delete " + victim.substring(0, 8), pool.submit(() -> api.delete("/instances/" + victim)));
        }
        Map<String, Response> answered = new LinkedHashMap<>();
        for (Map.Entry<String, Future<Response>> e : answers.entrySet()) {
            Response r = e.getValue().get();
            assertThat(r.status()).as(e.getKey() + ": " + r.raw()).isBetween(200, 202);
            answered.put(e.getKey(), r);
        }
        Thread.sleep(delayMs);
        c.jtrove.kill();

        String created = answered.get("create").body().at("/instance/id").asText();
        String restored = answered.get("restore").body().at("/instance/id").asText();
        String backupId = answered.get("backup").body().at("/backup/id").asText();
        c.everCreated.add(created);
        c.everCreated.add(restored);
        c.restoredFrom.put(restored, restoreFrom);
        c.backupChecksums.put(backupId, expectedSourceSum);

        c.jtrove.start();
        List<String> lost = new ArrayList<>();
        // everything settles: no instance or backup is left in a passing state
        for (String id : List.of(created, restored, c.resizeTarget, c.configTarget, c.backupSource)) {
            String status = awaitFinal(c, id, SETTLE);
            if (!"ACTIVE".equals(status)) {
                lost.add(id.substring(0, 8) + " ended " + status + ": " + api.get("/instances/" + id).raw());
            }
        }
        for (String victim : toDelete) {
            if (!awaitGone(api, victim)) {
                lost.add("delete " + victim.substring(0, 8) + ": still " + api.get("/instances/" + victim).raw());
            }
        }
        String backupState = awaitBackup(c, backupId);
        if (backupState == null) {
            lost.add("backup " + backupId.substring(0, 8) + ": gone or stuck: " + api.get("/backups/" + backupId).raw());
        } else if ("COMPLETED".equals(backupState)) {
            c.lastCompletedBackup = backupId;
        }

        // the API and the real servers agree
        check(lost, "create " + created.substring(0, 8), () -> canLogIn(c, created));
        check(lost, "restore " + restored.substring(0, 8), () -> {
            String want = c.backupChecksums.get(restoreFrom);
            String got = checksum(c, restored);
            return want.equals(got) ? null : "restored rows differ from backup " + restoreFrom + ": " + got + " vs " + want;
        });
        check(lost, "resize " + c.resizeTarget.substring(0, 8), () -> {
            String shown = flavor(api, c.resizeTarget);
            String runs = query(c, c.resizeTarget, c.kind.memorySetting());
            return c.kind.byFlavor().get(shown).equals(runs) && shown.equals(flavorAfter) ? null
                    : "API shows flavor " + shown + " (asked " + flavorAfter + "), the server runs " + runs;
        });
        check(lost, "configuration " + c.configTarget.substring(0, 8), () -> {
            boolean shown = !api.get("/instances/" + c.configTarget).body().at("/instance/configuration/id").isMissingNode();
            String runs = query(c, c.configTarget, (c.kind == POSTGRESQL ? "SHOW " : "SELECT @@GLOBAL.")
                    + c.kind.groupParameter());
            boolean runsGroup = c.kind.groupValueOnServer().equals(runs);
            return shown == attach && runsGroup == shown ? null
                    : "API shows the group " + (shown ? "attached" : "detached") + " (asked "
                    + (attach ? "attach" : "detach") + "), the server runs " + c.kind.groupParameter() + " = " + runs;
        });
        check(lost, "source data " + c.backupSource.substring(0, 8), () -> {
            String now = checksum(c, c.backupSource);
            return expectedSourceSum.equals(now) ? null : "the source's rows changed: " + now;
        });
        List<String> orphans = orphans(c);
        if (!lost.isEmpty() || !orphans.isEmpty()) {
            table.add("    server log lines of the instances concerned:\n" + logLines(c, lost, orphans));
        }
        return new Round(answers.size(), lost, orphans, List.of(created, restored));
    }

    /** The server logs' lines that name an instance mentioned in {@code lost} (for the table). */
    private static String logLines(Campaign c, List<String> lost, List<String> orphans) {
        StringBuilder out = new StringBuilder();
        Set<String> ids = new TreeSet<>();
        for (String l : Stream.concat(lost.stream(), orphans.stream()).toList()) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\b[0-9a-f]{8}\\b").matcher(l);
            if (m.find()) {
                ids.add(m.group());
            }
        }
        try (Stream<Path> logs = Files.list(c.jtrove.state().getParent())) {
            for (Path log : logs.filter(p -> p.getFileName().toString().startsWith("server-")).sorted().toList()) {
                for (String line : Files.readAllLines(log)) {
                    if (ids.stream().anyMatch(line::contains) && !line.contains("heartbeat")) {
                        out.append("      ").append(log.getFileName()).append(": ").append(line).append('\n');
                    }
                }
            }
        } catch (Exception e) {
            out.append("(cannot read the logs: ").append(e).append(")");
        }
        return out.toString();
    }

    private interface Check {
        /** Null when it holds, else what is wrong. */
        String run() throws Exception;
    }

    private static void check(List<String> lost, String what, Check check) {
        try {
            String wrong = check.run();
            if (wrong != null) {
                lost.add(what + ": " + wrong);
            }
        } catch (Exception e) {
            lost.add(what + ": " + e);
        }
    }

    // ---- what must not be left behind --------------------------------------------------------------------------

    /** Server processes, OS users, instance directories and unfinished backup objects of no live instance. */
    private List<String> orphans(Campaign c) throws Exception {
        ApiClient api = c.api();
        Set<String> live = new TreeSet<>();
        for (JsonNode i : api.get("/instances").body().path("instances")) {
            live.add(i.path("id").asText());
        }
        List<String> orphans = new ArrayList<>();
        Path instances = c.jtrove.state().resolve("instances");
        try (Stream<Path> dirs = Files.exists(instances) ? Files.list(instances) : Stream.empty()) {
            dirs.map(d -> d.getFileName().toString()).filter(d -> !live.contains(d))
                    .forEach(d -> orphans.add("directory " + d));
        }
        for (String line : ProcessHandle.allProcesses().map(p -> p.info().commandLine().orElse(""))
                .filter(l -> l.contains(instances.toString())).toList()) {
            String rest = line.substring(line.indexOf(instances.toString()) + instances.toString().length() + 1);
            String id = rest.length() >= 36 ? rest.substring(0, 36) : rest;
            if (!live.contains(id)) {
                orphans.add("process " + line);
            }
        }
        for (String id : c.everCreated) {
            if (!live.contains(id) && osUserExists(OsUser.forInstance(id))) {
                orphans.add("OS user " + OsUser.forInstance(id));
            }
        }
        Path backups = c.jtrove.state().resolve("backups");
        try (Stream<Path> files = Files.exists(backups) ? Files.list(backups) : Stream.empty()) {
            files.filter(f -> f.toString().endsWith(".partial")).forEach(f -> orphans.add("unfinished backup object " + f));
        }
        return orphans;
    }

    private static boolean osUserExists(String name) throws Exception {
        return new ProcessBuilder("id", "-u", name).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor() == 0;
    }

    private void tearDown(Campaign c) throws Exception {
        ApiClient api = c.api();
        try {
            for (JsonNode i : api.get("/instances").body().path("instances")) {
                api.delete("/instances/" + i.path("id").asText());
            }
            for (JsonNode i : api.get("/instances").body().path("instances")) {
                awaitGone(api, i.path("id").asText());
            }
        } finally {
            c.jtrove.stop();
        }
        for (String id : c.everCreated) {
            assertThat(osUserExists(OsUser.forInstance(id))).as("OS user of " + id).isFalse();
        }
    }

    // ---- API helpers -------------------------------------------------------------------------------------------

    private String createBody(Campaign c, String name, String backupId) {
        return "{\"instance\": {\"name\": \"" + name + "\", \"flavorRef\": \"1\", \"volume\": {\"size\": 1},"
                + " \"datastore\": {\"type\": \"" + c.kind.type() + "\", \"version\": \"" + c.kind.version() + "\"},"
                + (backupId == null ? "" : " \"restorePoint\": {\"backupRef\": \"" + backupId + "\"},")
                + " \"databases\": [{\"name\": \"app\"}], \"users\": [{\"name\": \"" + USER + "\", \"password\": \""
                + PASSWORD + "\", \"databases\": [{\"name\": \"app\"}]}]}}";
    }

    private String create(Campaign c, String name, String backupId) {
        Response r = c.api().post("/instances", createBody(c, name, backupId));
        assertThat(r.status()).as(r.raw()).isEqualTo(200);
        String id = r.body().at("/instance/id").asText();
        c.everCreated.add(id);
        return id;
    }

    private String backup(Campaign c) {
        Response r = c.api().post("/backups", "{\"backup\": {\"name\": \"b\", \"instance\": \"" + c.backupSource + "\"}}");
        assertThat(r.status()).as(r.raw()).isEqualTo(202);
        String id = r.body().at("/backup/id").asText();
        c.backupChecksums.put(id, uncheckedChecksum(c));
        return id;
    }

    private String uncheckedChecksum(Campaign c) {
        try {
            return checksum(c, c.backupSource);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Waits until the instance's status stops passing; returns it (ACTIVE, ERROR, ...), or "STUCK <status>". */
    private String awaitFinal(Campaign c, String id, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        String status = "?";
        while (System.nanoTime() < deadline) {
            Response r = c.api().get("/instances/" + id);
            if (r.status() == 404) {
                return "DELETED";
            }
            status = r.body().at("/instance/status").asText();
            if (Set.of("ACTIVE", "ERROR", "RESTART_REQUIRED", "SHUTDOWN", "FAILED").contains(status)) {
                return status;
            }
            Thread.sleep(100);
        }
        return "STUCK " + status;
    }

    private boolean awaitGone(ApiClient api, String id) throws InterruptedException {
        long deadline = System.nanoTime() + SETTLE.toNanos();
        while (System.nanoTime() < deadline) {
            if (api.get("/instances/" + id).status() == 404) {
                return true;
            }
            Thread.sleep(100);
        }
        return false;
    }

    /** COMPLETED or FAILED once the backup settled; null if it is gone or never settles. */
    private String awaitBackup(Campaign c, String id) throws InterruptedException {
        long deadline = System.nanoTime() + SETTLE.toNanos();
        while (System.nanoTime() < deadline) {
            Response r = c.api().get("/backups/" + id);
            if (r.status() == 404) {
                return null;
            }
            String s = r.body().at("/backup/status").asText();
            if ("COMPLETED".equals(s) || "FAILED".equals(s)) {
                return s;
            }
            Thread.sleep(100);
        }
        return null;
    }

    private static String flavor(ApiClient api, String id) {
        return api.get("/instances/" + id).body().at("/instance/flavor/id").asText();
    }

    // ---- database helpers --------------------------------------------------------------------------------------

    private String ip(Campaign c, String id) {
        return c.api().get("/instances/" + id).body().at("/instance/ip/0").asText();
    }

    private Connection connect(Campaign c, String id) throws SQLException {
        return DriverManager.getConnection(c.kind.url(ip(c, id), "app"), USER, PASSWORD);
    }

    private String canLogIn(Campaign c, String id) throws SQLException {
        try (Connection db = connect(c, id)) {
            return db.isValid(5) ? null : "cannot use the created user";
        }
    }

    private String query(Campaign c, String id, String sql) throws SQLException {
        try (Connection db = connect(c, id); Statement s = db.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    private void addRows(Campaign c, int n) throws SQLException {
        try (Connection db = connect(c, c.backupSource); Statement s = db.createStatement()) {
            for (int i = 0; i < n; i++) {
                c.rows++;
                s.executeUpdate("INSERT INTO t VALUES (" + c.rows + ", 'row " + c.rows + "')");
            }
        }
    }

    private String checksum(Campaign c, String id) throws SQLException {
        return query(c, id, c.kind == POSTGRESQL
                ? "SELECT count(*) || ':' || md5(string_agg(id || '=' || v, ',' ORDER BY id)) FROM t"
                : "SELECT CONCAT(COUNT(*), ':', MD5(GROUP_CONCAT(CONCAT(id, '=', v) ORDER BY id SEPARATOR ','))) FROM t");
    }

    private static void exec(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}
