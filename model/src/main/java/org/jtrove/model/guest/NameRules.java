package org.jtrove.model.guest;

import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.jtrove.model.JtroveException;

/**
 * What a database or user name, a user host and a password may be on one datastore: Trove's own per-datastore
 * rules (trove/common/db/mysql/models.py and postgresql/models.py), with the server's own length limits. Checked
 * by the api before anything changes and again by the guest agent before a name reaches SQL, where it is always
 * quoted.
 *
 * <p>The {@code check*} methods are for names being created; the {@code *Ref} methods are for names that already
 * exist on the server (a user root created by SQL may have any name the server took): they only refuse what cannot
 * be a name at all, so every name a list shows can be shown, changed and deleted by that name.
 */
public final class NameRules {
    /** Trove's MySQL schema name: letters, digits, '_' and '-', with one run of blanks, '?', '#' or '@' inside. */
    private static final Pattern MYSQL_DATABASE = Pattern.compile("[A-Za-z0-9_-]+(?:[ ?#@]*[A-Za-z0-9_-]+)?");
    /** Trove's MySQL user (and password) refusals: leading or trailing blanks, quotes, backtick, ';', ',', '/', '\'. */
    private static final Pattern MYSQL_USER_REFUSED = Pattern.compile("^\\s|\\s$|['\"`;,/\\\\]");

    /** jtrove's own replication user on a replication source; reserved on every datastore with users. */
    public static final String REPLICATION_USER = "jtrove_replicator";

    public static final NameRules POSTGRESQL = new NameRules("PostgreSQL", 63, 63, true,
            name -> !Character.isWhitespace(name.codePointBefore(name.length())),
            "must not end with a blank",
            name -> true, "",
            Set.of("postgres", "template0", "template1"),
            Set.of("postgres", "os_admin", "root", "public", REPLICATION_USER), List.of("pg_"), false, true);

    public static final NameRules MYSQL = new NameRules("MySQL", 64, 80, false,
            name -> MYSQL_DATABASE.matcher(name).matches(),
            "use letters, digits, '_' and '-', with blanks, '?', '#' or '@' only between them",
            name -> !MYSQL_USER_REFUSED.matcher(name).find(),
            "must not start or end with a blank nor hold quotes, '`', ';', ',', '/' or '\\'",
            Set.of("mysql", "information_schema", "performance_schema", "sys", "lost+found"),
            Set.of("root", "os_admin", "mysql", "mariadb.sys", "debian-sys-maint", REPLICATION_USER), List.of(), true,
            false);

    private static final Pattern CHARSET = Pattern.compile("[A-Za-z0-9_.@-]{1,64}");
    private static final int MAX_HOST = 255;

    private final String family;
    private final int maxDatabaseName;
    private final int maxUserName;
    private final boolean lengthInBytes;
    private final Predicate<String> databaseName;
    private final String databaseRule;
    private final Predicate<String> userName;
    private final String userRule;
    private final Set<String> reservedDatabases;
    private final Set<String> reservedUsers;
    private final List<String> reservedUserPrefixes;
    private final boolean supportsHosts;
    private final boolean scramPasswords;

    private NameRules(String family, int maxDatabaseName, int maxUserName, boolean lengthInBytes,
                      Predicate<String> databaseName, String databaseRule, Predicate<String> userName, String userRule,
                      Set<String> reservedDatabases, Set<String> reservedUsers, List<String> reservedUserPrefixes,
                      boolean supportsHosts, boolean scramPasswords) {
        this.family = family;
        this.maxDatabaseName = maxDatabaseName;
        this.maxUserName = maxUserName;
        this.lengthInBytes = lengthInBytes;
        this.databaseName = databaseName;
        this.databaseRule = databaseRule;
        this.userName = userName;
        this.userRule = userRule;
        this.reservedDatabases = reservedDatabases;
        this.reservedUsers = reservedUsers;
        this.reservedUserPrefixes = reservedUserPrefixes;
        this.supportsHosts = supportsHosts;
        this.scramPasswords = scramPasswords;
    }

    public static NameRules forManager(String manager) {
        return find(manager).orElseThrow(() -> JtroveException.notImplemented(
                "Datastore manager " + manager + " has no database support."));
    }

