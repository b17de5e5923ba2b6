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
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.jtrove.guestagent.host.OsUser;
import org.jtrove.model.guest.ArchiveReport;
import org.jtrove.server.ApiClient.Response;

/**
 * The operations of a fault campaign, all in flight at one fault: a create, a restore, a flavor resize, a backup, a
 * configuration attach or detach and the deletes of the previous round's instances. {@link #round} starts them,
 * waits for their answers, injects the fault, waits until everything settles, then checks that the API and the real
 * servers agree on every operation:
 * <ul>
 * <li>an answered create or restore exists and is ACTIVE, reachable with the user it was created with; a restore
 * holds exactly the rows of its backup (checksum);</li>
 * <li>an answered delete ends deleted: no server process, OS user or directory left;</li>
 * <li>the flavor the API shows is the one whose memory settings the server runs;</li>
 * <li>the configuration group the API shows is the one whose values the server runs;</li>
 * <li>an answered backup ends COMPLETED or FAILED, and no unfinished object is left in storage;</li>
 * <li>nothing is stuck (every instance and backup reaches a final state) and the source data is unchanged;</li>
 * <li>no task ended twice and no guest operation completed twice (read from the services' logs).</li>
 * </ul>
 */
final class InFlightOperations implements AutoCloseable {
    static final Duration SETTLE = Duration.ofSeconds(150);
    private static final String USER = "campaign";
    private static final String PASSWORD = "Campaign-pw-1";
    private static final String PROJECT = "campaign";
    private static final Pattern TASK_DONE = Pattern.compile("task (\\S+) \\(.*\\) done, ");
    private static final Pattern OPERATION_DONE = Pattern.compile("operation (\\S+) completed");

    /** One datastore's fixed facts: what the checks read from its servers. */
    record Kind(String type, String version, String memorySetting, Map<String, String> byFlavor,
                String groupParameter, String groupValueOnServer) {
        String url(String ip, String db) {
            return type.equals("postgresql") ? "jdbc:postgresql://" + ip + ":5432/" + db
                    : "jdbc:mariadb://" + ip + ":3306/" + db;
        }

        boolean postgresql() {
            return type.equals("postgresql");
        }
    }

    // Memory settings jtrove derives from the flavors' RAM (512 and 1024 MB); group values chosen to differ.
    static final Kind POSTGRESQL = new Kind("postgresql", "15", "SHOW shared_buffers",
            Map.of("1", "128MB", "2", "256MB"), "work_mem", "12345kB");
    static final Kind MARIADB = new Kind("mariadb", "10.11", "SELECT @@GLOBAL.innodb_buffer_pool_size",
            Map.of("1", Long.toString(256L << 20), "2", Long.toString(512L << 20)), "wait_timeout", "1234");

    /** Where the campaign's jtrove keeps things, and what else it must not leave behind. */
    interface Deployment {
        /** A client of an API that answers now. */
        ApiClient api(String project);

        /** The directories holding instance directories (one per guest-agent host). */
        List<Path> instanceDirectories();

        Path backupDirectory();

        /** Every log the services wrote so far. */
        List<Path> logs() throws Exception;

        /** Leftovers beyond servers, users, directories and backup objects (say, broker users) of no live instance. */
        List<String> leftovers(Set<String> live) throws Exception;
    }

    /** A fault: injected once the operations are answered; {@link #recover} runs after the checks. */
    interface Fault {
        void inject() throws Exception;

        default void recover() throws Exception {}
    }

    /** One round's outcome; {@code details} holds the log lines of what went wrong (empty when all recovered). */
    record Round(int tried, List<String> stuck, List<String> lost, List<String> orphans, String details) {
        /** Operations that ended as asked: neither stuck in a passing state nor lost. */
        int recovered() {
            return Math.max(0, tried - stuck.size() - lost.size());
        }
    }

    private final Kind kind;
    private final Deployment deployment;
    private final ExecutorService pool = Executors.newFixedThreadPool(8);
    private final Set<String> everCreated = ConcurrentHashMap.newKeySet();
    private final Map<String, String> backupChecksums = new ConcurrentHashMap<>();
    private List<String> pendingDeletes = new ArrayList<>();
    private String resizeTarget;
    private String configTarget;
    private String backupSource;
    private String group;
    private String lastCompletedBackup;
    private int rows;
    private int rounds;

    InFlightOperations(Kind kind, Deployment deployment) {
        this.kind = kind;
        this.deployment = deployment;
    }

    Kind kind() {
        return kind;
    }

