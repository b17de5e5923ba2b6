package org.jtrove.model.guest;

import java.util.Set;
import java.util.regex.Pattern;
import org.jtrove.model.JtroveException;

/**
 * What a database or user name may be on one datastore. Checked by the api before anything changes and again
 * by the guest agent before a name reaches SQL (where it is also quoted).
 */
public record NameRules(int maxDatabaseName, int maxUserName, Set<String> reservedDatabases,
                        Set<String> reservedUsers, boolean supportsHosts) {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_-]*");
    private static final Pattern HOST = Pattern.compile("%|[A-Za-z0-9_.%:-]+");
    private static final Pattern CHARSET = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

    public static final NameRules POSTGRESQL = new NameRules(63, 63,
            Set.of("postgres", "template0", "template1"),
            Set.of("postgres", "os_admin", "root", "pg_monitor", "public"), false);
    public static final NameRules MYSQL = new NameRules(64, 80,
            Set.of("mysql", "information_schema", "performance_schema", "sys", "lost+found"),
            Set.of("root", "os_admin", "mysql", "mariadb.sys", "debian-sys-maint"), true);

    public static NameRules forManager(String manager) {
        return find(manager).orElseThrow(() -> JtroveException.notImplemented(
                "Datastore manager " + manager + " has no database support."));
    }

    /** The rules of a manager with databases and users; empty for one without (e.g. "redis"). */
    public static java.util.Optional<NameRules> find(String manager) {
        return java.util.Optional.ofNullable(switch (manager) {
            case "postgresql" -> POSTGRESQL;
            case "mysql", "mariadb" -> MYSQL;
            default -> null;
        });
    }

    public String checkDatabase(String name) {
        check("Database", name, maxDatabaseName);
        if (reservedDatabases.contains(name.toLowerCase(java.util.Locale.ROOT))) {
            throw JtroveException.badRequest("Database name '" + name + "' is reserved; choose another name.");
        }
        return name;
    }

    public String checkUser(String name) {
        check("User", name, maxUserName);
        if (reservedUsers.contains(name.toLowerCase(java.util.Locale.ROOT))) {
            throw JtroveException.badRequest("User name '" + name + "' is reserved; choose another name.");
        }
        return name;
    }

    public String checkHost(String host) {
        String h = host == null || host.isEmpty() ? "%" : host;
        if (!supportsHosts && !h.equals("%")) {
            throw JtroveException.badRequest("This datastore does not support user hosts; leave host unset or '%'.");
        }
        if (h.length() > 60 || !HOST.matcher(h).matches()) {
            throw JtroveException.badRequest("User host '" + printable(h) + "' is invalid: use letters, digits, '.', '-', '_', ':' or '%'.");
        }
        return h;
    }

    public static String checkCharsetOrCollation(String what, String value) {
        if (value != null && !CHARSET.matcher(value).matches()) {
            throw JtroveException.badRequest(what + " '" + printable(value) + "' is invalid.");
        }
        return value;
    }

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

    private static void check(String what, String name, int max) {
        if (name == null || name.isEmpty()) {
            throw JtroveException.badRequest(what + " name is required.");
        }
        if (name.length() > max) {
            throw JtroveException.badRequest(what + " name '" + printable(name) + "' is longer than " + max + " characters.");
        }
        if (!NAME.matcher(name).matches()) {
            throw JtroveException.badRequest(what + " name '" + printable(name)
                    + "' is invalid: use letters, digits, '_' and '-', starting with a letter, digit or '_'.");
        }
    }

    /** Echoes a rejected value without control characters (it goes into an error message). */
    private static String printable(String s) {
        String cut = s.length() > 80 ? s.substring(0, 80) + "..." : s;
        return cut.replaceAll("\\p{Cntrl}", "?");
    }
}
