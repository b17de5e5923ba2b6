package org.jtrove.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import org.jtrove.guestagent.host.OsUser;
import org.jtrove.model.InstanceTask;
import org.jtrove.server.ApiClient.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Issue 8 §1 with the built-in identity and real tokens: an admin acts on a member's PostgreSQL instance through
 * the admin's own project path (show, databases, users, root, configuration attach, backups, restart, reset_status,
 * delete) and through Trove's management routes (list, show, stop, reboot, reset-task-status); a member of another
 * project still gets 404, and 401 on the management routes.
 */
@Tag("e2e")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AdminReachE2ETest {
    private static final String ADMIN_PASSWORD = "Admin-pw-reach-1";
    private Path state;
    private AllInOne server;
    private ApiClient admin;
    private ApiClient member;
    private ApiClient outsider;
    private String adminProject;
    private String memberProject;
    private String id;
    private String ip;

    @BeforeAll
    void start() throws Exception {
        state = TestServers.stateDir("admin-reach");
        server = new AllInOne(TestServers.config(state).with("auth", "builtin").with("admin_password", ADMIN_PASSWORD));
        Tokens.createMember(server, "mia", "mia-password-1", "team-m");
        Tokens.createMember(server, "otto", "otto-password-1", "team-o");
        Tokens.Token adminToken = Tokens.issue(server.port(), "admin", ADMIN_PASSWORD, "admin");
        adminProject = adminToken.projectId();
        admin = new ApiClient(server.port(), adminProject, adminToken.token());
        Tokens.Token memberToken = Tokens.issue(server.port(), "mia", "mia-password-1", "team-m");
        memberProject = memberToken.projectId();
        member = new ApiClient(server.port(), memberProject, memberToken.token());
        outsider = Tokens.client(server.port(), "otto", "otto-password-1", "team-o");

        Response created = member.post("/instances", """
                {"instance": {"name": "mias-db", "flavorRef": "1", "volume": {"size": 1},
                  "datastore": {"type": "postgresql", "version": "15"},
                  "databases": [{"name": "app"}], "users": [{"name": "u1", "password": "u1-pw-reach", "databases": [{"name": "app"}]}]}}""");
        assertThat(created.status()).as(created.raw()).isEqualTo(200);
        id = created.body().at("/instance/id").asText();
        ip = awaitStatus(member, "ACTIVE", Duration.ofSeconds(90)).at("/ip/0").asText();
    }

    @AfterAll
    void stop() {
        if (server == null) {
            return;
        }
        if (admin.get("/instances/" + id).status() == 200) {
            admin.post("/mgmt/instances/" + id + "/action", "{\"reset-task-status\": {}}");
            admin.delete("/instances/" + id);
            await().atMost(Duration.ofSeconds(60)).until(() -> admin.get("/instances/" + id).status() == 404);
        }
        server.close();
    }

    @Test
    @Order(1)
    void othersStillGet404AndMembersGet401OnManagementRoutes() {
        String inst = "/instances/" + id;
        for (String[] call : List.of(new String[] {"GET", inst}, new String[] {"PUT", inst}, new String[] {"DELETE", inst},
                new String[] {"POST", inst + "/action"}, new String[] {"GET", inst + "/databases"},
                new String[] {"POST", inst + "/databases"}, new String[] {"GET", inst + "/users"},
                new String[] {"GET", inst + "/root"}, new String[] {"POST", inst + "/root"},
                new String[] {"GET", inst + "/backups"}, new String[] {"GET", inst + "/configuration"})) {
            Response r = outsider.send(call[0], call[1], call[0].equals("PUT") ? "{\"instance\": {\"name\": \"stolen\"}}"
                    : call[1].endsWith("action") ? "{\"restart\": {}}"
                    : call[1].endsWith("databases") && call[0].equals("POST") ? "{\"databases\": [{\"name\": \"x\"}]}" : null);
            assertThat(r.status()).as(call[0] + " " + call[1]).isEqualTo(404);
        }
        assertThat(outsider.post("/backups", "{\"backup\": {\"name\": \"b\", \"instance\": \"" + id + "\"}}").status())
                .isEqualTo(404);
        for (ApiClient notAdmin : List.of(outsider, member)) {
            for (String[] call : List.of(new String[] {"GET", "/mgmt/instances"}, new String[] {"GET", "/mgmt/instances/" + id},
                    new String[] {"POST", "/mgmt/instances/" + id + "/action"})) {
                Response r = notAdmin.send(call[0], call[1], call[0].equals("POST") ? "{\"stop\": {}}" : null);
                assertThat(r.status()).as(call[0] + " " + call[1]).isEqualTo(401);
                assertThat(r.body().at("/unauthorized/message").asText()).isEqualTo("User does not have admin privileges.");
            }
        }
        assertThat(member.get(inst).body().at("/instance/status").asText()).as("nothing was changed").isEqualTo("ACTIVE");
        assertThat(member.get(inst).body().at("/instance/tenant_id").isMissingNode()).as("tenant_id is for admins").isTrue();
    }

    @Test
    @Order(2)
    void adminShowsTheInstanceAndWorksOnItsDatabasesUsersAndRoot() throws Exception {
        String inst = "/instances/" + id;
        JsonNode shown = admin.get(inst).body().path("instance");
        assertThat(shown.path("name").asText()).isEqualTo("mias-db");
        assertThat(shown.path("tenant_id").asText()).isEqualTo(memberProject);
        assertThat(ids(admin.get("/instances").body().path("instances")))
                .as("an admin's own list stays its project's, as in Trove").doesNotContain(id);

        assertThat(admin.post(inst + "/databases", "{\"databases\": [{\"name\": \"admin_made\"}]}").status()).isEqualTo(202);
        assertThat(member.get(inst + "/databases").body().path("databases").findValuesAsText("name"))
                .contains("app", "admin_made");
        assertThat(admin.post(inst + "/users", "{\"users\": [{\"name\": \"helper\", \"password\": \"helper-pw-1\","
                + " \"databases\": [{\"name\": \"admin_made\"}]}]}").status()).isEqualTo(202);
        try (Connection c = connect("admin_made", "helper", "helper-pw-1")) {
            assertThat(query(c, "SELECT current_database()")).isEqualTo("admin_made");
        }
        assertThat(admin.delete(inst + "/users/helper").status()).isEqualTo(202);
        assertThatThrownBy(() -> connect("admin_made", "helper", "helper-pw-1").close()).isInstanceOf(SQLException.class);
        assertThat(admin.delete(inst + "/databases/admin_made").status()).isEqualTo(202);
        assertThat(member.get(inst + "/databases").body().path("databases").findValuesAsText("name"))
                .doesNotContain("admin_made");

        Response root = admin.post(inst + "/root", "");
        assertThat(root.status()).as(root.raw()).isEqualTo(200);
        String rootName = root.body().at("/user/name").asText();
        String rootPassword = root.body().at("/user/password").asText();
        try (Connection c = connect("postgres", rootName, rootPassword)) {
            assertThat(query(c, "SELECT rolsuper::text FROM pg_roles WHERE rolname = current_user")).isEqualTo("true");
        }
        assertThat(member.get(inst + "/root").body().path("rootEnabled").asBoolean()).isTrue();
        assertThat(admin.delete(inst + "/root").status()).isEqualTo(204);
        assertThatThrownBy(() -> connect("postgres", rootName, rootPassword).close()).isInstanceOf(SQLException.class);
    }

    @Test
    @Order(3)
    void adminAttachesTheMembersGroupOrItsOwn() throws Exception {
        String group = """
                {"configuration": {"name": "%s", "values": {"work_mem": %d},
                  "datastore": {"type": "postgresql", "version": "15"}}}""";
        Response mine = member.post("/configurations", group.formatted("mias", 12288));
        assertThat(mine.status()).as(mine.raw()).isEqualTo(200);
        Response admins = admin.post("/configurations", group.formatted("admins", 20480));
        assertThat(admins.status()).as(admins.raw()).isEqualTo(200);
        String inst = "/instances/" + id;

        assertThat(admin.put(inst, attach(mine.body().at("/configuration/id").asText())).status()).isEqualTo(202);
        try (Connection c = connect("app", "u1", "u1-pw-reach")) {
            assertThat(query(c, "SHOW work_mem")).isEqualTo("12MB");
        }
        assertThat(admin.put(inst, "{\"instance\": {\"configuration\": null}}").status()).isEqualTo(202);
        assertThat(member.put(inst, attach(admins.body().at("/configuration/id").asText())).status())
                .as("a member cannot use the admin's group").isEqualTo(404);
        assertThat(admin.put(inst, attach(admins.body().at("/configuration/id").asText())).status()).isEqualTo(202);
        try (Connection c = connect("app", "u1", "u1-pw-reach")) {
            assertThat(query(c, "SHOW work_mem")).isEqualTo("20MB");
        }
        assertThat(member.get(inst).body().at("/instance/configuration/id").asText())
                .isEqualTo(admins.body().at("/configuration/id").asText());
        assertThat(admin.put(inst, "{\"instance\": {\"configuration\": null}}").status()).isEqualTo(202);
        try (Connection c = connect("app", "u1", "u1-pw-reach")) {
            assertThat(query(c, "SHOW work_mem")).isEqualTo("2MB");
        }
    }

    @Test
    @Order(4)
    void aBackupTakenByAnAdminBelongsToTheAdminsProject() {
        Response created = admin.post("/backups", "{\"backup\": {\"name\": \"by-admin\", \"instance\": \"" + id + "\"}}");
        assertThat(created.status()).as(created.raw()).isEqualTo(202);
        assertThat(created.body().at("/backup/project_id").asText()).isEqualTo(adminProject);
        String backup = created.body().at("/backup/id").asText();
        await().atMost(Duration.ofSeconds(120)).until(() ->
                "COMPLETED".equals(admin.get("/backups/" + backup).body().at("/backup/status").asText()));

        assertThat(ids(admin.get("/backups").body().path("backups"))).contains(backup);
        assertThat(ids(admin.get("/instances/" + id + "/backups").body().path("backups"))).contains(backup);
        assertThat(member.get("/backups/" + backup).status()).isEqualTo(404);
        assertThat(ids(member.get("/backups").body().path("backups"))).doesNotContain(backup);
        assertThat(ids(member.get("/instances/" + id + "/backups").body().path("backups")))
                .doesNotContain(backup);
        JsonNode quotas = admin.get("/mgmt/quotas/" + adminProject).body().path("quotas");
        assertThat(quotas).as("counted in the admin's quota").anyMatch(q ->
                q.path("resource").asText().equals("backups") && q.path("in_use").asInt() == 1);

        assertThat(admin.delete("/backups/" + backup).status()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(30)).until(() -> admin.get("/backups/" + backup).status() == 404);
    }

    @Test
    @Order(5)
    void adminRestartsAndResetsTheStatus() throws Exception {
        String inst = "/instances/" + id;
        String started = startTime();
        assertThat(admin.post(inst + "/action", "{\"restart\": {}}").status()).isEqualTo(202);
        awaitStatus(admin, "ACTIVE", Duration.ofSeconds(90));
        assertThat(startTime()).as("the server was restarted").isNotEqualTo(started);

        assertThat(member.post(inst + "/action", "{\"reset_status\": {}}").status()).as("admins only").isEqualTo(403);
        server.store().instances.setTask(id, InstanceTask.RESIZING);   // a task that is stuck
        assertThat(admin.get(inst).body().at("/instance/status").asText()).isEqualTo("RESIZE");
        assertThat(admin.post(inst + "/action", "{\"reset_status\": {}}").status()).isEqualTo(202);
        awaitStatus(member, "ACTIVE", Duration.ofSeconds(30));
    }

    @Test
    @Order(6)
    void managementRoutesListShowStopRebootAndResetTaskStatus() throws Exception {
        JsonNode all = admin.get("/mgmt/instances?deleted=False&include_clustered=False").body().path("instances");
        JsonNode listed = only(all, id);
        assertThat(listed.path("tenant_id").asText()).isEqualTo(memberProject);
        assertThat(listed.path("deleted").asBoolean()).isFalse();
        assertThat(listed.path("status").asText()).isEqualTo("ACTIVE");
        assertThat(listed.path("service_status").asText()).isEqualTo("HEALTHY");
        assertThat(listed.path("task_description").asText()).isEqualTo("No tasks for the instance.");
        assertThat(listed.at("/server/tenant_id").asText()).isEqualTo(memberProject);
        assertThat(ids(admin.get("/mgmt/instances?project_id=" + memberProject).body().path("instances"))).containsExactly(id);
        assertThat(admin.get("/mgmt/instances?project_id=" + adminProject).body().path("instances")).isEmpty();
        assertThat(ids(admin.get("/mgmt/instances?deleted=true").body().path("instances")))
                .doesNotContain(id);

        JsonNode shown = admin.get("/mgmt/instances/" + id).body().path("instance");
        assertThat(shown.at("/guest_status/state_description").asText()).isEqualTo("healthy");
        assertThat(shown.at("/server/addresses/loopback/0/addr").asText()).isEqualTo(ip);
        assertThat(shown.at("/volume/used").isNumber()).isTrue();
        assertThat(admin.get("/mgmt/instances/no-such-instance").status()).isEqualTo(404);

        String action = "/mgmt/instances/" + id + "/action";
        assertThat(admin.post(action, "{\"stop\": {}, \"reboot\": {}}").status()).isEqualTo(400);
        assertThat(admin.post(action, "{\"explode\": {}}").status()).isEqualTo(400);
        assertThat(admin.post(action, "{\"stop\": 1}").status()).isEqualTo(400);
        assertThat(admin.post(action, "{\"migrate\": {}}").status()).isEqualTo(501);

        long pid = serverPid();
        assertThat(admin.post(action, "{\"stop\": {}}").status()).isEqualTo(202);
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).as("server stopped").isFalse();
        assertThatThrownBy(() -> connect("app", "u1", "u1-pw-reach").close()).isInstanceOf(SQLException.class);
        awaitStatus(member, "SHUTDOWN", Duration.ofSeconds(10));
        assertThat(admin.get("/mgmt/instances/" + id).body().at("/instance/service_status").asText()).isEqualTo("SHUTDOWN");
        Thread.sleep(3000);   // more heartbeats: nothing starts it again by itself
        assertThat(member.get("/instances/" + id).body().at("/instance/status").asText()).isEqualTo("SHUTDOWN");

        assertThat(admin.post(action, "{\"reboot\": {}}").status()).isEqualTo(202);
        awaitStatus(member, "ACTIVE", Duration.ofSeconds(90));
        assertThat(serverPid()).isNotEqualTo(pid);
        try (Connection c = connect("app", "u1", "u1-pw-reach")) {
            assertThat(query(c, "SELECT current_user")).isEqualTo("u1");
        }

        server.store().instances.setTask(id, InstanceTask.REBOOTING);   // a reboot that is stuck
        assertThat(admin.get("/mgmt/instances/" + id).body().at("/instance/task_description").asText())
                .isEqualTo("Rebooting the instance.");
        assertThat(admin.post(action, "{\"reset-task-status\": {}}").status()).isEqualTo(202);
        awaitStatus(member, "ACTIVE", Duration.ofSeconds(10));
    }

    @Test
    @Order(7)
    void adminDeletesTheMembersInstance() {
        long pid = serverPid();
        Path dir = state.resolve("instances").resolve(id);
        assertThat(dir).exists();
        assertThat(admin.delete("/instances/" + id).status()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(60)).until(() -> member.get("/instances/" + id).status() == 404);

        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).as("server stopped").isFalse();
        assertThat(dir).as("instance directory").doesNotExist();
        if ("root".equals(System.getProperty("user.name"))) {
            assertThat(exitCode("id", "-u", OsUser.forInstance(id))).as("OS user removed").isNotZero();
        }
        assertThat(member.get("/instances").body().path("instances")).isEmpty();
        JsonNode deleted = only(admin.get("/mgmt/instances?deleted=true").body().path("instances"), id);
        assertThat(deleted.path("deleted").asBoolean()).isTrue();
        assertThat(deleted.path("deleted_at").asText()).isNotEmpty();
        assertThat(deleted.path("status").asText()).isEqualTo("SHUTDOWN");
        assertThat(admin.get("/mgmt/instances/" + id).status()).isEqualTo(404);
        assertThat(admin.get("/mgmt/instances/" + id + "?deleted=true").body().at("/instance/deleted").asBoolean()).isTrue();
    }

    // ---- helpers ---------------------------------------------------------------------------------------------

    private JsonNode awaitStatus(ApiClient client, String status, Duration within) {
        JsonNode[] last = new JsonNode[1];
        await().atMost(within).until(() -> {
            last[0] = client.get("/instances/" + id).body().path("instance");
            return status.equals(last[0].path("status").asText());
        });
        return last[0];
    }

    private static JsonNode only(JsonNode instances, String id) {
        List<JsonNode> found = new java.util.ArrayList<>();
        instances.forEach(i -> {
            if (i.path("id").asText().equals(id)) {
                found.add(i);
            }
        });
        assertThat(found).as("instance " + id + " in " + instances).hasSize(1);
        return found.get(0);
    }

    /** The ids of a list's items (not the ids nested in them). */
    private static List<String> ids(JsonNode items) {
        List<String> out = new java.util.ArrayList<>();
        items.forEach(i -> out.add(i.path("id").asText()));
        return out;
    }

    private static String attach(String group) {
        return "{\"instance\": {\"configuration\": \"" + group + "\"}}";
    }

    private Connection connect(String db, String user, String password) throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://" + ip + ":5432/" + db + "?connectTimeout=5", user, password);
    }

    private static String query(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery(sql)) {
            r.next();
            return r.getString(1);
        }
    }

    private String startTime() throws SQLException {
        try (Connection c = connect("app", "u1", "u1-pw-reach")) {
            return query(c, "SELECT pg_postmaster_start_time()::text");
        }
    }

    private long serverPid() {
        try {
            return Long.parseLong(Files.readString(state.resolve("instances").resolve(id).resolve("agent/server.pid")).trim());
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static int exitCode(String... command) {
        try {
            return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start().waitFor();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
