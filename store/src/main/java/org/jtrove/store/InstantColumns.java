package org.jtrove.store;

import java.sql.Types;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.argument.AbstractArgumentFactory;
import org.jdbi.v3.core.argument.Argument;
import org.jdbi.v3.core.config.ConfigRegistry;

/**
 * How an {@link Instant} is written to and read from a timestamp column, the same way on H2, PostgreSQL and
 * MariaDB: as the local date-time of one zone (UTC on server databases, so services on hosts in other zones
 * agree; see {@link StoreVendor#zone()}), cut to microseconds, the precision all three keep, so a value reads
 * back exactly as it was written and compares with what is in the store as it did in Java.
 */
final class InstantColumns {
    private InstantColumns() {}

    /** Registers the argument and the column mapper for instants on {@code jdbi}. */
    static void register(Jdbi jdbi, ZoneId zone) {
        jdbi.registerArgument(new AbstractArgumentFactory<Instant>(Types.TIMESTAMP) {
            @Override
            protected Argument build(Instant value, ConfigRegistry config) {
                LocalDateTime local = LocalDateTime.ofInstant(value.truncatedTo(ChronoUnit.MICROS), zone);
                return (position, statement, ctx) -> statement.setObject(position, local);
            }
        });
        jdbi.registerColumnMapper(Instant.class, (rs, column, ctx) -> {
            LocalDateTime local = rs.getObject(column, LocalDateTime.class);
            return local == null ? null : local.atZone(zone).toInstant();
        });
    }
}
