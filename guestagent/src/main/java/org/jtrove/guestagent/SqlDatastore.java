package org.jtrove.guestagent;

import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import org.jtrove.model.JtroveException;
import org.jtrove.model.guest.DatabaseSpec;
import org.jtrove.model.guest.NameRules;
import org.jtrove.model.guest.UserSpec;

/**
 * A datastore with databases, users and grants, managed over JDBC as the admin user. A sub-interface rather
 * than an {@code Optional<SqlAdmin>} accessor: the capability is fixed per plugin, so one {@code instanceof}
 * in the guest agent says it, and the SQL plugins keep their methods where they are.
 * Every name reaching SQL has passed {@link #names()} and is quoted by the implementation.
 */
public interface SqlDatastore extends Datastore {
    NameRules names();

    Connection connectAdmin(InstanceContext ctx, String password, String database) throws SQLException;

    void changeAdminPassword(Connection c, String newPassword) throws SQLException;

    List<String> listDatabases(Connection c) throws SQLException;

    /**
     * Creates all of {@code databases} or none: the whole list is checked first (valid names, none exists yet),
     * then each database is recorded in {@code undo} before it is created.
     */
    void createDatabases(InstanceContext ctx, Connection c, List<DatabaseSpec> databases, UndoJournal undo)
            throws SQLException, IOException;

    void dropDatabase(Connection c, String name) throws SQLException;

    /**
     * Creates all of {@code users}, with their passwords and access to their databases, or none: the whole list is
     * checked first (valid names and passwords, no user exists yet, every database exists), and what the server
     * cannot do in one transaction is recorded in {@code undo} before it is done.
     */
    void createUsers(InstanceContext ctx, Connection c, String adminPassword, List<UserSpec> users, UndoJournal undo)
            throws SQLException, IOException;

    List<UserSpec> listUsers(Connection c) throws SQLException;

    void dropUser(InstanceContext ctx, Connection c, String adminPassword, String name, String host) throws SQLException;

    /** Sets the password of every user listed (name, host, password), all or none: every user must exist. */
    void changePasswords(Connection c, List<UserSpec> users, UndoJournal undo) throws SQLException, IOException;

    /**
     * Changes one user's password and/or name and host ({@code change}'s null fields stay as they are), all or
     * nothing; the new name and host must be free.
     */
    void updateUser(Connection c, String name, String host, UserChange change, UndoJournal undo)
            throws SQLException, IOException;

    /** Gives the user access to every database listed, all or none: the user and every database must exist. */
    void grant(InstanceContext ctx, Connection c, String adminPassword, String name, String host, List<String> databases,
               UndoJournal undo) throws SQLException, IOException;

    void revoke(InstanceContext ctx, Connection c, String adminPassword, String name, String host, String database)
            throws SQLException;

    List<String> listAccess(Connection c, String name, String host) throws SQLException;

    /** Takes back one recorded change; a step whose change never ran, or was already undone, changes nothing. */
    void undo(InstanceContext ctx, Connection c, String adminPassword, UndoStep step) throws SQLException;

    // ---- shared by the implementations ----------------------------------------------------------------------

