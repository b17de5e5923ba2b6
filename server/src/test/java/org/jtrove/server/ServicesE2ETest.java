package org.jtrove.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.jtrove.server.ApiClient.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import redis.clients.jedis.Jedis;

/**
 * The deployed shape: two API services, two taskmanagers, a conductor and a guest-agent host, each its own process,
 * over a real RabbitMQ with the metadata on a real MariaDB. Through the API: PostgreSQL, MariaDB and Redis instances
 * used with real clients, a backup and a restore, a resize, and deletes that leave nothing behind (servers, OS
 * users, directories, the guests' broker users and queues).
 */
@Tag("e2e")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ServicesE2ETest {
    private static final String PASSWORD = "Services-pw-1";
    private ServiceTopology topology;

    @BeforeAll
    void start() throws Exception {
        topology = ServiceTopology.start(2, 2, Map.of("host-a", 100 + (int) (ProcessHandle.current().pid() % 50)));
    }

    @AfterAll
    void stop() throws Exception {
        if (topology != null) {
            topology.close();
        }
    }

    @Test
    void instancesOfEveryDatastoreLiveTheirWholeLifeAcrossTheServices() throws Exception {
        ApiClient api = topology.api("project-svc");
        ApiClient otherApi = topology.api(2, "project-svc");
        String pg = create(api, "pg", "postgresql", "15", true);
        String my = create(api, "my", "mariadb", "10.11", true);
        String rd = create(api, "rd", "redis", "7.0", false);
        for (String id : List.of(pg, my, rd)) {
            awaitStatus(otherApi, id, "ACTIVE");
        }
        JsonNode pgView = otherApi.get("/instances/" + pg).body().path("instance");
        assertThat(pgView.path("status").asText()).isEqualTo("ACTIVE");

        // real clients, as the users the API created
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://" + ip(api, pg) + ":5432/app", "alice", PASSWORD);
             Statement s = c.createStatement()) {
            s.execute("CREATE TABLE t (id INT PRIMARY KEY, v TEXT)");
            s.execute("INSERT INTO t SELECT g, 'row ' || g FROM generate_series(1, 100) g");
        }
        try (Connection c = DriverManager.getConnection("jdbc:mariadb://" + ip(api, my) + ":3306/app", "alice", PASSWORD);
             Statement s = c.createStatement()) {
            s.execute("CREATE TABLE t (id INT PRIMARY KEY)");
            s.execute("INSERT INTO t VALUES (1), (2), (3)");
        }
        String redisPassword = api.post("/instances/" + rd + "/root", null).body().at("/user/password").asText();
        try (Jedis j = new Jedis(ip(api, rd), 6379)) {
            j.auth(redisPassword);
            j.set("k", "v");
            assertThat(j.get("k")).isEqualTo("v");
        }
        assertThat(otherApi.get("/instances/" + pg + "/databases").body().path("databases").findValuesAsText("name"))
                .contains("app");

        // a backup, then a restore into a new instance
        Response backup = api.post("/backups", "{\"backup\": {\"name\": \"b\", \"instance\": \"" + pg + "\"}}");
        assertThat(backup.status()).as(backup.raw()).isEqualTo(202);
        String backupId = backup.body().at("/backup/id").asText();
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(200)).until(() ->
                "COMPLETED".equals(api.get("/backups/" + backupId).body().at("/backup/status").asText()));
        Response restore = api.post("/instances", "{\"instance\": {\"name\": \"pg-copy\", \"flavorRef\": \"1\","
                + " \"volume\": {\"size\": 1}, \"restorePoint\": {\"backupRef\": \"" + backupId + "\"}}}");
        assertThat(restore.status()).as(restore.raw()).isEqualTo(200);
        String copy = restore.body().at("/instance/id").asText();
        awaitStatus(api, copy, "ACTIVE");
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://" + ip(api, copy) + ":5432/app", "alice",
                PASSWORD); Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT count(*) FROM t")) {
            r.next();
            assertThat(r.getInt(1)).isEqualTo(100);
        }

        // a resize: the server runs the new flavor's memory settings
        assertThat(api.post("/instances/" + my + "/action", "{\"resize\": {\"flavorRef\": \"2\"}}").status()).isEqualTo(202);
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(200)).until(() ->
                "2".equals(api.get("/instances/" + my).body().at("/instance/flavor/id").asText())
                        && "ACTIVE".equals(api.get("/instances/" + my).body().at("/instance/status").asText()));
        try (Connection c = DriverManager.getConnection("jdbc:mariadb://" + ip(api, my) + ":3306/app", "alice", PASSWORD);
             Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT @@GLOBAL.innodb_buffer_pool_size")) {
            r.next();
            assertThat(r.getLong(1)).isEqualTo(512L << 20);
        }

        // every guest agent has its own broker user and queue while its instance lives
        assertThat(topology.broker.users()).contains("guestagent." + pg, "guestagent." + rd);
        assertThat(topology.broker.queues()).contains("guestagent." + my);

        for (String id : List.of(pg, my, rd, copy)) {
            assertThat(api.delete("/instances/" + id).status()).isEqualTo(202);
        }
        for (String id : List.of(pg, my, rd, copy)) {
            await().atMost(Duration.ofMinutes(2)).until(() -> api.get("/instances/" + id).status() == 404);
        }
        assertThat(topology.instanceDirectories()).as("instance directories").isEmpty();
        assertThat(topology.broker.users()).noneMatch(u -> u.startsWith("guestagent."));
        assertThat(topology.broker.queues()).noneMatch(q -> q.startsWith("guestagent."));
        for (String id : List.of(pg, my, rd, copy)) {
            Process p = new ProcessBuilder("id", "-u", org.jtrove.guestagent.host.OsUser.forInstance(id)).start();
            assertThat(p.waitFor()).as("the OS user of " + id).isNotZero();
        }
    }

    private static String create(ApiClient api, String name, String type, String version, boolean withUser) {
        Response r = api.post("/instances", "{\"instance\": {\"name\": \"" + name + "\", \"flavorRef\": \"1\","
                + " \"volume\": {\"size\": 1}, \"datastore\": {\"type\": \"" + type + "\", \"version\": \"" + version + "\"}"
                + (withUser ? ", \"databases\": [{\"name\": \"app\"}], \"users\": [{\"name\": \"alice\", \"password\": \""
                + PASSWORD + "\", \"databases\": [{\"name\": \"app\"}]}]" : "") + "}}");
        assertThat(r.status()).as(r.raw()).isEqualTo(200);
        return r.body().at("/instance/id").asText();
    }

    private static void awaitStatus(ApiClient api, String id, String status) {
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(200)).until(() -> {
            JsonNode i = api.get("/instances/" + id).body().path("instance");
            assertThat(i.path("status").asText()).as(i.toString()).isNotEqualTo("ERROR");
            return status.equals(i.path("status").asText());
        });
    }

    private static String ip(ApiClient api, String id) {
        return api.get("/instances/" + id).body().at("/instance/ip/0").asText();
    }
}
