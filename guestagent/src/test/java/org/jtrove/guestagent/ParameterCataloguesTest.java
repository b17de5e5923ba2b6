package org.jtrove.guestagent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.jtrove.guestagent.mariadb.MariadbDatastore;
import org.jtrove.guestagent.postgresql.PostgresqlDatastore;
import org.jtrove.model.config.ConfigCatalogue;
import org.jtrove.model.config.ConfigParameter;
import org.junit.jupiter.api.Test;

/** The shipped catalogues parse, and the parameters the tests and users rely on have the server's semantics. */
class ParameterCataloguesTest {

    @Test
    void postgresqlCatalogueFollowsPgSettingsContext() {
        Map<String, ConfigParameter> p = byName(new PostgresqlDatastore().parameters("15"));
        assertThat(p.size()).isBetween(30, 80);
        assertThat(p.get("work_mem").restartRequired()).isFalse();
        assertThat(p.get("work_mem").min()).isEqualByComparingTo("64");
        assertThat(p.get("shared_buffers").restartRequired()).isTrue();
        assertThat(p.get("max_connections").restartRequired()).isTrue();
        assertThat(p.get("random_page_cost").type()).isEqualTo("float");
        assertThat(p.get("autovacuum").type()).isEqualTo("boolean");
        assertThat(p.get("wal_level").allowed()).doesNotContain("minimal");
        assertThat(p).doesNotContainKeys("archive_command", "shared_preload_libraries", "fsync");
        assertThat(p).as("only from 16 on").doesNotContainKey("max_parallel_apply_workers_per_subscription");
        assertThat(byName(new PostgresqlDatastore().parameters("16")))
                .containsKey("max_parallel_apply_workers_per_subscription");
    }

    @Test
    void mariadbCatalogueFollowsReadOnlyVariables() {
        Map<String, ConfigParameter> p = byName(new MariadbDatastore().parameters("10.11"));
        assertThat(p.size()).isBetween(30, 90);
        assertThat(p.get("max_connections").restartRequired()).isFalse();
        assertThat(p.get("wait_timeout").restartRequired()).isFalse();
        assertThat(p.get("innodb_buffer_pool_size").restartRequired()).isFalse();
        assertThat(p.get("back_log").restartRequired()).isTrue();
        assertThat(p.get("innodb_log_buffer_size").restartRequired()).isTrue();
        assertThat(p.get("performance_schema").restartRequired()).isTrue();
        assertThat(p).containsKey("tx_isolation").doesNotContainKey("transaction_isolation");
        assertThat(byName(new MariadbDatastore().parameters("11.4"))).containsKey("transaction_isolation");
        assertThat(p.keySet()).allMatch(n -> n.matches("[a-z][a-z0-9_]*"));
    }

    @Test
    void redisCatalogueIsShippedForItsPlugin() throws Exception {
        try (InputStream in = getClass().getResourceAsStream("/org/jtrove/guestagent/redis/parameters.json")) {
            Map<String, ConfigParameter> p = byName(ConfigCatalogue.parse(in, "7.0"));
            assertThat(p.size()).isGreaterThanOrEqualTo(20);
            assertThat(p.get("databases").restartRequired()).isTrue();
            assertThat(p.get("maxmemory").restartRequired()).isFalse();
            assertThat(p.get("maxmemory-policy").allowed()).contains("allkeys-lru", "noeviction");
            assertThat(p).containsKeys("timeout", "tcp-keepalive", "appendonly", "appendfsync", "save", "hz",
                    "maxclients", "slowlog-log-slower-than", "notify-keyspace-events");
        }
    }

    private static Map<String, ConfigParameter> byName(List<ConfigParameter> list) {
        return list.stream().collect(Collectors.toMap(ConfigParameter::name, Function.identity()));
    }
}
