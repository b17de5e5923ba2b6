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

    // ---- valid names ---------------------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"mydb", "my_db", "my-db", "_private", "Db2", "0start", "a", "UPPER_lower-123"})
    void validNamesPassOnBothDatastores(String name) {
        assertThat(NameRules.POSTGRESQL.checkDatabase(name)).isEqualTo(name);
        assertThat(NameRules.POSTGRESQL.checkUser(name)).isEqualTo(name);
        assertThat(NameRules.MYSQL.checkDatabase(name)).isEqualTo(name);
        assertThat(NameRules.MYSQL.checkUser(name)).isEqualTo(name);
    }

    // ---- invalid characters --------------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"my'db", "my\"db", "db;drop", "a\\b", "a b", " lead", "trail ", "-leading", "a`b",
            "a.b", "a/b", "a%b", "a\nb", "a\u0000b", "caf\u00e9", "a\tb", "x'; DROP TABLE t; --"})
    void invalidCharactersAreRejected(String name) {
        assertBadRequest(() -> NameRules.POSTGRESQL.checkDatabase(name));
        assertBadRequest(() -> NameRules.POSTGRESQL.checkUser(name));
        assertBadRequest(() -> NameRules.MYSQL.checkDatabase(name));
        assertBadRequest(() -> NameRules.MYSQL.checkUser(name));
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

    // ---- lengths -------------------------------------------------------------------------------------------

    @Test
    void postgresqlNamesMayBe63CharactersNotMore() {
        String ok = "a".repeat(63);
        String tooLong = "a".repeat(64);
        assertThat(NameRules.POSTGRESQL.checkDatabase(ok)).isEqualTo(ok);
        assertThat(NameRules.POSTGRESQL.checkUser(ok)).isEqualTo(ok);
        assertBadRequest(() -> NameRules.POSTGRESQL.checkDatabase(tooLong)).hasMessageContaining("longer than 63");
        assertBadRequest(() -> NameRules.POSTGRESQL.checkUser(tooLong)).hasMessageContaining("longer than 63");
    }

    @Test
    void mysqlDatabaseNamesMayBe64Characters() {
        String ok = "d".repeat(64);
        assertThat(NameRules.MYSQL.checkDatabase(ok)).isEqualTo(ok);
        assertBadRequest(() -> NameRules.MYSQL.checkDatabase("d".repeat(65))).hasMessageContaining("longer than 64");
    }

    @Test
    void mysqlUserNamesMayBe80Characters() {
        String ok = "u".repeat(80);
        assertThat(NameRules.MYSQL.checkUser(ok)).isEqualTo(ok);
        assertThat(NameRules.MYSQL.checkUser("u".repeat(65))).hasSize(65);
        assertBadRequest(() -> NameRules.MYSQL.checkUser("u".repeat(81))).hasMessageContaining("longer than 80");
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
    @ValueSource(strings = {"postgres", "PoStGrEs", "os_admin", "OS_ADMIN", "root", "Root", "pg_monitor", "public"})
    void postgresqlReservedUsers(String name) {
        assertBadRequest(() -> NameRules.POSTGRESQL.checkUser(name)).hasMessageContaining("reserved");
    }

    @ParameterizedTest
    @ValueSource(strings = {"mysql", "MySQL", "MYSQL", "information_schema", "Performance_Schema", "sys", "SYS"})
    void mysqlReservedDatabases(String name) {
        assertBadRequest(() -> NameRules.MYSQL.checkDatabase(name)).hasMessageContaining("reserved");
    }

    @ParameterizedTest
    @ValueSource(strings = {"root", "ROOT", "os_admin", "Os_Admin", "mysql", "MySql", "debian-sys-maint"})
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
    @ValueSource(strings = {"localhost", "127.0.0.1", "10.0.%", "%%", "a b"})
    void postgresqlRejectsOtherHosts(String host) {
        assertBadRequest(() -> NameRules.POSTGRESQL.checkHost(host)).hasMessageContaining("does not support user hosts");
    }

    @ParameterizedTest
    @ValueSource(strings = {"%", "localhost", "127.0.0.1", "10.0.%", "db-1.example.com", "::1", "fe80::1"})
    void mysqlAcceptsHosts(String host) {
        assertThat(NameRules.MYSQL.checkHost(host)).isEqualTo(host);
    }

    @Test
    void mysqlDefaultsMissingHostToWildcard() {
        assertThat(NameRules.MYSQL.checkHost(null)).isEqualTo("%");
        assertThat(NameRules.MYSQL.checkHost("")).isEqualTo("%");
    }

    @ParameterizedTest
    @ValueSource(strings = {"a b", "host'", "h;drop", "h\\x", "h\"", "h\nx", "h/x"})
    void mysqlRejectsBadHosts(String host) {
        assertBadRequest(() -> NameRules.MYSQL.checkHost(host));
    }

    @Test
    void mysqlRejectsOverlongHost() {
        assertThat(NameRules.MYSQL.checkHost("h".repeat(60))).hasSize(60);
        assertBadRequest(() -> NameRules.MYSQL.checkHost("h".repeat(61)));
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
