package org.jtrove.model.guest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.assertj.core.api.AbstractThrowableAssert;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.jtrove.model.JtroveException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class NameRulesTest {

    private static AbstractThrowableAssert<?, ? extends Throwable> assertBadRequest(ThrowingCallable call) {
        return assertThatThrownBy(call)
                .isInstanceOf(JtroveException.class)
                .satisfies(e -> assertThat(((JtroveException) e).status()).isEqualTo(400));
    }

    // ---- Trove's rules per datastore -----------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"mydb", "my_db", "my-db", "_private", "Db2", "0start", "a", "UPPER_lower-123"})
    void plainNamesPassOnBothDatastores(String name) {
        assertThat(NameRules.POSTGRESQL.checkDatabase(name)).isEqualTo(name);
        assertThat(NameRules.POSTGRESQL.checkUser(name)).isEqualTo(name);
        assertThat(NameRules.MYSQL.checkDatabase(name)).isEqualTo(name);
        assertThat(NameRules.MYSQL.checkUser(name)).isEqualTo(name);
    }

    @ParameterizedTest
    @ValueSource(strings = {"my.user", "a@b", "#hash", "in ner", "caf\u00e9", "x%y", "a-b.c@d#e f", "?q"})
    void mysqlUserNamesFollowTrove(String name) {
        assertThat(NameRules.MYSQL.checkUser(name)).isEqualTo(name);
    }

    @ParameterizedTest
    @ValueSource(strings = {" lead", "trail ", "a'b", "a\"b", "a`b", "a;b", "a,b", "a/b", "a\\b", "a\tb", "a\u200bb",
            "x'; DROP TABLE t; --"})
    void mysqlUserNamesTroveRefuses(String name) {
        assertBadRequest(() -> NameRules.MYSQL.checkUser(name));
    }

    @ParameterizedTest
    @ValueSource(strings = {"app db", "a@b", "a#b", "a?b", "a --b", "db_1-x"})
    void mysqlDatabaseNamesFollowTrove(String name) {
        assertThat(NameRules.MYSQL.checkDatabase(name)).isEqualTo(name);
    }

    @ParameterizedTest
    @ValueSource(strings = {"my.db", "a'b", "a\"b", "a;b", "a`b", "a\\b", " ab", "ab ", "a b c", "caf\u00e9", "a/b", "a%b"})
    void mysqlDatabaseNamesTroveRefuses(String name) {
        assertBadRequest(() -> NameRules.MYSQL.checkDatabase(name));
    }

    @ParameterizedTest
    @ValueSource(strings = {"my.db", "app.reader", "a b", "a'b", "a\"b; DROP ROLE os_admin; --", "caf\u00e9", "a@b",
            "\u540d\u524d"})
    void postgresqlNamesFollowTrove(String name) {
        assertThat(NameRules.POSTGRESQL.checkDatabase(name)).isEqualTo(name);
        assertThat(NameRules.POSTGRESQL.checkUser(name)).isEqualTo(name);
    }

    @ParameterizedTest
    @ValueSource(strings = {"trail ", "a\nb", "a\u0000b", "a\u200bb", "a\u202eb"})
    void postgresqlDatabaseNamesTroveRefuses(String name) {
        assertBadRequest(() -> NameRules.POSTGRESQL.checkDatabase(name));
    }

    @ParameterizedTest
    @NullAndEmptySource
    void missingNamesAreRejected(String name) {
        assertBadRequest(() -> NameRules.POSTGRESQL.checkDatabase(name)).hasMessageContaining("required");
        assertBadRequest(() -> NameRules.POSTGRESQL.checkUser(name)).hasMessageContaining("required");
        assertBadRequest(() -> NameRules.MYSQL.checkDatabase(name)).hasMessageContaining("required");
        assertBadRequest(() -> NameRules.MYSQL.checkUser(name)).hasMessageContaining("required");
    }

    @Test
    void rejectedNameIsEchoedWithoutControlCharacters() {
        assertBadRequest(() -> NameRules.MYSQL.checkDatabase("evil\r\nX-Injected: 1"))
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\r").doesNotContain("\n")
                        .contains("evil??X-Injected"));
    }

    @Test
    void existingNamesAreAddressedByWhatTheServerHolds() {
        // a user created by SQL outside Trove's rules is still shown, changed and deleted by its listed name
        assertThat(NameRules.MYSQL.userRef("x'y")).isEqualTo("x'y");
        assertThat(NameRules.MYSQL.databaseRef("my.db")).isEqualTo("my.db");
        assertThat(NameRules.MYSQL.hostRef("localhost")).isEqualTo("localhost");
        assertBadRequest(() -> NameRules.MYSQL.userRef("a\u0000b"));
        assertBadRequest(() -> NameRules.MYSQL.userRef("root"));
        assertBadRequest(() -> NameRules.MYSQL.hostRef("h\\x"));
    }

    @Test
    void userIdsSplitAtTheLastAt() {
        assertThat(NameRules.MYSQL.userId("alice")).isEqualTo(new NameRules.UserRef("alice", "%"));
        assertThat(NameRules.MYSQL.userId("netuser@10.0.0.0/255.255.255.0"))
                .isEqualTo(new NameRules.UserRef("netuser", "10.0.0.0/255.255.255.0"));
        assertThat(NameRules.MYSQL.userId("a@b@%")).isEqualTo(new NameRules.UserRef("a@b", "%"));
        assertThat(NameRules.MYSQL.userId("my.user@%").id()).isEqualTo("my.user@%");
        assertThat(NameRules.POSTGRESQL.userId("a@b")).isEqualTo(new NameRules.UserRef("a@b", "%"));
        assertThat(NameRules.POSTGRESQL.userId("app.reader@%")).isEqualTo(new NameRules.UserRef("app.reader", "%"));
    }

    // ---- lengths -------------------------------------------------------------------------------------------

    @Test
    void postgresqlNamesMayBe63BytesNotMore() {
        String ok = "a".repeat(63);
        String tooLong = "a".repeat(64);
        assertThat(NameRules.POSTGRESQL.checkDatabase(ok)).isEqualTo(ok);
        assertThat(NameRules.POSTGRESQL.checkUser(ok)).isEqualTo(ok);
        assertBadRequest(() -> NameRules.POSTGRESQL.checkDatabase(tooLong)).hasMessageContaining("longer than 63");
        assertBadRequest(() -> NameRules.POSTGRESQL.checkUser(tooLong)).hasMessageContaining("longer than 63");
        // PostgreSQL would silently cut a longer name: 32 two-byte characters are 64 bytes
        assertBadRequest(() -> NameRules.POSTGRESQL.checkUser("\u00e9".repeat(32))).hasMessageContaining("bytes");
    }

    @Test
    void mysqlDatabaseNamesMayBe64Characters() {
        String ok = "d".repeat(64);
        assertThat(NameRules.MYSQL.checkDatabase(ok)).isEqualTo(ok);
        assertBadRequest(() -> NameRules.MYSQL.checkDatabase("d".repeat(65))).hasMessageContaining("longer than 64");
    }

    @Test
    void overlongMessageIsTruncated() {
        String huge = "x".repeat(10_000);
        assertBadRequest(() -> NameRules.MYSQL.checkUser(huge))
                .satisfies(e -> assertThat(e.getMessage().length()).isLessThan(300));
    }

    // ---- reserved names ------------------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"postgres", "POSTGRES", "Postgres", "template0", "Template1"})
    void postgresqlReservedDatabases(String name) {
        assertBadRequest(() -> NameRules.POSTGRESQL.checkDatabase(name)).hasMessageContaining("reserved");
    }

    @ParameterizedTest
    @ValueSource(strings = {"postgres", "PoStGrEs", "os_admin", "OS_ADMIN", "root", "Root", "pg_monitor", "pg_anything", "public",
            "jtrove_replicator", "JTrove_Replicator"})
    void postgresqlReservedUsers(String name) {
        assertBadRequest(() -> NameRules.POSTGRESQL.checkUser(name)).hasMessageContaining("reserved");
    }

    @ParameterizedTest
    @ValueSource(strings = {"mysql", "MySQL", "MYSQL", "information_schema", "Performance_Schema", "sys", "SYS"})
    void mysqlReservedDatabases(String name) {
        assertBadRequest(() -> NameRules.MYSQL.checkDatabase(name)).hasMessageContaining("reserved");
    }

    @ParameterizedTest
    @ValueSource(strings = {"root", "ROOT", "os_admin", "Os_Admin", "mysql", "MySql", "debian-sys-maint",
            "jtrove_replicator"})
    void mysqlReservedUsers(String name) {
        assertBadRequest(() -> NameRules.MYSQL.checkUser(name)).hasMessageContaining("reserved");
    }

    @Test
    void reservationsAreSpecificToTheDatastore() {
        // "postgres" is only special on PostgreSQL, "mysql" only on MySQL
        assertThat(NameRules.MYSQL.checkDatabase("postgres")).isEqualTo("postgres");
        assertThat(NameRules.POSTGRESQL.checkDatabase("mysql")).isEqualTo("mysql");
        assertThat(NameRules.POSTGRESQL.checkUser("mysql")).isEqualTo("mysql");
        // a name merely containing a reserved word is fine
        assertThat(NameRules.MYSQL.checkUser("root2")).isEqualTo("root2");
        assertThat(NameRules.POSTGRESQL.checkDatabase("postgres_app")).isEqualTo("postgres_app");
    }

    // ---- hosts ---------------------------------------------------------------------------------------------

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"%"})
    void postgresqlAcceptsOnlyTheWildcardHost(String host) {
        assertThat(NameRules.POSTGRESQL.checkHost(host)).isEqualTo("%");
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "10.0.%", "%%", "a b"})
    void postgresqlRejectsOtherHosts(String host) {
        assertBadRequest(() -> NameRules.POSTGRESQL.checkHost(host)).hasMessageContaining("does not support user hosts");
    }

    @ParameterizedTest
    @ValueSource(strings = {"%", "127.0.0.1", "10.0.%", "192.168.%.%", "10.0.0.0/255.255.255.0", "192.168.1.0/24",
            "::1", "fe80::1", "2001:db8::/32"})
    void mysqlAcceptsIpHostsAsTroveDoes(String host) {
        assertThat(NameRules.MYSQL.checkHost(host)).isEqualTo(host);
    }

    @Test
    void mysqlDefaultsMissingHostToWildcard() {
        assertThat(NameRules.MYSQL.checkHost(null)).isEqualTo("%");
        assertThat(NameRules.MYSQL.checkHost("")).isEqualTo("%");
    }

    @ParameterizedTest
    @ValueSource(strings = {"localhost", "db-1.example.com", "a b", "host'", "h;drop", "h\\x", "h\"", "h\nx", "h/x",
            "300.0.0.1", "10.0.0.0/33", "10.0.0.0/255.255.0", "1:2:3:4:5:6:7:8:9", "%' OR 1"})
    void mysqlRejectsBadHosts(String host) {
        assertBadRequest(() -> NameRules.MYSQL.checkHost(host));
    }

    @Test
    void mysqlRejectsOverlongHost() {
        assertBadRequest(() -> NameRules.MYSQL.hostRef("h".repeat(256)));
    }

    // ---- passwords -----------------------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"s3cret", "with space", "quo'te\"s;\\and%more", "\u00fcnicode-\u00e9", "~"})
    void ordinaryPasswordsPass(String password) {
        NameRules.checkPassword(password); // does not throw
    }

    @Test
    void passwordOf128CharactersPassesAnd129IsRejected() {
        NameRules.checkPassword("p".repeat(128));
        assertBadRequest(() -> NameRules.checkPassword("p".repeat(129)));
    }

    @ParameterizedTest
    @NullAndEmptySource
    void missingPasswordIsRejected(String password) {
        assertBadRequest(() -> NameRules.checkPassword(password)).hasMessageContaining("required");
    }

    @ParameterizedTest
    @ValueSource(strings = {"a\nb", "a\rb", "a\tb", "a\u0000b", "\u001b[31m", "a\u007fb", "end\n"})
    void controlCharactersInPasswordsAreRejected(String password) {
        assertBadRequest(() -> NameRules.checkPassword(password)).hasMessageContaining("control characters");
    }

    @Test
    void postgresqlPasswordsMustKeepCharactersAfterSaslPrep() {
        assertBadRequest(() -> NameRules.POSTGRESQL.password("\u200b")).hasMessageContaining("SASLprep");
        assertBadRequest(() -> NameRules.POSTGRESQL.password("\u00ad\ufeff\u200b")).hasMessageContaining("SASLprep");
        NameRules.POSTGRESQL.password("\u200bpass");   // "pass" once prepared
        NameRules.MYSQL.password("\u200b");            // MariaDB stores a hash of the bytes as given
        assertThat(NameRules.saslPrepared("a\u00a0b\u200b")).isEqualTo("a b");
    }

    // ---- character sets, managers --------------------------------------------------------------------------

    @Test
    void charsetAndCollation() {
        assertThat(NameRules.checkCharsetOrCollation("Character set", null)).isNull();
        assertThat(NameRules.checkCharsetOrCollation("Character set", "utf8mb4")).isEqualTo("utf8mb4");
        assertThat(NameRules.checkCharsetOrCollation("Collation", "en_US.UTF-8")).isEqualTo("en_US.UTF-8");
        assertBadRequest(() -> NameRules.checkCharsetOrCollation("Character set", "utf8; DROP DATABASE x"));
        assertBadRequest(() -> NameRules.checkCharsetOrCollation("Collation", "c'"));
        assertBadRequest(() -> NameRules.checkCharsetOrCollation("Collation", ""));
        assertBadRequest(() -> NameRules.checkCharsetOrCollation("Collation", "c".repeat(65)));
    }

    @Test
    void rulesByManager() {
        assertThat(NameRules.forManager("postgresql")).isSameAs(NameRules.POSTGRESQL);
        assertThat(NameRules.forManager("mysql")).isSameAs(NameRules.MYSQL);
        assertThat(NameRules.forManager("mariadb")).isSameAs(NameRules.MYSQL);
        assertThatThrownBy(() -> NameRules.forManager("redis"))
                .isInstanceOf(JtroveException.class)
                .satisfies(e -> assertThat(((JtroveException) e).status()).isEqualTo(501));
        assertThat(NameRules.find("redis")).isEmpty();
        assertThat(NameRules.find("mysql")).contains(NameRules.MYSQL);
    }

    @Test
    void managersWithoutDatabasesAnswerTrovesOperationNotSupported() {
        assertThat(Managers.checkKnown("redis")).isEqualTo("redis");
        assertThat(Managers.hasDatabasesAndUsers("redis")).isFalse();
        assertThat(Managers.hasDatabasesAndUsers("postgresql")).isTrue();
        assertThatThrownBy(() -> Managers.checkKnown("mongodb"))
                .satisfies(e -> assertThat(((JtroveException) e).status()).isEqualTo(501));
        JtroveException e = Managers.operationNotSupported("create_database", "redis");
        assertThat(e.status()).isEqualTo(501);
        assertThat(e.getMessage()).isEqualTo("The 'create_database' operation is not supported for the 'redis' datastore.");
    }
}
