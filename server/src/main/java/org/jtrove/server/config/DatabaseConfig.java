package org.jtrove.server.config;

/**
 * The metadata store: the embedded H2 file under the state directory unless {@code [database] connection} names
 * a server database.
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
        String password) {}
