package org.jtrove.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every store test on a real MariaDB server (Debian's 10.11), see {@link ServerStoreTest}, reached as
 * {@code mysql+pymysql://...?charset=utf8}; then MariaDB's table conventions and its local socket.
 */
class MetadataStoreOnMariadbTest extends ServerStoreTest {
    @Override
    TestDatabaseServer.Kind kind() {
        return TestDatabaseServer.Kind.MARIADB;
    }

    /**
     * Conventions later migrations must keep (see {@link StoreVendor}): InnoDB tables that compare text byte by
     * byte, instants as DATETIME(6) (a TIMESTAMP column keeps whole seconds and ends in 2038).
     */
    @Test
    void everyTableIsInnoDbUtf8mb4BinaryWithMicrosecondInstants() {
        List<Map<String, Object>> tables = store.jdbi().withHandle(h -> h.createQuery("SELECT table_name, engine,"
                + " table_collation FROM information_schema.tables WHERE table_schema = DATABASE()"
                + " AND table_name <> 'flyway_schema_history'").mapToMap().list());
        assertThat(tables).hasSizeGreaterThan(15).allSatisfy(t -> {
            assertThat(t.get("engine")).as("engine of " + t.get("table_name")).isEqualTo("InnoDB");
            assertThat(t.get("table_collation")).as("collation of " + t.get("table_name")).isEqualTo("utf8mb4_nopad_bin");
        });
        List<Map<String, Object>> instants = store.jdbi().withHandle(h -> h.createQuery("SELECT table_name, column_name,"
                + " data_type, datetime_precision FROM information_schema.columns WHERE table_schema = DATABASE()"
                + " AND table_name <> 'flyway_schema_history' AND data_type IN ('timestamp', 'datetime')")
                .mapToMap().list());
        assertThat(instants).hasSizeGreaterThan(20).allSatisfy(c -> {
            assertThat(c.get("data_type")).as(c.get("table_name") + "." + c.get("column_name")).isEqualTo("datetime");
            assertThat(((Number) c.get("datetime_precision")).intValue()).isEqualTo(6);
        });
    }

    @Test
    void connectsThroughTheLocalSocket() {
        String database = server.createDatabase();
        String password = server.osloUrl(database).replaceAll(".*://[^:]*:([^@]*)@.*", "$1");
        String url = "mariadb://" + TestDatabaseServer.USER + ":" + password + "@/" + database + "?unix_socket="
                + server.dir().resolve("mysqld.sock");
        try (MetadataStore local = MetadataStore.connect(url, SECRETS, MetadataStore.Options.DEFAULT)) {
            assertThat(local.flavors.list()).isEmpty();
            String user = local.jdbi().withHandle(h -> h.createQuery("SELECT USER()").mapTo(String.class).one());
            assertThat(user).as("a socket client is from localhost").isEqualTo(TestDatabaseServer.USER + "@localhost");
        }
    }
}
