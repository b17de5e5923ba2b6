package org.jtrove.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.jtrove.server.ApiClient.Response;
import org.jtrove.server.InstanceLifecycleE2ETest.Kind;

/**
 * A test's jtrove with one PostgreSQL and one MariaDB instance, root enabled on each, so that what a request did
 * can be checked on the servers themselves. Closing it deletes the instances and stops jtrove.
 */
final class SqlInstances implements AutoCloseable {
    final AllInOne server;
    final ApiClient api;
    private final Map<Kind, String> ids = new EnumMap<>(Kind.class);
    private final Map<Kind, String> ips = new EnumMap<>(Kind.class);
    private final Map<Kind, String> roots = new EnumMap<>(Kind.class);

    /** Starts jtrove on a fresh state directory and both instances, each created with {@code createFields}. */
    SqlInstances(String name, String project, String createFields) throws Exception {
        server = new AllInOne(TestServers.config(TestServers.stateDir(name)));
        api = new ApiClient(server.port(), project);
        for (Kind kind : Kind.values()) {
            Response created = api.post("/instances", "{\"instance\": {\"name\": \"" + name + "\", \"flavorRef\": \"1\","
                    + " \"volume\": {\"size\": 1}, \"datastore\": {\"type\": \"" + kind.type + "\", \"version\": \""
                    + kind.version + "\"}" + createFields + "}}");
            assertThat(created.status()).as(created.raw()).isEqualTo(200);
            ids.put(kind, created.body().at("/instance/id").asText());
        }
        for (Kind kind : Kind.values()) {
            ips.put(kind, awaitActive(api, ids.get(kind)).path("ip").get(0).asText());
            Response root = api.post(base(kind) + "/root", null);
            assertThat(root.body().at("/user/name").asText()).isEqualTo("root");
            roots.put(kind, root.body().at("/user/password").asText());
        }
    }

    String id(Kind kind) {
        return ids.get(kind);
    }

    String ip(Kind kind) {
        return ips.get(kind);
    }

    /** The instance's path: /instances/{id}. */
    String base(Kind kind) {
        return "/instances/" + ids.get(kind);
    }

    /** Records a new root password (after the test enabled root again itself). */
    void rootPassword(Kind kind, String password) {
        roots.put(kind, password);
    }

    List<String> rootQuery(Kind kind, String sql) throws SQLException {
        return query(kind, ips.get(kind), "root", roots.get(kind), sql);
    }

    void rootSql(Kind kind, String sql) throws SQLException {
        execute(kind, "root", roots.get(kind), sql);
    }

    void execute(Kind kind, String user, String password, String sql) throws SQLException {
        try (Connection c = kind.connect(ips.get(kind), kind.defaultDb, user, password); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    /** The first column of every row {@code sql} returns, run as {@code user}. */
    static List<String> query(Kind kind, String ip, String user, String password, String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = kind.connect(ip, kind.defaultDb, user, password); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    /** Deletes every instance of the client's project and waits (90 s at most) until none is left. */
    static void deleteAll(ApiClient api) {
        for (JsonNode i : api.get("/instances").body().path("instances")) {
            api.delete("/instances/" + i.path("id").asText());
        }
        await().atMost(Duration.ofSeconds(90)).until(() -> api.get("/instances").body().path("instances").isEmpty());
    }

    /** Waits until the instance is ACTIVE (failing at once on ERROR) and returns its view. */
    static JsonNode awaitActive(ApiClient api, String id) {
        JsonNode[] last = new JsonNode[1];
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(100)).until(() -> {
            last[0] = api.get("/instances/" + id).body().path("instance");
            assertThat(last[0].path("status").asText()).as(last[0].toString()).isNotEqualTo("ERROR");
            return "ACTIVE".equals(last[0].path("status").asText());
        });
        return last[0];
    }

    @Override
    public void close() {
        ids.values().forEach(id -> api.delete("/instances/" + id));
        await().atMost(Duration.ofSeconds(60)).until(() -> ids.values().stream()
                .allMatch(id -> api.get("/instances/" + id).status() == 404));
        server.close();
    }
}
