package org.jtrove.store;

import org.junit.jupiter.api.Tag;

/** Every test of {@link ConfigurationRepositoryTest} on a real MariaDB server. */
@Tag("e2e")
class ConfigurationRepositoryOnMariadbTest extends ConfigurationRepositoryTest {
    @Override
    StoreTarget newTarget() {
        return StoreTarget.on(TestDatabaseServer.shared(TestDatabaseServer.Kind.MARIADB));
    }
}
