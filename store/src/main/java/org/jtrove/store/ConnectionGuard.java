package org.jtrove.store;

import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.jdbi.v3.core.ConnectionFactory;
import org.jdbi.v3.core.HandleCallback;
import org.jdbi.v3.core.HandleCallbackDecorator;
import org.jdbi.v3.core.Jdbi;

/**
 * Turns the store's connection failures into {@link StoreUnavailableException}: a connection the pool cannot
 * give within its timeout, and a connection lost in the middle of a request. Other failures (constraints, SQL
 * errors) pass unchanged.
 */
final class ConnectionGuard implements ConnectionFactory, HandleCallbackDecorator {
    private final DataSource pool;

    private ConnectionGuard(DataSource pool) {
        this.pool = pool;
    }

    /** A Jdbi over {@code pool} whose every handle callback is guarded. */
    static Jdbi jdbi(DataSource pool) {
        ConnectionGuard guard = new ConnectionGuard(pool);
        Jdbi jdbi = Jdbi.create(guard);
        jdbi.setHandleCallbackDecorator(guard);
        return jdbi;
    }

    @Override
    public Connection openConnection() {
        try {
            return pool.getConnection();
        } catch (SQLException e) {
            SQLException lost = StoreUnavailableException.connectionFailure(e);
            throw lost == null ? new IllegalStateException("cannot open a metadata store connection: " + e, e)
                    : new StoreUnavailableException(lost);
        }
    }

    @Override
    public <R, X extends Exception> HandleCallback<R, X> decorate(HandleCallback<R, X> callback) {
        return handle -> {
            try {
                return callback.withHandle(handle);
            } catch (RuntimeException e) {
                SQLException lost = StoreUnavailableException.connectionFailure(e);
                if (lost == null || e instanceof StoreUnavailableException) {
                    throw e;
                }
                throw new StoreUnavailableException(lost);
            }
        };
    }
}
