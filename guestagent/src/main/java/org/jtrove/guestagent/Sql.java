package org.jtrove.guestagent;

import org.jtrove.model.JtroveException;

/** Quoting for the few places where SQL cannot take bind parameters (DDL). Names are validated before this. */
public final class Sql {
    private Sql() {}

    /** A double-quoted identifier (PostgreSQL). */
    public static String pgIdent(String name) {
        requireClean(name);
        return "\"" + name.replace("\"", "\"\"") + "\"";
    }

    /** A back-quoted identifier (MariaDB). */
    public static String myIdent(String name) {
        requireClean(name);
        return "`" + name.replace("`", "``") + "`";
    }

    /** A single-quoted string literal safe with or without backslash escapes. */
    public static String literal(String value) {
        requireClean(value);
        if (value.indexOf('\\') >= 0) {
            throw JtroveException.badRequest("Backslashes are not allowed here.");
        }
        return "'" + value.replace("'", "''") + "'";
    }

    private static void requireClean(String s) {
        if (s == null || s.indexOf('\0') >= 0) {
            throw JtroveException.badRequest("Invalid name.");
        }
    }
}
