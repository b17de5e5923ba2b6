package org.jtrove.store;

import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;
import org.jdbi.v3.core.ConnectionException;

/**
 * Tells a passing failure of the metadata store (its server unreachable or restarting, a lost connection, a
 * deadlock or serialisation failure) from a lasting one (a constraint, a bug), so callers retry only the first.
 */
public final class StoreFailures {
    private StoreFailures() {}

    /** Whether trying the same work again later may succeed. */
    public static boolean isTransient(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ConnectionException || t instanceof SQLTransientException
                    || t instanceof SQLRecoverableException) {
                return true;
            }
            if (t instanceof SQLException sql && sql.getSQLState() != null
                    && (sql.getSQLState().startsWith("08") || sql.getSQLState().startsWith("40"))) {
                return true;   // connection exception; transaction rollback (deadlock, serialisation failure)
            }
        }
        return false;
    }
}