    /**
     * Creates each of {@code databases}, all checked first (valid names and character set spellings, none in
     * {@code existing} or listed twice), with {@code statements} (the CREATE, then any grant or revoke it needs),
     * each database's drop recorded in {@code undo} before its CREATE runs. A CREATE the server refuses (e.g. the
     * name was taken meanwhile) is a 400 and its database is not the request's to drop.
     */
    default void createEach(Connection c, List<String> existing, List<DatabaseSpec> databases,
                            Function<DatabaseSpec, List<String>> statements, UndoJournal undo)
            throws SQLException, IOException {
        Set<String> seen = new HashSet<>();
        for (DatabaseSpec db : databases) {
            String name = names().checkDatabase(db.name());
            NameRules.checkCharsetOrCollation("Character set", db.characterSet());
            NameRules.checkCharsetOrCollation("Collation", db.collate());
            if (existing.contains(name) || !seen.add(name)) {
                throw JtroveException.badRequest("A database with the name '" + name + "' already exists.");
            }
        }
        for (DatabaseSpec db : databases) {
            List<String> sql = statements.apply(db);
            UndoStep drop = UndoStep.dropDatabase(db.name());
            undo.record(drop);
            try (Statement s = c.createStatement()) {
                s.execute(sql.get(0));
            } catch (SQLException e) {
                undo.forget(drop);
                throw JtroveException.badRequest("Cannot create database " + db.name() + ": " + e.getMessage());
            }
            for (String then : sql.subList(1, sql.size())) {
                try (Statement s = c.createStatement()) {
                    s.execute(then);
                }
            }
        }
    }

    /** Whether a user exists on the server ({@code host} is '%' where users have none). */
    interface UserLookup {
        boolean exists(String name, String host) throws SQLException;
    }

    /**
     * The check before users are created: valid names, hosts and passwords, no user that {@code lookup} finds or
     * that is listed twice (Trove's UserAlreadyExists, 400), every database in {@code databases} (404).
     */
    default void checkNewUsers(List<UserSpec> users, List<String> databases, UserLookup lookup) throws SQLException {
        Set<String> seen = new HashSet<>();
        for (UserSpec user : users) {
            String name = names().checkUser(user.name());
            String host = names().checkHost(user.host());
            names().password(user.password());
            String id = names().supportsHosts() ? name + "@" + host : name;
            if (lookup.exists(name, host) || !seen.add(id)) {
                throw JtroveException.badRequest("A user with the name '" + id + "' already exists.");
            }
            requireDatabases(databases, user.databases());
        }
    }

    /** Each of {@code wanted} must be in {@code existing}: Trove's DatabaseNotFound (404) otherwise. */
    default void requireDatabases(List<String> existing, List<String> wanted) {
        for (String db : wanted) {
            names().databaseRef(db);
            if (!existing.contains(db)) {
                throw JtroveException.notFound("Database " + db + " cannot be found on the instance.");
            }
        }
    }

    /** A change of one user: any of the new name, new host and new password (null: unchanged). */
    record UserChange(String name, String host, String password) {
        @Override
        public String toString() {
            return "UserChange[" + name + "@" + host + (password == null ? "" : ", password") + "]";
        }
    }

    void enableRoot(Connection c, String password) throws SQLException;

    void disableRoot(Connection c) throws SQLException;

    boolean isRootEnabled(Connection c) throws SQLException;

    // ---- the connection-free lifecycle operations, over one admin connection ----------------------------------

    @Override
    default boolean ping(InstanceContext ctx, String adminPassword) {
        try (Connection c = connectAdmin(ctx, adminPassword, null); Statement s = c.createStatement()) {
            s.execute("SELECT 1");
            return true;
        } catch (SQLException e) {
            return false;
        }
    }

    @Override
    default void changeAdminPassword(InstanceContext ctx, String oldPassword, String newPassword) throws SQLException {
        try (Connection c = connectAdmin(ctx, oldPassword, null)) {
            changeAdminPassword(c, newPassword);
        }
    }

    @Override
    default void enableRoot(InstanceContext ctx, String adminPassword, String password) throws SQLException {
        try (Connection c = connectAdmin(ctx, adminPassword, null)) {
            enableRoot(c, password);
        }
    }

    @Override
    default void disableRoot(InstanceContext ctx, String adminPassword) throws SQLException {
        try (Connection c = connectAdmin(ctx, adminPassword, null)) {
            disableRoot(c);
        }
    }

    @Override
    default boolean isRootEnabled(InstanceContext ctx, String adminPassword) throws SQLException {
        try (Connection c = connectAdmin(ctx, adminPassword, null)) {
            return isRootEnabled(c);
        }
    }
}