    /** The rules of a manager with databases and users; empty for one without (e.g. "redis"). */
    public static Optional<NameRules> find(String manager) {
        return Optional.ofNullable(switch (manager) {
            case "postgresql" -> POSTGRESQL;
            case "mysql", "mariadb" -> MYSQL;
            default -> null;
        });
    }

    /** Whether users have a host part ('name'@'host', MySQL/MariaDB) or only a name (PostgreSQL). */
    public boolean supportsHosts() {
        return supportsHosts;
    }

    // ---- names being created ---------------------------------------------------------------------------------

    /** A new database's name by Trove's rules for this datastore; 400 otherwise. */
    public String checkDatabase(String name) {
        databaseRef(name);
        if (!databaseName.test(name)) {
            throw JtroveException.badRequest("Database name '" + printable(name) + "' is invalid on " + family
                    + ": " + databaseRule + ".");
        }
        return name;
    }

    /** A new user's name by Trove's rules for this datastore; 400 otherwise. */
    public String checkUser(String name) {
        userRef(name);
        if (!userName.test(name)) {
            throw JtroveException.badRequest("User name '" + printable(name) + "' is invalid on " + family + ": "
                    + userRule + ".");
        }
        return name;
    }

    /**
     * A new user's host: absent or '%' (anywhere), or, on MySQL/MariaDB, an IP address or network in which '%'
     * may stand for a part ('10.0.%', '10.0.0.0/255.255.255.0', '192.168.1.0/24', IPv6), as Trove requires with
     * its default hostname_require_valid_ip. Returns the host, '%' when absent.
     */
    public String checkHost(String host) {
        String h = hostRef(host);
        if (!h.equals("%") && !IpHost.isValid(h)) {
            throw JtroveException.badRequest("User host '" + printable(h) + "' is invalid: give '%' or an IP address"
                    + " or network, in which '%' may stand for a part (e.g. '10.0.%' or '10.0.0.0/255.255.255.0').");
        }
        return h;
    }

    // ---- names of what exists --------------------------------------------------------------------------------

    /** The name of an existing database (reserved ones refused); 400 if it cannot be a name at all. */
    public String databaseRef(String name) {
        check("Database", name, maxDatabaseName);
        if (reservedDatabases.contains(name.toLowerCase(Locale.ROOT))) {
            throw JtroveException.badRequest("Database name '" + printable(name) + "' is reserved; choose another name.");
        }
        return name;
    }

    /** The name of an existing user (reserved ones refused); 400 if it cannot be a name at all. */
    public String userRef(String name) {
        check("User", name, maxUserName);
        String lower = name.toLowerCase(Locale.ROOT);
        if (reservedUsers.contains(lower) || reservedUserPrefixes.stream().anyMatch(lower::startsWith)) {
            throw JtroveException.badRequest("User name '" + printable(name) + "' is reserved; choose another name.");
        }
        return name;
    }

    /** The host of an existing user ('%' when absent); only '%' on a datastore without hosts. */
    public String hostRef(String host) {
        String h = host == null || host.isEmpty() ? "%" : host;
        if (!supportsHosts && !h.equals("%")) {
            throw JtroveException.badRequest("This datastore does not support user hosts; leave host unset or '%'.");
        }
        if (h.length() > MAX_HOST || !printableText(h) || h.indexOf('\\') >= 0) {
            throw JtroveException.badRequest("User host '" + printable(h) + "' is invalid.");
        }
        return h;
    }

    /**
     * A user id of a request path, as Trove writes it: "name" (host '%'), or on MySQL/MariaDB "name@host" where the
     * last '@' splits, so that a name holding '@' is addressed with its host ("a@b@%"). On PostgreSQL the id is the
     * name (which may hold '@'); a trailing "@%" is dropped.
     */
    public UserRef userId(String raw) {
        if (!supportsHosts) {
            String name = raw.endsWith("@%") ? raw.substring(0, raw.length() - 2) : raw;
            return new UserRef(userRef(name), "%");
        }
        int at = raw.lastIndexOf('@');
        String name = at < 0 ? raw : raw.substring(0, at);
        String host = at < 0 ? "%" : raw.substring(at + 1);
        return new UserRef(userRef(name), hostRef(host));
    }

    /** A user named by a request: its name and host. */
    public record UserRef(String name, String host) {
        /** Trove's user id: name@host. */
        public String id() {
            return name + "@" + host;
        }
    }

