package org.jtrove.store;

import java.util.Arrays;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationInfoService;
import org.flywaydb.core.api.MigrationState;
import org.flywaydb.core.api.output.ValidateResult;

/**
 * The store's schema, kept by Flyway: brought up to date ({@code jtrove manage db_sync}, and the all-in-one
 * server at its start) or only checked (the services, which refuse a schema that is behind). Migrations come
 * from {@link StoreVendor#migrationLocations()}.
 */
final class SchemaMigrations {
    private static final String DB_SYNC = "run `jtrove manage db_sync` with this jtrove's configuration first";
    private final Flyway flyway;

    SchemaMigrations(DataSource dataSource, StoreVendor vendor) {
        this.flyway = Flyway.configure().dataSource(dataSource)
                .locations(vendor.migrationLocations().toArray(String[]::new))
                .placeholders(vendor.placeholders())
                .load();
    }

    /** Applies every pending migration. */
    void migrate() {
        flyway.migrate();
    }

    /**
     * Checks that every migration this jtrove knows has been applied, unchanged, and none failed (a schema newer
     * than this jtrove, migrated by a later version, is accepted as Flyway does).
     *
     * @throws IllegalStateException saying to run {@code jtrove manage db_sync}
     */
    void requireCurrent() {
        MigrationInfoService info = flyway.info();
        MigrationInfo current = info.current();
        MigrationInfo[] pending = info.pending();
        String failed = Arrays.stream(info.all()).filter(m -> m.getState() == MigrationState.FAILED)
                .map(SchemaMigrations::name).collect(Collectors.joining(", "));
        if (!failed.isEmpty()) {
            throw new IllegalStateException("The metadata store's migration " + failed + " failed; repair the"
                    + " store, then " + DB_SYNC + ".");
        }
        if (pending.length > 0) {
            String at = current == null ? "has no schema yet" : "is at schema version " + current.getVersion();
            throw new IllegalStateException("The metadata store " + at + " and this jtrove needs version "
                    + pending[pending.length - 1].getVersion() + " (" + pending.length + " migration"
                    + (pending.length == 1 ? "" : "s") + " pending): " + DB_SYNC + ".");
        }
        ValidateResult result = flyway.validateWithResult();
        if (!result.validationSuccessful) {
            throw new IllegalStateException("The metadata store's schema does not match this jtrove's migrations ("
                    + result.getAllErrorMessages() + "); " + DB_SYNC + ".");
        }
    }

    /** The version of the last applied migration, or null for an empty store. */
    String currentVersion() {
        MigrationInfo current = flyway.info().current();
        return current == null ? null : current.getVersion().getVersion();
    }

    private static String name(MigrationInfo m) {
        return (m.getVersion() == null ? "" : m.getVersion() + " ") + m.getDescription();
    }
}