    private ApiClient api() {
        return deployment.api(PROJECT);
    }

    /** A configuration group, the three long-lived instances and a first completed backup of the source. */
    void setUp() throws Exception {
        ApiClient api = api();
        group = api.post("/configurations", "{\"configuration\": {\"name\": \"campaign\", \"values\": {\""
                + kind.groupParameter() + "\": " + kind.groupValueOnServer().replaceAll("[^0-9]", "") + "}, \"datastore\":"
                + " {\"type\": \"" + kind.type() + "\", \"version\": \"" + kind.version() + "\"}}}")
                .body().at("/configuration/id").asText();
        resizeTarget = create("resize-target");
        configTarget = create("config-target");
        backupSource = create("backup-source");
        for (String id : List.of(resizeTarget, configTarget, backupSource)) {
            String status = awaitFinal(id, Duration.ofMinutes(3));
            assertThat(status).as(api.get("/instances/" + id).raw()).isEqualTo("ACTIVE");
        }
        try (Connection db = connect(backupSource); Statement s = db.createStatement()) {
            s.execute("CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(100))");
        }
        addRows(50);
        String first = backup();
        assertThat(awaitBackup(first)).isEqualTo("COMPLETED");
        lastCompletedBackup = first;
    }

    /** One fault: every operation in flight, their answers, the fault, the settling, then the checks. */
    Round round(Fault fault) throws Exception {
        int round = rounds++;
        ApiClient api = api();
        addRows(10);
        String expectedSourceSum = checksum(backupSource);
        String flavorBefore = flavor(api, resizeTarget);
        String flavorAfter = "1".equals(flavorBefore) ? "2" : "1";
        boolean attach = api.get("/instances/" + configTarget).body().at("/instance/configuration/id").isMissingNode();
        String restoreFrom = lastCompletedBackup;
        List<String> toDelete = pendingDeletes;

        // The configuration change answers once it is applied, so it goes first; the rest answer at once, together.
        Map<String, Future<Response>> answers = new LinkedHashMap<>();
        answers.put("configuration " + (attach ? "attach" : "detach"), pool.submit(() -> api.put("/instances/"
                + configTarget, "{\"instance\": {\"configuration\": " + (attach ? "\"" + group + "\"" : "null") + "}}")));
        answers.values().iterator().next().get();
        answers.put("create", pool.submit(() -> api.post("/instances", createBody("created-" + round, null))));
        answers.put("restore", pool.submit(() -> api.post("/instances", createBody("restored-" + round, restoreFrom))));
        answers.put("resize", pool.submit(() -> api.post("/instances/" + resizeTarget + "/action",
                "{\"resize\": {\"flavorRef\": \"" + flavorAfter + "\"}}")));
        answers.put("backup", pool.submit(() -> api.post("/backups", "{\"backup\": {\"name\": \"r" + round
                + "\", \"instance\": \"" + backupSource + "\"}}")));
        for (String victim : toDelete) {
            answers.put("delete " + victim.substring(0, 8), pool.submit(() -> api.delete("/instances/" + victim)));
        }
        Map<String, Response> answered = new LinkedHashMap<>();
        for (Map.Entry<String, Future<Response>> e : answers.entrySet()) {
            Response r = e.getValue().get();
            assertThat(r.status()).as(e.getKey() + ": " + r.raw()).isBetween(200, 202);
            answered.put(e.getKey(), r);
        }
        fault.inject();

        String created = answered.get("create").body().at("/instance/id").asText();
        String restored = answered.get("restore").body().at("/instance/id").asText();
        String backupId = answered.get("backup").body().at("/backup/id").asText();
        everCreated.add(created);
        everCreated.add(restored);
        backupChecksums.put(backupId, expectedSourceSum);
        pendingDeletes = List.of(created, restored);

        List<String> stuck = new ArrayList<>();
        List<String> lost = new ArrayList<>();
        // everything settles: no instance or backup is left in a passing state
        for (String id : List.of(created, restored, resizeTarget, configTarget, backupSource)) {
            String status = awaitFinal(id, SETTLE);
            if (!"ACTIVE".equals(status)) {
                (status.startsWith("STUCK") ? stuck : lost).add(id.substring(0, 8) + " ended " + status + ": "
                        + api().get("/instances/" + id).raw());
            }
        }
        for (String victim : toDelete) {
            if (!awaitGone(victim)) {
                stuck.add("delete " + victim.substring(0, 8) + ": still " + api().get("/instances/" + victim).raw());
            }
        }
        String backupState = awaitBackup(backupId);
        if (backupState == null) {
            stuck.add("backup " + backupId.substring(0, 8) + ": gone or stuck: " + api().get("/backups/" + backupId).raw());
        } else if ("COMPLETED".equals(backupState)) {
            lastCompletedBackup = backupId;
        }

        // the API and the real servers agree
        check(lost, "create " + created.substring(0, 8), () -> canLogIn(created));
        check(lost, "restore " + restored.substring(0, 8), () -> {
            String want = backupChecksums.get(restoreFrom);
            String got = checksum(restored);
            return want.equals(got) ? null : "restored rows differ from backup " + restoreFrom + ": " + got + " vs " + want;
        });
        check(lost, "resize " + resizeTarget.substring(0, 8), () -> {
            String shown = flavor(api(), resizeTarget);
            String runs = query(resizeTarget, kind.memorySetting());
            return kind.byFlavor().get(shown).equals(runs) && shown.equals(flavorAfter) ? null
                    : "API shows flavor " + shown + " (asked " + flavorAfter + "), the server runs " + runs;
        });
        check(lost, "configuration " + configTarget.substring(0, 8), () -> {
            boolean shown = !api().get("/instances/" + configTarget).body().at("/instance/configuration/id").isMissingNode();
            String runs = query(configTarget, (kind.postgresql() ? "SHOW " : "SELECT @@GLOBAL.") + kind.groupParameter());
            boolean runsGroup = kind.groupValueOnServer().equals(runs);
            return shown == attach && runsGroup == shown ? null
                    : "API shows the group " + (shown ? "attached" : "detached") + " (asked "
                    + (attach ? "attach" : "detach") + "), the server runs " + kind.groupParameter() + " = " + runs;
        });
        check(lost, "source data " + backupSource.substring(0, 8), () -> {
            String now = checksum(backupSource);
            return expectedSourceSum.equals(now) ? null : "the source's rows changed: " + now;
        });
        lost.addAll(doneTwice(deployment.logs()));
        List<String> orphans = orphans();
        fault.recover();
        List<String> wrong = new ArrayList<>(stuck);
        wrong.addAll(lost);
        String details = wrong.isEmpty() && orphans.isEmpty() ? "" : logLines(wrong, orphans);
        return new Round(answers.size(), stuck, lost, orphans, details);
    }

