package org.jtrove.store;

import org.junit.jupiter.api.Tag;

/** Every test of {@link ConfigurationRepositoryTest} on a real PostgreSQL server. */
@Tag("e2e")
class ConfigurationRepositoryOnPostgresqlTest extends ConfigurationRepositoryTest {
    @Override
    StoreTarget newTarget() {
        return StoreTarget.on(TestDatabaseServer.shared(TestDatabaseServer.Kind.POSTGRESQL));
    }
}