    // ---- passwords and character sets ------------------------------------------------------------------------

    /**
     * A password: 1 to 128 characters without control characters. On PostgreSQL the password is first prepared as
     * SCRAM-SHA-256 does (SASLprep, RFC 4013: characters "commonly mapped to nothing" removed, other spaces made
     * blanks, NFKC); one that is empty after that (e.g. only a zero-width space) is refused.
     */
    public void password(String password) {
        checkPassword(password);
        if (scramPasswords && saslPrepared(password).isEmpty()) {
            throw JtroveException.badRequest("The password is empty once prepared for SCRAM authentication (SASLprep,"
                    + " RFC 4013 removes characters such as the zero-width space); choose a password with visible"
                    + " characters.");
        }
    }

    /** The rules every datastore shares for passwords: 1 to 128 characters, no control characters. */
    public static void checkPassword(String password) {
        if (password == null || password.isEmpty()) {
            throw JtroveException.badRequest("A password is required.");
        }
        if (password.length() > 128) {
            throw JtroveException.badRequest("Password is longer than 128 characters.");
        }
        if (password.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            throw JtroveException.badRequest("Password must not contain control characters.");
        }
    }

    /** A character set or collation name's spelling (letters, digits, '_', '.', '@', '-'); 400 otherwise. */
    public static String checkCharsetOrCollation(String what, String value) {
        if (value != null && !CHARSET.matcher(value).matches()) {
            throw JtroveException.badRequest(what + " '" + printable(value) + "' is invalid.");
        }
        return value;
    }

    /** RFC 4013's mapping and normalisation (B.1 to nothing, C.1.2 to a blank, NFKC). */
    static String saslPrepared(String password) {
        StringBuilder mapped = new StringBuilder();
        password.codePoints().forEach(cp -> {
            if (MAPPED_TO_NOTHING.contains(cp)) {
                return;
            }
            mapped.appendCodePoint(cp != ' ' && Character.getType(cp) == Character.SPACE_SEPARATOR ? ' ' : cp);
        });
        return Normalizer.normalize(mapped, Normalizer.Form.NFKC);
    }

    /** RFC 3454 table B.1, "commonly mapped to nothing". */
    private static final Set<Integer> MAPPED_TO_NOTHING = Set.of(0x00AD, 0x034F, 0x1806, 0x180B, 0x180C, 0x180D,
            0x200B, 0x200C, 0x200D, 0x2060, 0xFE00, 0xFE01, 0xFE02, 0xFE03, 0xFE04, 0xFE05, 0xFE06, 0xFE07, 0xFE08,
            0xFE09, 0xFE0A, 0xFE0B, 0xFE0C, 0xFE0D, 0xFE0E, 0xFE0F, 0xFEFF);

    // ---- shared checks ---------------------------------------------------------------------------------------

    private void check(String what, String name, int max) {
        if (name == null || name.isEmpty()) {
            throw JtroveException.badRequest(what + " name is required.");
        }
        int length = lengthInBytes ? name.getBytes(StandardCharsets.UTF_8).length : name.codePointCount(0, name.length());
        if (length > max) {
            throw JtroveException.badRequest(what + " name '" + printable(name) + "' is longer than " + max
                    + (lengthInBytes ? " bytes (UTF-8)." : " characters."));
        }
        if (!printableText(name)) {
            throw JtroveException.badRequest(what + " name '" + printable(name)
                    + "' is invalid: it holds control, format or unassigned characters.");
        }
    }

    /**
     * Python's str.isprintable, which Trove's checks amount to (a name whose repr() needs a backslash is
     * refused): no control, format, private-use, unassigned or separator characters other than the blank.
     */
    static boolean printableText(String s) {
        return s.codePoints().allMatch(cp -> cp == ' ' || switch (Character.getType(cp)) {
            case Character.CONTROL, Character.FORMAT, Character.PRIVATE_USE, Character.SURROGATE, Character.UNASSIGNED,
                 Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR, Character.SPACE_SEPARATOR -> false;
            default -> true;
        });
    }

    /** Echoes a rejected value without control characters (it goes into an error message). */
    static String printable(String s) {
        String cut = s.length() > 80 ? s.substring(0, 80) + "..." : s;
        return cut.replaceAll("\\p{Cntrl}", "?");
    }
}
