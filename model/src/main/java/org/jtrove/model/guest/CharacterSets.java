package org.jtrove.model.guest;

import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.jtrove.model.JtroveException;

/**
 * The character sets (PostgreSQL: encodings) and collations (PostgreSQL: locales) one server build offers, read
 * from the build itself when its datastore version is registered. The api checks a database's
 * {@code character_set} and {@code collate} against it when the request arrives, so an unknown one is a 400
 * before anything is built or created.
 *
 * @param characterSets the names the server lists
 * @param collations    each collation with the character set it belongs to (null: it suits every one)
 */
public record CharacterSets(List<String> characterSets, List<Collation> collations) {
    /** Nothing known (the build was not read): only the names' spelling is checked, the server decides the rest. */
    public static final CharacterSets UNKNOWN = new CharacterSets(List.of(), List.of());

    /** A collation, the character set it belongs to (null: any) and whether it is that set's default. */
    public record Collation(String name, String characterSet, boolean isDefault) {}

    /** Each name once (the first entry of a name wins). */
    public CharacterSets {
        characterSets = characterSets.stream().distinct().toList();
        Set<String> seen = new HashSet<>();
        collations = collations.stream().filter(c -> seen.add(c.name())).toList();
    }

    public boolean isEmpty() {
        return characterSets.isEmpty();
    }

    /**
     * {@code db} with its character set and collation checked for a datastore of {@code manager}: each must be one
     * this build offers, and a collation must belong to the character set. Names match as the server matches them:
     * MySQL/MariaDB without regard to case; PostgreSQL encodings also without punctuation ("utf-8" is UTF8), and
     * locales with the codeset spelled either way ("C.UTF-8" is "C.utf8").
     */
    public DatabaseSpec check(String manager, DatabaseSpec db) {
        NameRules.checkCharsetOrCollation("Character set", db.characterSet());
        NameRules.checkCharsetOrCollation("Collation", db.collate());
        if (isEmpty()) {
            return db;
        }
        boolean postgresql = "postgresql".equals(manager);
        String charset = db.characterSet();
        if (charset != null && characterSets.stream().noneMatch(c -> sameCharset(postgresql, c, charset))) {
            throw JtroveException.badRequest("Character set '" + NameRules.printable(charset) + "' is not supported by"
                    + " this datastore version; use one of " + String.join(", ", characterSets) + ".");
        }
        if (db.collate() != null) {
            Collation collation = collation(postgresql, db.collate()).orElseThrow(() -> JtroveException.badRequest(
                    "Collation '" + NameRules.printable(db.collate()) + "' is not supported by this datastore version"
                            + (postgresql ? "; use one of " + String.join(", ", collations.stream()
                            .map(Collation::name).toList()) + "." : "; list the valid ones with SHOW COLLATION.")));
            String wanted = charset != null ? charset : postgresql ? "UTF8" : null;
            if (wanted != null && collation.characterSet() != null
                    && !sameCharset(postgresql, collation.characterSet(), wanted)) {
                throw JtroveException.badRequest("Collation '" + collation.name() + "' is not valid for character set '"
                        + NameRules.printable(wanted) + "'; it belongs to " + collation.characterSet() + ".");
            }
        }
        return db;
    }

    private Optional<Collation> collation(boolean postgresql, String name) {
        return collations.stream().filter(c -> postgresql ? locale(c.name()).equals(locale(name))
                : c.name().equalsIgnoreCase(name)).findFirst();
    }

    private static boolean sameCharset(boolean postgresql, String a, String b) {
        return postgresql ? encoding(a).equals(encoding(b)) : a.equalsIgnoreCase(b);
    }

    /** PostgreSQL's own spelling rule for encoding names: case and non-alphanumerics do not count. */
    private static String encoding(String name) {
        return name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "");
    }

    /** A locale name with its codeset normalised as the C library does ("en_US.UTF-8" is "en_US.utf8"). */
    private static String locale(String name) {
        int dot = name.indexOf('.');
        if (dot < 0) {
            return name;
        }
        int at = name.indexOf('@', dot);
        String codeset = at < 0 ? name.substring(dot + 1) : name.substring(dot + 1, at);
        return name.substring(0, dot) + "." + encoding(codeset) + (at < 0 ? "" : name.substring(at));
    }
}
