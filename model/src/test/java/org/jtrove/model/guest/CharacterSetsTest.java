package org.jtrove.model.guest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.jtrove.model.JtroveException;
import org.junit.jupiter.api.Test;

class CharacterSetsTest {
    /** A few of what MariaDB 10.11's information_schema lists. */
    private static final CharacterSets MARIADB = new CharacterSets(List.of("latin1", "utf8mb4", "utf8mb3", "utf8"), List.of(
            new CharacterSets.Collation("latin1_swedish_ci", "latin1", true),
            new CharacterSets.Collation("latin1_bin", "latin1", false),
            new CharacterSets.Collation("utf8mb4_general_ci", "utf8mb4", true),
            new CharacterSets.Collation("utf8mb4_bin", "utf8mb4", false),
            new CharacterSets.Collation("utf8_general_ci", "utf8", true)));
    /** What PostgreSQL 15 on this machine offers: encodings, and libc locales with the encoding they need. */
    private static final CharacterSets POSTGRESQL = new CharacterSets(List.of("SQL_ASCII", "UTF8", "LATIN1", "WIN1252"),
            List.of(new CharacterSets.Collation("C", null, false), new CharacterSets.Collation("POSIX", null, false),
                    new CharacterSets.Collation("C.utf8", "UTF8", false)));

    private static DatabaseSpec db(String charset, String collate) {
        return new DatabaseSpec("d", charset, collate);
    }

    private static void refused(CharacterSets sets, String manager, DatabaseSpec spec, String message) {
        assertThatThrownBy(() -> sets.check(manager, spec)).isInstanceOf(JtroveException.class)
                .satisfies(e -> assertThat(((JtroveException) e).status()).isEqualTo(400)).hasMessageContaining(message);
    }

    @Test
    void mysqlNamesMatchWithoutRegardToCase() {
        assertThat(MARIADB.check("mysql", db("UTF8MB4", "utf8mb4_BIN"))).isEqualTo(db("UTF8MB4", "utf8mb4_BIN"));
        MARIADB.check("mysql", db(null, "latin1_bin"));
        MARIADB.check("mysql", db("utf8", "utf8_general_ci"));
        MARIADB.check("mysql", db(null, null));
    }

    @Test
    void mysqlRefusesUnknownNamesAndCollationsOfAnotherSet() {
        refused(MARIADB, "mysql", db("klingon", null), "use one of latin1, utf8mb4");
        refused(MARIADB, "mysql", db(null, "klingon_ci"), "SHOW COLLATION");
        refused(MARIADB, "mysql", db("utf8mb4", "latin1_bin"), "belongs to latin1");
        refused(MARIADB, "mysql", db("utf8mb4; DROP", null), "invalid");
    }

    @Test
    void postgresqlEncodingsAndLocalesMatchAsTheServerReadsThem() {
        POSTGRESQL.check("postgresql", db("utf-8", "C.UTF-8"));
        POSTGRESQL.check("postgresql", db("latin1", "C"));
        POSTGRESQL.check("postgresql", db("Win-1252", null));
        POSTGRESQL.check("postgresql", db(null, "c.utf8".replace("c", "C")));
        refused(POSTGRESQL, "postgresql", db("SJIS", null), "not supported");
        refused(POSTGRESQL, "postgresql", db(null, "en_US.UTF-8"), "use one of C, POSIX, C.utf8");
        refused(POSTGRESQL, "postgresql", db("LATIN1", "C.utf8"), "not valid for character set 'LATIN1'");
        refused(POSTGRESQL, "postgresql", db(null, "c"), "not supported");
    }

    @Test
    void withoutACatalogueOnlyTheSpellingIsChecked() {
        CharacterSets.UNKNOWN.check("mysql", db("anything_goes", "any_ci"));
        refused(CharacterSets.UNKNOWN, "mysql", db("utf8'", null), "invalid");
    }

    @Test
    void namesAreListedOnce() {
        CharacterSets sets = new CharacterSets(List.of("a", "a"), List.of(new CharacterSets.Collation("C", null, false),
                new CharacterSets.Collation("C", "UTF8", false)));
        assertThat(sets.characterSets()).containsExactly("a");
        assertThat(sets.collations()).containsExactly(new CharacterSets.Collation("C", null, false));
    }
}
