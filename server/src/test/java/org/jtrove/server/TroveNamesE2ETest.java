package org.jtrove.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.jtrove.model.Json;
import org.jtrove.server.ApiClient.Response;
import org.jtrove.server.InstanceLifecycleE2ETest.Kind;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Names follow Trove's per-datastore rules (issue 8 §5), on real servers: MySQL/MariaDB user names with periods,
 * '@', '#' and inner blanks; PostgreSQL names with periods and anything else, quoted; users addressed by their
 * listed id (name@host, ip/netmask hosts, names holding '@'); hostile names land verbatim and inject nothing.
 */
@Tag("e2e")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TroveNamesE2ETest {
    private SqlInstances sql;
    private ApiClient api;

    @BeforeAll
    void start() throws Exception {
        sql = new SqlInstances("names", "project-names", ", \"databases\": [{\"name\": \"db1\"}, {\"name\": \"kept\"}]");
        api = sql.api;
    }

    @AfterAll
    void stop() {
        if (sql != null) {
            sql.close();
        }
    }

    @Test
    void mysqlUserNamesMayHoldPeriodsAsInTrove() throws Exception {
        Kind kind = Kind.MARIADB;
        Response r = api.post(base(kind) + "/users", "{\"users\":[{\"name\":\"my.user\",\"password\":\"Passw0rd-123\","
                + "\"databases\":[{\"name\":\"db1\"}]}]}");
        assertThat(r.status()).as(r.raw()).isEqualTo(202);
        assertThat(rootQuery(kind, "SELECT CONCAT(User, '@', Host) FROM mysql.user")).contains("my.user@%");
        assertThat(rootQuery(kind, "SELECT Db FROM mysql.db WHERE User = 'my.user' AND Host = '%'")).containsExactly("db1");
        try (Connection c = kind.connect(sql.ip(kind), "db1", "my.user", "Passw0rd-123"); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE t (x INT)");
        }
        assertThat(api.get(base(kind) + "/users/my.user").body().at("/user/databases/0/name").asText()).isEqualTo("db1");

        assertThat(api.post(base(kind) + "/users", "{\"users\":[{\"name\":\"app.reader\",\"password\":\"Reader-pw-1\"}]}")
                .status()).isEqualTo(202);
        assertThat(api.delete(base(kind) + "/users/app.reader").status()).isEqualTo(202);
        assertThat(rootQuery(kind, "SELECT User FROM mysql.user")).doesNotContain("app.reader");
    }

    @Test
    void mysqlUsersAreAddressedByTheirListedId() throws Exception {
        Kind kind = Kind.MARIADB;
        String users = base(kind) + "/users";
        assertThat(api.post(users, "{\"users\":[{\"name\":\"netuser\",\"password\":\"Net-pw-1\",\"host\":\"10.0.0.0/255.255.255.0\"},"
                + "{\"name\":\"a@b\",\"password\":\"At-pw-1\"}, {\"name\":\"weird #name x\",\"password\":\"Weird-pw-1\","
                + "\"databases\":[{\"name\":\"db1\"}]}]}").status()).isEqualTo(202);
        // a user made by root with SQL, outside Trove's rules, is still listed, shown and deleted by that id
        rootSql(kind, "CREATE USER 'o''brien'@'localhost' IDENTIFIED BY 'Obrien-pw-1'");
        List<String> listed = new ArrayList<>();
        api.get(users).body().path("users").forEach(u -> listed.add(u.path("name").asText() + "@" + u.path("host").asText()));
        assertThat(listed).contains("netuser@10.0.0.0/255.255.255.0", "a@b@%", "weird #name x@%", "o'brien@localhost");
        for (String id : List.of("netuser@10.0.0.0/255.255.255.0", "a@b@%", "weird #name x@%", "o'brien@localhost")) {
            Response shown = api.get(users + "/" + enc(id));
            assertThat(shown.status()).as(id + ": " + shown.raw()).isEqualTo(200);
            assertThat(shown.body().at("/user/name").asText() + "@" + shown.body().at("/user/host").asText()).isEqualTo(id);
        }
        try (Connection c = kind.connect(sql.ip(kind), "db1", "weird #name x", "Weird-pw-1")) {
            assertThat(c.isValid(5)).isTrue();
        }
        assertThat(api.put(users + "/" + enc("netuser@10.0.0.0/255.255.255.0"), "{\"user\": {\"password\": \"Net-pw-2\"}}")
                .status()).isEqualTo(202);
        assertThat(api.put(users + "/" + enc("a@b@%") + "/databases", "{\"databases\": [{\"name\": \"kept\"}]}").status())
                .isEqualTo(202);
        assertThat(api.get(users + "/" + enc("a@b@%") + "/databases").body().path("databases").findValuesAsText("name"))
                .containsExactly("kept");
        assertThat(api.get(users + "/a@b").status()).as("'a' at host 'b' is another user").isEqualTo(404);
        for (String id : List.of("netuser@10.0.0.0/255.255.255.0", "a@b@%", "weird #name x@%", "o'brien@localhost")) {
            assertThat(api.delete(users + "/" + enc(id)).status()).as(id).isEqualTo(202);
        }
        assertThat(rootQuery(kind, "SELECT User FROM mysql.user")).doesNotContain("netuser", "a@b", "weird #name x", "o'brien");
    }

    @Test
    void hostileMysqlNamesAreRefusedOrLandVerbatim() throws Exception {
        Kind kind = Kind.MARIADB;
        for (String name : List.of("x'; DROP USER os_admin; --", "a`b", "a\\b", " lead", "semi;colon", "c,d", "e/f")) {
            Response r = api.post(base(kind) + "/users", "{\"users\":[{\"name\":" + Json.write(name) + ",\"password\":\"Pw-1\"}]}");
            assertThat(r.status()).as(name).isEqualTo(400);
        }
        for (String db : List.of("x`; DROP DATABASE kept; --", "a'b", "my.db", "a b c")) {
            assertThat(api.post(base(kind) + "/databases", "{\"databases\":[{\"name\":" + Json.write(db) + "}]}").status())
                    .as(db).isEqualTo(400);
        }
        String name = "h@ck #me now";
        String db = "odd?# db";
        assertThat(api.post(base(kind) + "/databases", "{\"databases\":[{\"name\":" + Json.write(db) + "}]}").status())
                .isEqualTo(202);
        assertThat(api.post(base(kind) + "/users", "{\"users\":[{\"name\":" + Json.write(name) + ",\"password\":\"Pw-h4ck\","
                + "\"databases\":[{\"name\":" + Json.write(db) + "}]}]}").status()).isEqualTo(202);
        try (Connection c = kind.connect(sql.ip(kind), "", name, "Pw-h4ck"); Statement s = c.createStatement()) {
            s.execute("USE `" + db + "`");
            s.execute("CREATE TABLE t (x INT)");
        }
        assertThat(rootQuery(kind, "SHOW DATABASES")).contains(db, "kept");
        assertThat(api.delete(base(kind) + "/users/" + enc(name + "@%")).status()).isEqualTo(202);
        assertThat(api.delete(base(kind) + "/databases/" + enc(db)).status()).isEqualTo(202);
        assertThat(rootQuery(kind, "SELECT User FROM mysql.user")).contains("os_admin").doesNotContain(name);
        assertThat(rootQuery(kind, "SHOW DATABASES")).contains("kept").doesNotContain(db);
    }

    @Test
    void postgresqlNamesMayHoldPeriodsAndHostileNamesAreQuoted() throws Exception {
        Kind kind = Kind.POSTGRESQL;
        String user = "x\"; DROP ROLE os_admin; --";
        String db = "d'; DROP DATABASE kept; --";
        for (String[] pair : new String[][] {{"app.reader", "my.db"}, {user, db}, {"a@b", "名前"}}) {
            assertThat(api.post(base(kind) + "/databases", "{\"databases\":[{\"name\":" + Json.write(pair[1]) + "}]}")
                    .status()).as(pair[1]).isEqualTo(202);
            Response r = api.post(base(kind) + "/users", "{\"users\":[{\"name\":" + Json.write(pair[0]) + ",\"password\":"
                    + "\"Pg-pw-1\",\"databases\":[{\"name\":" + Json.write(pair[1]) + "}]}]}");
            assertThat(r.status()).as(pair[0] + ": " + r.raw()).isEqualTo(202);
            assertThat(rootQuery(kind, "SELECT rolname FROM pg_roles")).contains(pair[0]);
            assertThat(rootQuery(kind, "SELECT datname FROM pg_database")).contains(pair[1]);
            try (Connection c = kind.connect(sql.ip(kind), enc(pair[1]), pair[0], "Pg-pw-1"); Statement s = c.createStatement()) {
                s.execute("CREATE TABLE t (x INT)");
            }
            Response shown = api.get(base(kind) + "/users/" + enc(pair[0]));
            assertThat(shown.status()).isEqualTo(200);
            assertThat(shown.body().at("/user/name").asText()).isEqualTo(pair[0]);
            assertThat(shown.body().at("/user/databases/0/name").asText()).isEqualTo(pair[1]);
            assertThat(api.delete(base(kind) + "/users/" + enc(pair[0])).status()).isEqualTo(202);
            assertThat(api.delete(base(kind) + "/databases/" + enc(pair[1])).status()).isEqualTo(202);
        }
        assertThat(rootQuery(kind, "SELECT rolname FROM pg_roles")).contains("os_admin").doesNotContain(user, "app.reader");
        assertThat(rootQuery(kind, "SELECT datname FROM pg_database")).contains("kept", "db1").doesNotContain(db, "my.db");
        assertThat(api.post(base(kind) + "/databases", "{\"databases\":[{\"name\":\"trailing \"}]}").status()).isEqualTo(400);
        assertThat(api.post(base(kind) + "/users", "{\"users\":[{\"name\":\"pg_mine\",\"password\":\"Pw-1\"}]}").status())
                .isEqualTo(400);
        assertThatThrownBy(() -> kind.connect(sql.ip(kind), "kept", user, "Pg-pw-1").close()).isInstanceOf(SQLException.class);
    }

    // ---- helpers -------------------------------------------------------------------------------------------

    private String base(Kind kind) {
        return sql.base(kind);
    }

    /** A path segment (or a JDBC URL's database) percent-encoded as the client does. */
    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private List<String> rootQuery(Kind kind, String query) throws SQLException {
        return sql.rootQuery(kind, query);
    }

    private void rootSql(Kind kind, String statement) throws SQLException {
        sql.rootSql(kind, statement);
    }
}
