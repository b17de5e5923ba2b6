package org.jtrove.guestagent;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One change a multi-item request made to a database server, written down as the change that takes it back.
 * Every step is idempotent (undoing something that was never done changes nothing), so a journal may list a step
 * whose change never ran, because it is recorded before its change runs.
 *
 * @param action      what undoes the change: {@code drop_database}, {@code drop_user}, {@code restore_password},
 *                    {@code rename_user} or {@code revoke}
 * @param name        the database (drop_database) or user the step acts on
 * @param host        the user's host ('%' on PostgreSQL)
 * @param target      rename_user: the name to rename back to; revoke: the database
 * @param targetHost  rename_user: the host to rename back to
 * @param credential  restore_password: the server's stored form of the previous password (a hash, never the
 *                    password itself), or null when there was none
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record UndoStep(String action, String name, String host, String target, String targetHost, String credential) {
    public static UndoStep dropDatabase(String name) {
        return new UndoStep("drop_database", name, null, null, null, null);
    }

    public static UndoStep dropUser(String name, String host) {
        return new UndoStep("drop_user", name, host, null, null, null);
    }

    public static UndoStep restorePassword(String name, String host, String storedPassword) {
        return new UndoStep("restore_password", name, host, null, null, storedPassword);
    }

    /** Undoes a rename of {@code name}@{@code host} (the old one) to {@code newName}@{@code newHost}. */
    public static UndoStep renameBack(String newName, String newHost, String name, String host) {
        return new UndoStep("rename_user", newName, newHost, name, host, null);
    }

    public static UndoStep revoke(String name, String host, String database) {
        return new UndoStep("revoke", name, host, database, null, null);
    }

    @Override
    public String toString() {
        return action + " " + name + (host == null ? "" : "@" + host) + (target == null ? "" : " -> " + target);
    }
}