    /** Tasks that ended twice and guest operations that completed twice, from the services' logs. */
    static List<String> doneTwice(List<Path> logs) throws Exception {
        Map<String, Integer> counts = new HashMap<>();
        for (Path log : logs) {
            for (String line : Files.readAllLines(log)) {
                for (Pattern p : List.of(TASK_DONE, OPERATION_DONE)) {
                    Matcher m = p.matcher(line);
                    if (m.find()) {
                        counts.merge((p == TASK_DONE ? "task " : "guest operation ") + m.group(1), 1, Integer::sum);
                    }
                }
            }
        }
        List<String> twice = new ArrayList<>();
        counts.forEach((what, n) -> {
            if (n > 1) {
                twice.add(what + " ran to its end " + n + " times");
            }
        });
        return twice;
    }

    /** The logs' lines that name an instance mentioned in {@code lost} or {@code orphans}. */
    private String logLines(List<String> lost, List<String> orphans) {
        StringBuilder out = new StringBuilder();
        Set<String> ids = new TreeSet<>();
        for (String l : Stream.concat(lost.stream(), orphans.stream()).toList()) {
            Matcher m = Pattern.compile("\\b[0-9a-f]{8}\\b").matcher(l);
            if (m.find()) {
                ids.add(m.group());
            }
        }
        try {
            for (Path log : deployment.logs()) {
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
    private List<String> orphans() throws Exception {
        Set<String> live = new TreeSet<>();
        for (JsonNode i : api().get("/instances").body().path("instances")) {
            live.add(i.path("id").asText());
        }
        List<String> orphans = new ArrayList<>();
        for (Path instances : deployment.instanceDirectories()) {
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
        }
        for (String id : everCreated) {
            if (!live.contains(id) && osUserExists(OsUser.forInstance(id))) {
                orphans.add("OS user " + OsUser.forInstance(id));
            }
        }
        Path backups = deployment.backupDirectory();
        try (Stream<Path> files = Files.exists(backups) ? Files.list(backups) : Stream.empty()) {
            files.filter(f -> f.toString().endsWith(".partial")).filter(f -> !archivingOfLive(f, live))
                    .forEach(f -> orphans.add("unfinished backup object " + f));
        }
        orphans.addAll(deployment.leftovers(live));
        return orphans;
    }

    /** A live instance's agent may be storing a log file right now, and writes it again if it was cut off. */
    private static boolean archivingOfLive(Path partial, Set<String> live) {
        String instance = ArchiveReport.instanceOf(partial.getFileName().toString());
        return instance != null && live.contains(instance);
    }

    private static boolean osUserExists(String name) throws Exception {
        return new ProcessBuilder("id", "-u", name).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor() == 0;
    }

    /** Deletes every instance of the campaign and waits until they are gone; their OS users must be gone too. */
    @Override
    public void close() throws Exception {
        pool.shutdownNow();
        ApiClient api = api();
        for (JsonNode i : api.get("/instances").body().path("instances")) {
            api.delete("/instances/" + i.path("id").asText());
        }
        for (JsonNode i : api.get("/instances").body().path("instances")) {
            awaitGone(i.path("id").asText());
        }
        for (String id : everCreated) {
            assertThat(osUserExists(OsUser.forInstance(id))).as("OS user of " + id).isFalse();
        }
    }

    // ---- API helpers -------------------------------------------------------------------------------------------

    private String createBody(String name, String backupId) {
        return "{\"instance\": {\"name\": \"" + name + "\", \"flavorRef\": \"1\", \"volume\": {\"size\": 1},"
                + " \"datastore\": {\"type\": \"" + kind.type() + "\", \"version\": \"" + kind.version() + "\"},"
                + (backupId == null ? "" : " \"restorePoint\": {\"backupRef\": \"" + backupId + "\"},")
                + " \"databases\": [{\"name\": \"app\"}], \"users\": [{\"name\": \"" + USER + "\", \"password\": \""
                + PASSWORD + "\", \"databases\": [{\"name\": \"app\"}]}]}}";
    }

    private String create(String name) {
        Response r = api().post("/instances", createBody(name, null));
        assertThat(r.status()).as(r.raw()).isEqualTo(200);
        String id = r.body().at("/instance/id").asText();
        everCreated.add(id);
        return id;
    }

    private String backup() throws SQLException {
        Response r = api().post("/backups", "{\"backup\": {\"name\": \"b\", \"instance\": \"" + backupSource + "\"}}");
        assertThat(r.status()).as(r.raw()).isEqualTo(202);
        String id = r.body().at("/backup/id").asText();
        backupChecksums.put(id, checksum(backupSource));
        return id;
    }

    /** Waits until the instance's status stops passing; returns it (ACTIVE, ERROR, ...), or "STUCK <status>". */
    private String awaitFinal(String id, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        String status = "?";
        while (System.nanoTime() < deadline) {
            Response r = api().get("/instances/" + id);
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

    private boolean awaitGone(String id) throws InterruptedException {
        long deadline = System.nanoTime() + SETTLE.toNanos();
        while (System.nanoTime() < deadline) {
            if (api().get("/instances/" + id).status() == 404) {
                return true;
            }
            Thread.sleep(100);
        }
        return false;
    }

    /** COMPLETED or FAILED once the backup settled; null if it is gone or never settles. */
    private String awaitBackup(String id) throws InterruptedException {
        long deadline = System.nanoTime() + SETTLE.toNanos();
        while (System.nanoTime() < deadline) {
            Response r = api().get("/backups/" + id);
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

    private Connection connect(String id) throws SQLException {
        String ip = api().get("/instances/" + id).body().at("/instance/ip/0").asText();
        return DriverManager.getConnection(kind.url(ip, "app"), USER, PASSWORD);
    }

    private String canLogIn(String id) throws SQLException {
        try (Connection db = connect(id)) {
            return db.isValid(5) ? null : "cannot use the created user";
        }
    }

    private String query(String id, String sql) throws SQLException {
        try (Connection db = connect(id); Statement s = db.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    private void addRows(int n) throws SQLException {
        try (Connection db = connect(backupSource); Statement s = db.createStatement()) {
            for (int i = 0; i < n; i++) {
                rows++;
                s.executeUpdate("INSERT INTO t VALUES (" + rows + ", 'row " + rows + "')");
            }
        }
    }

    private String checksum(String id) throws SQLException {
        return query(id, kind.postgresql()
                ? "SELECT count(*) || ':' || md5(string_agg(id || '=' || v, ',' ORDER BY id)) FROM t"
                : "SELECT CONCAT(COUNT(*), ':', MD5(GROUP_CONCAT(CONCAT(id, '=', v) ORDER BY id SEPARATOR ','))) FROM t");
    }
}
