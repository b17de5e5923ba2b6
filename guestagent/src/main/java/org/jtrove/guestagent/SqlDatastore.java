package org.jtrove.guestagent;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
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

    void createDatabase(InstanceContext ctx, Connection c, DatabaseSpec db) throws SQLException;

    List<String> listDatabases(Connection c) throws SQLException;

    void dropDatabase(Connection c, String name) throws SQLException;

    void createUser(InstanceContext ctx, Connection c, String adminPassword, UserSpec user) throws SQLException;

    List<UserSpec> listUsers(Connection c) throws SQLException;

    void dropUser(InstanceContext ctx, Connection c, String adminPassword, String name, String host) throws SQLException;

    void setPassword(Connection c, String name, String host, String password) throws SQLException;

    void renameUser(Connection c, String name, String host, String newName, String newHost) throws SQLException;

    void grant(InstanceContext ctx, Connection c, String adminPassword, String name, String host, List<String> databases)
            throws SQLException;

    void revoke(InstanceContext ctx, Connection c, String adminPassword, String name, String host, String database)
            throws SQLException;

    List<String> listAccess(Connection c, String name, String host) throws SQLException;

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
