package org.jtrove.store;

/** Every store test on a real PostgreSQL server (Debian's 15), see {@link ServerStoreTest}. */
class MetadataStoreOnPostgresqlTest extends ServerStoreTest {
    @Override
    TestDatabaseServer.Kind kind() {
        return TestDatabaseServer.Kind.POSTGRESQL;
    }
}
