package org.jtrove.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where a test's metadata stores live: a new, empty database for each test ({@link #fresh()}), opened as often
 * as the test asks. The same store tests run on the embedded H2 store and on server databases through it.
 */
interface StoreTarget {
    /** Switches to a new, empty database. */
    void fresh();

    /** Opens the store on the current database. */
    MetadataStore open(SecretBox secrets, MetadataStore.Options options);

    default MetadataStore open(SecretBox secrets) {
        return open(secrets, MetadataStore.Options.DEFAULT);
    }

    /** The current database's JDBC URL, user and password, for what a test does beside the store (Flyway). */
    String jdbcUrl();

    String user();

    String password();

    /** Embedded H2 stores, each in a state directory of its own under {@code dir}. */
    static StoreTarget embedded(Path dir) {
        return new StoreTarget() {
            private int count;
            private Path state;

            /** The store's password file is made here (as a first start would), so Flyway can open it first. */
            @Override
            public void fresh() {
                state = dir.resolve("state-" + ++count);
                try {
                    Files.createDirectories(state.resolve("metadata"));
                    Files.writeString(state.resolve("metadata/metadata.secret"), password());
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }

            @Override
            public MetadataStore open(SecretBox secrets, MetadataStore.Options options) {
                return MetadataStore.embedded(state, secrets, options);
            }

            @Override
            public String jdbcUrl() {
                return "jdbc:h2:file:" + state.resolve("metadata/metadata").toAbsolutePath() + ";AUTO_SERVER=TRUE";
            }

            @Override
            public String user() {
                return "jtrove";
            }

            @Override
            public String password() {
                return "test-secret-" + count;
            }
        };
    }

    /** Databases on a server, each new one made for the test, reached through its oslo.db URL. */
    static StoreTarget on(TestDatabaseServer server) {
        return new StoreTarget() {
            private String database;

            @Override
            public void fresh() {
                database = server.createDatabase();
            }

            @Override
            public MetadataStore open(SecretBox secrets, MetadataStore.Options options) {
                return MetadataStore.connect(server.osloUrl(database), secrets, options);
            }

            @Override
            public String jdbcUrl() {
                return server.jdbcUrl(database);
            }

            @Override
            public String user() {
                return TestDatabaseServer.USER;
            }

            @Override
            public String password() {
                return TestDatabaseServer.PASSWORD;
            }
        };
    }
}
