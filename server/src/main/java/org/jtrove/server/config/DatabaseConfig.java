package org.jtrove.server.config;

import java.time.Duration;

/**
 * The metadata store: the embedded H2 file under the state directory unless {@code [database] connection} names
 * a server database (oslo.db's keys).
 */
public record DatabaseConfig(
        @Key(section = "database", name = "connection", secret = true, description = "Database URL in oslo.db's form"
                + " (mysql+pymysql://user:pass@host/db, postgresql://...) or a JDBC URL; unset: the embedded store.",
                legacy = "metadata_url")
        String connection,
        @Key(section = "database", name = "connection_user", description = "User for a JDBC URL that holds none.",
                legacy = "metadata_user")
        String user,
        @Key(section = "database", name = "connection_password", secret = true, description = "Password for a JDBC"
                + " URL that holds none.", legacy = "metadata_password")
        String password,
        @Key(section = "database", name = "max_pool_size", value = "8", description = "Most connections open to the"
                + " database at once.")
        int maxPoolSize,
        @Key(section = "database", name = "pool_timeout", value = "10", description = "Seconds a request waits for a"
                + " connection before it fails with 503 (the database is down or the pool is exhausted).")
        Duration poolTimeout,
        @Key(section = "database", name = "connection_recycle_time", value = "3600", description = "Seconds after"
                + " which a pooled connection is replaced.")
        Duration connectionRecycleTime) {}
