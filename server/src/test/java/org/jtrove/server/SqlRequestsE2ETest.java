package org.jtrove.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.jtrove.server.ApiClient.Response;
import org.jtrove.server.InstanceLifecycleE2ETest.Kind;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A refusal changes nothing (issue 7 §2) and request bodies are read strictly (§3), on real PostgreSQL and MariaDB
 * servers: every refused request is checked afterwards on the server itself, as its root user.
 */
@Tag("e2e")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SqlRequestsE2ETest {
    private SqlInstances sql;
    private ApiClient api;

    @BeforeAll
    void start() throws Exception {
        sql = new SqlInstances("sqlrequests", "project-sql", ", \"databases\": [{\"name\": \"kept\"}],"
                + " \"users\": [{\"name\": \"u_kept\", \"password\": \"pw-kept-1\", \"databases\": [{\"name\": \"kept\"}]}]");
        api = sql.api;
    }

    @AfterAll
    void stop() {
        if (sql != null) {
            sql.close();
        }
    }

    // ---- databases -----------------------------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(Kind.class)
    @Order(1)
    void aNewAndAnExistingDatabaseIs400AndCreatesNothing(Kind kind) throws Exception {
        Response r = api.post(base(kind) + "/databases", "{\"databases\": [{\"name\": \"fresh1\"}, {\"name\": \"kept\"}]}");
        assertThat(r.status()).as(r.raw()).isEqualTo(400);
        assertThat(r.raw()).contains("kept").contains("already exists");
        assertThat(serverDatabases(kind)).contains("kept").doesNotContain("fresh1");
    }

    /**
     * A database made by someone else while a request runs: the request's CREATE of it fails after the earlier
     * ones were made, and those are taken back; the other one stays.
     */
    @ParameterizedTest
    @EnumSource(Kind.class)
    @Order(2)
    void aLaterItemFailingOnTheServerUndoesTheEarlierOnes(Kind kind) throws Exception {
        int count = kind == Kind.POSTGRESQL ? 6 : 200;
        List<String> names = IntStream.range(0, count).mapToObj(i -> "race_" + i).toList();
        String last = names.get(count - 1);
        String body = names.stream().map(n -> "{\"name\": \"" + n + "\"}")
                .collect(Collectors.joining(", ", "{\"databases\": [", "]}"));
        CompletableFuture<Response> request = CompletableFuture.supplyAsync(() -> api.post(base(kind) + "/databases", body));
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(2))
                .until(() -> serverDatabases(kind).contains("race_0"));
        rootSql(kind, "CREATE DATABASE " + quote(kind, last));
        Response r = request.get();
        assertThat(r.status()).as(r.raw()).isEqualTo(400);
        assertThat(r.raw()).contains(last);
        List<String> left = serverDatabases(kind).stream().filter(n -> n.startsWith("race_")).toList();
        assertThat(left).as("only the database made by root is left").containsExactly(last);
        rootSql(kind, "DROP DATABASE " + quote(kind, last));
    }

    /**
     * MariaDB changes each password on its own: a change that fails part-way (the last user dropped by root while
     * the request runs) puts back the previous password hashes of the users already changed.
     */
    @Test
    @Order(2)
    void aPasswordChangeFailingPartWayRestoresThePreviousPasswords() throws Exception {
        Kind kind = Kind.MARIADB;
        int count = 150;
        List<String> names = IntStream.range(0, count).mapToObj(i -> "pw_" + i).toList();
        String last = names.get(count - 1);
        assertThat(api.post(base(kind) + "/users", names.stream().map(n -> "{\"name\": \"" + n + "\", \"password\": \"Old-pw-1\"}")
                .collect(Collectors.joining(", ", "{\"users\": [", "]}"))).status()).isEqualTo(202);
        String oldHash = rootQuery(kind, "SELECT authentication_string FROM mysql.user WHERE User = 'pw_0'").get(0);
        String body = names.stream().map(n -> "{\"name\": \"" + n + "\", \"password\": \"New-pw-2\"}")
                .collect(Collectors.joining(", ", "{\"users\": [", "]}"));
        CompletableFuture<Response> request = CompletableFuture.supplyAsync(() -> api.put(base(kind) + "/users", body));
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(2)).until(() -> !oldHash.equals(
                rootQuery(kind, "SELECT authentication_string FROM mysql.user WHERE User = 'pw_0'").get(0)));
        rootSql(kind, "DROP USER '" + last + "'@'%'");
        Response r = request.get();
        assertThat(r.status()).as(r.raw()).isEqualTo(422);
        assertThat(rootQuery(kind, "SELECT COUNT(*) FROM mysql.user WHERE User LIKE 'pw\\_%' AND authentication_string = '"
                + oldHash + "'")).as("every changed password was put back").containsExactly(Integer.toString(count - 1));
        login(kind, "pw_0", "Old-pw-1");
        login(kind, names.get(count - 2), "Old-pw-1");
        assertCannotLogIn(kind, "pw_0", "New-pw-2");
        rootSql(kind, names.subList(0, count - 1).stream().map(n -> "'" + n + "'@'%'")
                .collect(Collectors.joining(", ", "DROP USER ", "")));
    }

    // ---- users ---------------------------------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(Kind.class)
    @Order(3)
    void aNewAndAnExistingUserIs400AndCreatesNothing(Kind kind) throws Exception {
        Response r = api.post(base(kind) + "/users", "{\"users\": [{\"name\": \"u_new\", \"password\": \"pw-new-1\"},"
                + " {\"name\": \"u_kept\", \"password\": \"pw-other-1\"}]}");
        assertThat(r.status()).as(r.raw()).isEqualTo(400);
        assertThat(serverUsers(kind)).contains("u_kept").doesNotContain("u_new");
        assertCannotLogIn(kind, "u_new", "pw-new-1");
        login(kind, "u_kept", "pw-kept-1");
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    @Order(4)
    void passwordChangesWithAMissingUserAre404AndChangeNoPassword(Kind kind) throws Exception {
        Response r = api.put(base(kind) + "/users", "{\"users\": [{\"name\": \"u_kept\", \"password\": \"pw-changed-2\"},"
                + " {\"name\": \"nobody\", \"password\": \"pw-nobody-2\"}]}");
        assertThat(r.status()).as(r.raw()).isEqualTo(404);
        login(kind, "u_kept", "pw-kept-1");
        assertCannotLogIn(kind, "u_kept", "pw-changed-2");

        assertThat(api.put(base(kind) + "/users", "{\"users\": [{\"name\": \"u_kept\", \"password\": \"pw-changed-2\"}]}")
                .status()).isEqualTo(202);
        login(kind, "u_kept", "pw-changed-2");
        assertThat(api.put(base(kind) + "/users", "{\"users\": [{\"name\": \"u_kept\", \"password\": \"pw-kept-1\"}]}")
                .status()).isEqualTo(202);
        login(kind, "u_kept", "pw-kept-1");
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    @Order(5)
    void usersNamingAMissingDatabaseAre404AndNoUserIsCreated(Kind kind) throws Exception {
        Response r = api.post(base(kind) + "/users", "{\"users\": [{\"name\": \"u_ok\", \"password\": \"pw-ok-1\","
                + " \"databases\": [{\"name\": \"kept\"}]}, {\"name\": \"u_nodb\", \"password\": \"pw-nodb-1\","
                + " \"databases\": [{\"name\": \"no_such_db\"}]}]}");
        assertThat(r.status()).as(r.raw()).isEqualTo(404);
        assertThat(r.raw()).contains("no_such_db");
        assertThat(serverUsers(kind)).doesNotContain("u_ok", "u_nodb");
        assertCannotLogIn(kind, "u_ok", "pw-ok-1");
        assertCannotLogIn(kind, "u_nodb", "pw-nodb-1");
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    @Order(6)
    void aGrantNamingAMissingDatabaseGrantsNothing(Kind kind) throws Exception {
        assertThat(api.post(base(kind) + "/users", "{\"users\": [{\"name\": \"u_grant\", \"password\": \"pw-grant-1\"}]}")
                .status()).isEqualTo(202);
        Response r = api.put(base(kind) + "/users/u_grant/databases",
                "{\"databases\": [{\"name\": \"kept\"}, {\"name\": \"no_such_db\"}]}");
        assertThat(r.status()).as(r.raw()).isEqualTo(404);
        assertThat(api.get(base(kind) + "/users/u_grant/databases").body().path("databases")).isEmpty();
        assertThatThrownBy(() -> kind.connect(sql.ip(kind), "kept", "u_grant", "pw-grant-1").close())
                .isInstanceOf(SQLException.class);
        assertThat(api.delete(base(kind) + "/users/u_grant").status()).isEqualTo(202);
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    @Order(7)
    void aRenameOntoAnExistingUserChangesNeitherPasswordNorName(Kind kind) throws Exception {
        assertThat(api.post(base(kind) + "/users", "{\"users\": [{\"name\": \"u_other\", \"password\": \"pw-other-1\"}]}")
                .status()).isEqualTo(202);
        Response r = api.put(base(kind) + "/users/u_kept", "{\"user\": {\"name\": \"u_other\", \"password\": \"pw-x-9\"}}");
        assertThat(r.status()).as(r.raw()).isEqualTo(400);
        login(kind, "u_kept", "pw-kept-1");
        login(kind, "u_other", "pw-other-1");
        assertThat(api.delete(base(kind) + "/users/u_other").status()).isEqualTo(202);
    }

    @Test
    @Order(8)
    void aPostgresqlPasswordEmptyAfterSaslPrepIs400AndCreatesNothing() throws Exception {
        Kind kind = Kind.POSTGRESQL;
        Response r = api.post(base(kind) + "/users", "{\"users\": [{\"name\": \"u_fine\", \"password\": \"pw-fine-1\"},"
                + " {\"name\": \"u_zw\", \"password\": \"\\u200b\"}]}");
        assertThat(r.status()).as(r.raw()).isEqualTo(400);
        assertThat(r.raw()).contains("SASLprep");
        assertThat(serverUsers(kind)).doesNotContain("u_fine", "u_zw");
        assertThat(api.put(base(kind) + "/users/u_kept", "{\"user\": {\"password\": \"\\u00ad\\u200b\"}}").status())
                .isEqualTo(400);
        assertThat(api.put(base(kind) + "/users", "{\"users\": [{\"name\": \"u_kept\", \"password\": \"\\ufeff\"}]}")
                .status()).isEqualTo(400);
        login(kind, "u_kept", "pw-kept-1");
        // a zero-width space inside a password is mapped to nothing, as the server's SCRAM does
        assertThat(api.post(base(kind) + "/users", "{\"users\": [{\"name\": \"u_zw\", \"password\": \"pw\\u200b-zw-1\"}]}")
                .status()).isEqualTo(202);
        login(kind, "u_zw", "pw-zw-1");
        assertThat(api.delete(base(kind) + "/users/u_zw").status()).isEqualTo(202);
    }

    // ---- strict bodies -------------------------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(Kind.class)
    @Order(9)
    void trailingContentAndDuplicateKeysAre400AndChangeNothing(Kind kind) throws Exception {
        String[] bodies = {
            "{\"databases\": [{\"name\": \"tr1\"}]} garbage",
            "{\"databases\": [{\"name\": \"tr1\"}]}{\"databases\": [{\"name\": \"tr2\"}]}",
            "{\"databases\": [{\"name\": \"tr1\"}]} {}",
            "{\"databases\": [{\"name\": \"tr1\", \"name\": \"tr2\"}]}",
            "{\"databases\": [{\"name\": \"tr1\"}], \"databases\": [{\"name\": \"tr2\"}]}",
        };
        for (String body : bodies) {
            Response r = api.post(base(kind) + "/databases", body);
            assertThat(r.status()).as(body + " -> " + r.raw()).isEqualTo(400);
            BadInputE2ETest.assertTroveFault(r, 400);
        }
        Response dup = api.put(base(kind) + "/users/u_kept", "{\"user\": {\"password\": \"pw-a-1\", \"password\": \"pw-b-1\"}}");
        assertThat(dup.status()).isEqualTo(400);
        assertThat(dup.raw()).contains("Duplicate field 'password'");
        assertThat(api.post(base(kind) + "/users", "{\"users\": [{\"name\": \"u_tr\", \"password\": \"pw-tr-1\"}]}\n[1]")
                .status()).isEqualTo(400);
        assertThat(serverDatabases(kind)).doesNotContain("tr1", "tr2");
        assertThat(serverUsers(kind)).doesNotContain("u_tr");
        login(kind, "u_kept", "pw-kept-1");
    }

    // ---- PostgreSQL root -----------------------------------------------------------------------------------

    /** An instance whose root was "postgres" (jtrove before Trove's name): root show, disable and enable cover it. */
    @Test
    @Order(10)
    void aLegacyPostgresRootIsSeenAndDisabled() throws Exception {
        Kind kind = Kind.POSTGRESQL;
        String root = base(kind) + "/root";
        rootSql(kind, "CREATE ROLE postgres SUPERUSER LOGIN PASSWORD 'Legacy-pg-pw1'");
        // the state an older jtrove left: the superuser postgres logs in, there is no root
        sql.execute(kind, "postgres", "Legacy-pg-pw1", "DROP ROLE root");
        assertThat(api.get(root).body().path("rootEnabled").asBoolean()).as("postgres is that instance's root").isTrue();
        assertThat(api.delete(root).status()).isEqualTo(204);
        assertCannotLogIn(kind, "postgres", "Legacy-pg-pw1");
        assertThat(api.get(root).body().path("rootEnabled").asBoolean()).isFalse();

        Response enabled = api.post(root, null);
        assertThat(enabled.status()).isEqualTo(200);
        assertThat(enabled.body().at("/user/name").asText()).isEqualTo("root");
        sql.rootPassword(kind, enabled.body().at("/user/password").asText());
        assertThat(rootQuery(kind, "SELECT rolsuper::text FROM pg_roles WHERE rolname = current_user"))
                .as("root is a superuser").containsExactly("true");
        rootSql(kind, "ALTER ROLE postgres LOGIN PASSWORD 'Legacy-pg-pw2'");
        assertThat(api.post(root, "{\"password\": \"Chosen-root-pw7\"}").status()).isEqualTo(200);
        sql.rootPassword(kind, "Chosen-root-pw7");
        assertCannotLogIn(kind, "postgres", "Legacy-pg-pw2");
        assertThat(rootQuery(kind, "SELECT current_user")).containsExactly("root");
        assertThat(api.get(base(kind) + "/users").body().path("users").findValuesAsText("name"))
                .doesNotContain("root", "postgres", "os_admin");
    }

    // ---- character sets ------------------------------------------------------------------------------------

    /** The valid names are the server build's own (read at registration); a database without one gets utf8mb4. */
    @Test
    @Order(11)
    void characterSetsAreTheServerBuildsOwn() throws Exception {
        for (Kind kind : Kind.values()) {
            String versionId = sql.server.store().instances.find(sql.id(kind)).orElseThrow().datastoreVersionId();
            assertThat(sql.server.store().charsets.find(versionId).isEmpty()).as(kind + " catalogue").isFalse();
        }
        Kind pg = Kind.POSTGRESQL;
        assertThat(api.post(base(pg) + "/databases", "{\"databases\": [{\"name\": \"latin\", \"character_set\": \"LATIN1\"},"
                + " {\"name\": \"utf\", \"character_set\": \"utf-8\", \"collate\": \"C.UTF-8\"},"
                + " {\"name\": \"c_db\", \"collate\": \"C\"}]}").status()).isEqualTo(202);
        assertThat(rootQuery(pg, "SELECT datname || ' ' || pg_encoding_to_char(encoding) || ' ' || datcollate"
                + " FROM pg_database WHERE datname IN ('latin', 'utf', 'c_db') ORDER BY 1"))
                .containsExactly("c_db UTF8 C", "latin LATIN1 C", "utf UTF8 C.UTF-8");
        for (String bad : List.of("{\"name\": \"bad1\", \"character_set\": \"klingon\"}",
                "{\"name\": \"bad2\", \"collate\": \"xx_YY.UTF-8\"}", "{\"name\": \"bad3\", \"character_set\": \"BIG5\"}")) {
            Response r = api.post(base(pg) + "/databases", "{\"databases\": [{\"name\": \"fine\"}, " + bad + "]}");
            assertThat(r.status()).as(bad + " -> " + r.raw()).isEqualTo(400);
        }
        assertThat(serverDatabases(pg)).doesNotContain("fine", "bad1", "bad2", "bad3");

        Kind my = Kind.MARIADB;
        assertThat(api.post(base(my) + "/databases", "{\"databases\": [{\"name\": \"cs_default\"}]}").status()).isEqualTo(202);
        assertThat(rootQuery(my, "SELECT DEFAULT_CHARACTER_SET_NAME FROM information_schema.SCHEMATA"
                + " WHERE SCHEMA_NAME = 'cs_default'")).containsExactly("utf8mb4");
        rootSql(my, "CREATE TABLE cs_default.t (v VARCHAR(10))");
        rootSql(my, "INSERT INTO cs_default.t VALUES ('中文')");
        assertThat(rootQuery(my, "SELECT v FROM cs_default.t")).containsExactly("中文");
        Response r = api.post(base(my) + "/databases", "{\"databases\": [{\"name\": \"fine\"}, {\"name\": \"bad4\","
                + " \"collate\": \"utf8mb4_klingon_ci\"}]}");
        assertThat(r.status()).isEqualTo(400);
        assertThat(serverDatabases(my)).doesNotContain("fine", "bad4");
    }

    // ---- helpers -------------------------------------------------------------------------------------------

    private String base(Kind kind) {
        return sql.base(kind);
    }

    private void login(Kind kind, String user, String password) throws SQLException {
        kind.connect(sql.ip(kind), kind.defaultDb, user, password).close();
    }

    private void assertCannotLogIn(Kind kind, String user, String password) {
        assertThatThrownBy(() -> login(kind, user, password)).as(user + " must not log in").isInstanceOf(SQLException.class);
    }

    private List<String> serverDatabases(Kind kind) throws SQLException {
        return rootQuery(kind, kind == Kind.POSTGRESQL ? "SELECT datname FROM pg_database" : "SHOW DATABASES");
    }

    private List<String> serverUsers(Kind kind) throws SQLException {
        return rootQuery(kind, kind == Kind.POSTGRESQL ? "SELECT rolname FROM pg_roles" : "SELECT User FROM mysql.user");
    }

    private List<String> rootQuery(Kind kind, String query) throws SQLException {
        return sql.rootQuery(kind, query);
    }

    private void rootSql(Kind kind, String statement) throws SQLException {
        sql.rootSql(kind, statement);
    }

    private static String quote(Kind kind, String name) {
        return kind == Kind.POSTGRESQL ? "\"" + name + "\"" : "`" + name + "`";
    }
}
