package org.jtrove.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jtrove.server.ApiClient.Response;
import org.jtrove.store.DatastoreRecord;
import org.jtrove.store.DatastoreVersionRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Trove's "mysql" datastore, served by the MySQL-compatible build of this machine (Debian's default-mysql-server is
 * MariaDB), used as Trove users do: through the real {@code mysql} client, with utf8mb4 databases, a configuration
 * group, a backup, and a restore that names databases and users the backup already holds (issue 8 §4, §6, §7).
 */
@Tag("e2e")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MysqlDatastoreE2ETest {
    private static final String VERSION = "10.11-mariadb";
    private Path state;
    private AllInOne server;
    private ApiClient api;
    private String id;
    private String ip;

    @BeforeAll
    void start() throws Exception {
        state = TestServers.stateDir("mysql");
        server = new AllInOne(TestServers.config(state));
        api = new ApiClient(server.port(), "project-mysql");
    }

    @AfterAll
    void stop() {
        if (server != null) {
            SqlInstances.deleteAll(api);
            server.close();
        }
    }

    @Test
    @Order(1)
    void mysqlIsRegisteredAtFirstStartAndForExistingInstallations() throws Exception {
        assertThat(versionNames("mysql")).containsExactly(VERSION);
        DatastoreRecord mysql = server.store().datastores.find("mysql").orElseThrow();
        DatastoreVersionRecord v = server.store().datastores.version(mysql.id(), VERSION).orElseThrow();
        assertThat(v.manager()).isEqualTo("mysql");
        assertThat(v.binDir()).isEqualTo(server.store().datastores.version(
                server.store().datastores.find("mariadb").orElseThrow().id(), "10.11").orElseThrow().binDir());
        assertThat(server.store().charsets.find(v.id()).characterSets()).contains("utf8mb4", "latin1");
        assertThat(server.store().parameters.list(v.id())).isNotEmpty();

        // an installation from before the mysql datastore: it is registered at the next start
        server.store().datastores.deleteVersion(v.id());
        server.store().datastores.deleteDatastore(mysql.id());
        assertThat(api.get("/datastores/mysql").status()).isEqualTo(404);
        server.close();
        server = new AllInOne(TestServers.config(state));
        api = new ApiClient(server.port(), "project-mysql");
        assertThat(versionNames("mysql")).containsExactly(VERSION);
        DatastoreVersionRecord again = server.store().datastores.version(
                server.store().datastores.find("mysql").orElseThrow().id(), VERSION).orElseThrow();
        assertThat(server.store().charsets.find(again.id()).characterSets()).contains("utf8mb4");
        assertThat(server.store().parameters.list(again.id())).isNotEmpty();
    }

    @Test
    @Order(2)
    void theMysqlClientUsesAMysqlInstanceWithUtf8mb4Databases() throws Exception {
        Response created = api.post("/instances", """
                {"instance": {"name": "my1", "flavorRef": "1", "volume": {"size": 1},
                  "datastore": {"type": "mysql", "version": "%s"}, "databases": [{"name": "shop"}],
                  "users": [{"name": "my.user", "password": "Passw0rd-123", "databases": [{"name": "shop"}]}]}}
                """.formatted(VERSION));
        assertThat(created.status()).as(created.raw()).isEqualTo(200);
        id = created.body().at("/instance/id").asText();
        JsonNode instance = awaitStatus(id, "ACTIVE");
        assertThat(instance.at("/datastore/type").asText()).isEqualTo("mysql");
        assertThat(instance.at("/datastore/version").asText()).isEqualTo(VERSION);
        ip = instance.path("ip").get(0).asText();

        assertThat(mysql("my.user", "Passw0rd-123", "shop", "CREATE TABLE items (id INT PRIMARY KEY, name VARCHAR(40));"
                + " INSERT INTO items VALUES (1, '中文'); SELECT name FROM items; SELECT @@character_set_database"))
                .isEqualTo("中文\nutf8mb4");
        assertThat(api.post("/instances/" + id + "/databases", "{\"databases\": [{\"name\": \"legacy\","
                + " \"character_set\": \"latin1\", \"collate\": \"latin1_bin\"}, {\"name\": \"plain\"}]}").status()).isEqualTo(202);
        String root = api.post("/instances/" + id + "/root", null).body().at("/user/password").asText();
        assertThat(mysql("root", root, "", "SELECT CONCAT(SCHEMA_NAME, ' ', DEFAULT_CHARACTER_SET_NAME, ' ',"
                + " DEFAULT_COLLATION_NAME) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME IN ('legacy', 'plain')"
                + " ORDER BY 1")).isEqualTo("legacy latin1 latin1_bin\nplain utf8mb4 utf8mb4_general_ci");
        assertThat(api.post("/instances/" + id + "/databases", "{\"databases\": [{\"name\": \"x1\", \"character_set\":"
                + " \"no_such_set\"}]}").status()).isEqualTo(400);
        assertThat(api.get("/instances/" + id + "/databases").body().path("databases").findValuesAsText("name"))
                .containsExactly("legacy", "plain", "shop");
    }

    @Test
    @Order(3)
    void configurationGroupsApplyToMysqlInstances() throws Exception {
        Response group = api.post("/configurations", "{\"configuration\": {\"name\": \"my-cfg\", \"values\":"
                + " {\"Max_Connections\": 123}, \"datastore\": {\"type\": \"mysql\", \"version\": \"" + VERSION + "\"}}}");
        assertThat(group.status()).as(group.raw()).isEqualTo(200);
        String cfg = group.body().at("/configuration/id").asText();
        assertThat(api.put("/instances/" + id, "{\"instance\": {\"configuration\": \"" + cfg + "\"}}").status())
                .isEqualTo(202);
        assertThat(mysql("my.user", "Passw0rd-123", "shop", "SELECT @@max_connections")).isEqualTo("123");
        assertThat(api.put("/instances/" + id, "{\"instance\": {\"configuration\": null}}").status()).isEqualTo(202);
        assertThat(mysql("my.user", "Passw0rd-123", "shop", "SELECT @@max_connections")).isNotEqualTo("123");
        assertThat(api.delete("/configurations/" + cfg).status()).isEqualTo(202);
    }

    /** A restore naming databases and users the backup holds keeps the databases' data and sets the given passwords. */
    @Test
    @Order(4)
    void aRestoreWithExistingDatabasesAndUsersEndsActive() throws Exception {
        Response backup = api.post("/backups", "{\"backup\": {\"name\": \"my-full\", \"instance\": \"" + id + "\"}}");
        assertThat(backup.status()).as(backup.raw()).isEqualTo(202);
        String backupId = backup.body().at("/backup/id").asText();
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200)).until(() -> {
            String status = api.get("/backups/" + backupId).body().at("/backup/status").asText();
            assertThat(status).isNotEqualTo("FAILED");
            return "COMPLETED".equals(status);
        });
        assertThat(api.get("/backups?datastore=mysql").body().path("backups").findValuesAsText("id")).contains(backupId);

        Response restored = api.post("/instances", """
                {"instance": {"name": "my-restored", "flavorRef": "1", "volume": {"size": 1},
                  "restorePoint": {"backupRef": "%s"},
                  "databases": [{"name": "shop"}, {"name": "extra"}],
                  "users": [{"name": "my.user", "password": "New-pass-456", "databases": [{"name": "shop"}, {"name": "extra"}]},
                            {"name": "fresh", "password": "Fresh-pw-1", "databases": [{"name": "extra"}]}]}}
                """.formatted(backupId));
        assertThat(restored.status()).as(restored.raw()).isEqualTo(200);
        String copy = restored.body().at("/instance/id").asText();
        JsonNode instance = awaitStatus(copy, "ACTIVE");
        assertThat(instance.at("/datastore/type").asText()).isEqualTo("mysql");
        String copyIp = instance.path("ip").get(0).asText();
        assertThat(mysqlAt(copyIp, "my.user", "New-pass-456", "shop", "SELECT name FROM items")).isEqualTo("中文");
        assertThat(mysqlAt(copyIp, "my.user", "Passw0rd-123", "shop", "SELECT 1")).contains("Access denied");
        assertThat(mysqlAt(copyIp, "fresh", "Fresh-pw-1", "extra", "SELECT DATABASE()")).isEqualTo("extra");
        assertThat(mysqlAt(copyIp, "my.user", "New-pass-456", "extra", "SELECT DATABASE()")).isEqualTo("extra");
        assertThat(api.get("/instances/" + copy + "/databases").body().path("databases").findValuesAsText("name"))
                .contains("shop", "extra", "legacy", "plain");
    }

    // ---- helpers -------------------------------------------------------------------------------------------

    private List<String> versionNames(String datastore) {
        List<String> names = new ArrayList<>();
        api.get("/datastores/" + datastore + "/versions").body().path("versions")
                .forEach(v -> names.add(v.path("name").asText()));
        return names;
    }

    private String mysql(String user, String password, String db, String sql) throws Exception {
        return mysqlAt(ip, user, password, db, sql);
    }

    /** The real mysql client (Debian's, from mariadb-client), batch output without column names. */
    private static String mysqlAt(String host, String user, String password, String db, String sql) throws Exception {
        List<String> command = new ArrayList<>(List.of("mysql", "--no-defaults", "--connect-timeout=10",
                "--default-character-set=utf8mb4", "-h", host, "-u", user, "-N", "-B", "-e", sql));
        if (!db.isEmpty()) {
            command.add(db);
        }
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("MYSQL_PWD", password);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return out;
    }

    private JsonNode awaitStatus(String instanceId, String status) {
        JsonNode[] last = new JsonNode[1];
        await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(200)).until(() -> {
            last[0] = api.get("/instances/" + instanceId).body().path("instance");
            assertThat(last[0].path("status").asText()).as(last[0].toString()).isNotEqualTo("ERROR");
            return status.equals(last[0].path("status").asText());
        });
        return last[0];
    }
}
