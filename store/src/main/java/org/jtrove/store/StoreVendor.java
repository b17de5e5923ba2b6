package org.jtrove.store;

import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * The SQL servers the metadata store runs on, and what differs between them: where their migrations are, the
 * column type of an instant, the zone instants are written in, and the connection settings a server database
 * gets.
 *
 * <p>Migrations: {@code db/migration} holds the shared ones, which run on all three and may use the placeholder
 * {@code ${timestamp}} for an instant's column type; {@code db/vendor/<name>} holds a vendor's own, when one
 * exists (today MariaDB's baseline {@code B6}, which stands for V1 to V6 on a new MariaDB store).
 */
enum StoreVendor {
    /** The embedded file store. Instants keep the JVM's zone, which is what existing H2 stores hold. */
    H2("h2", "jdbc:h2:", "TIMESTAMP", Map.of(), null),
    /** PostgreSQL: instants in UTC. Time limits in seconds (pgjdbc's units). */
    POSTGRESQL("postgresql", "jdbc:postgresql:", "TIMESTAMP",
            Map.of("connectTimeout", "5", "socketTimeout", "30", "tcpKeepAlive", "true"), null),
    /**
     * MariaDB: instants in UTC at microseconds (DATETIME(6)); time limits in milliseconds; UPDATE counts the rows
     * it matched, not only those it changed, as on the other two (conditional updates and upserts rely on it);
     * strict mode, so text too long for its column is refused as on the other two, never cut.
     */
    MARIADB("mariadb", "jdbc:mariadb:", "DATETIME(6)",
            Map.of("connectTimeout", "5000", "socketTimeout", "30000", "tcpKeepAlive", "true",
                    "useAffectedRows", "false"),
            "SET SESSION sql_mode = 'STRICT_ALL_TABLES,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION'");

    private final String id;
    private final String urlPrefix;
    private final String timestampType;
    private final Map<String, String> driverDefaults;
    private final String connectionInitSql;

    StoreVendor(String id, String urlPrefix, String timestampType, Map<String, String> driverDefaults,
                String connectionInitSql) {
        this.id = id;
        this.urlPrefix = urlPrefix;
        this.timestampType = timestampType;
        this.driverDefaults = driverDefaults;
        this.connectionInitSql = connectionInitSql;
    }

    /**
     * The vendor of a JDBC URL.
     *
     * @throws IllegalArgumentException for any other database
     */
    static StoreVendor of(String jdbcUrl) {
        for (StoreVendor v : values()) {
            if (jdbcUrl != null && jdbcUrl.startsWith(v.urlPrefix)) {
                return v;
            }
        }
        throw new IllegalArgumentException("the metadata store must be MariaDB (jdbc:mariadb:), PostgreSQL"
                + " (jdbc:postgresql:) or the embedded H2 store (jdbc:h2:), not " + DatabaseUrl.redact(jdbcUrl));
    }

    /** Flyway locations: the shared migrations, then this vendor's own if it has any. */
    List<String> migrationLocations() {
        List<String> out = new ArrayList<>(List.of("classpath:db/migration"));
        if (StoreVendor.class.getClassLoader().getResource("db/vendor/" + id) != null) {
            out.add("classpath:db/vendor/" + id);
        }
        return out;
    }

    /** Flyway placeholders for shared migrations: {@code ${timestamp}} is the column type of an instant. */
    Map<String, String> placeholders() {
        return Map.of("timestamp", timestampType);
    }

    /** The zone instants are written in (as local date-times) and read back from: UTC but on H2. */
    ZoneId zone() {
        return this == H2 ? ZoneId.systemDefault() : ZoneOffset.UTC;
    }

    /** Driver settings for a server database (a JDBC URL's own parameters win over them). */
    Properties driverDefaults() {
        Properties p = new Properties();
        p.putAll(driverDefaults);
        return p;
    }

    /** SQL run on every new connection, or null. */
    String connectionInitSql() {
        return connectionInitSql;
    }

    boolean embedded() {
        return this == H2;
    }
}
