package org.jtrove.store;

import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientConnectionException;
import java.util.Set;
import org.jtrove.model.JtroveException;

/**
 * The metadata store cannot be reached: its server is down, restarting or unreachable, or the connection broke
 * during a request. A 503 (Trove's {@code serviceUnavailable}): the same request may succeed once the server is
 * back, which needs no restart of jtrove (the pool opens new connections by itself). The cause is the driver's
 * or the pool's {@link SQLException}.
 */
public final class StoreUnavailableException extends JtroveException {
    /** PostgreSQL's admin_shutdown, crash_shutdown, cannot_connect_now; MariaDB's "query interrupted" (shutdown). */
    private static final Set<String> SHUTDOWN_STATES = Set.of("57P01", "57P02", "57P03", "70100");

    StoreUnavailableException(SQLException cause) {
        super(503, "The metadata store is unavailable (" + reason(cause) + "). Try again in a"
                + " moment; requests succeed again as soon as its database server answers.");
        initCause(cause);
    }

    /** The connection-level failure in {@code e}'s causes (the server gone, a connection lost), or null. */
    static SQLException connectionFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLTransientConnectionException || t instanceof SQLNonTransientConnectionException
                    || t instanceof SQLRecoverableException) {
                return (SQLException) t;
            }
            if (t instanceof SQLException sql && sql.getSQLState() != null
                    && (sql.getSQLState().startsWith("08") || SHUTDOWN_STATES.contains(sql.getSQLState()))) {
                return sql;
            }
        }
        return null;
    }

    /** The failure's own message and, when it wraps one, the first cause's (e.g. "Connection refused"). */
    private static String reason(SQLException e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String own = firstLine(e.getMessage());
        return root == e || root.getMessage() == null ? own : own + ": " + firstLine(root.getMessage());
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "no reason given";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }
}
