package org.jtrove.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.jtrove.server.config.IdentityConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading jtrove.conf: files in order, then the environment (its three name forms), then flags; strictness. */
class JtroveConfigTest {

    @Test
    void filesThenEnvironmentThenFlags(@TempDir Path dir) throws Exception {
        Path first = dir.resolve("jtrove.conf");
        Files.writeString(first, """
                [DEFAULT]
                bind_port = 9000
                state_path = /srv/jtrove
                report_interval = 0.5
                os_region_name = North

                [database]
                connection = mysql+pymysql://jtrove:pa#ss;word@127.0.0.1:3307/jtrove
                """);
        Path second = dir.resolve("override.conf");
        Files.writeString(second, "[DEFAULT]\nos_region_name = South\n");
        JtroveConfig c = JtroveConfig.load(List.of(first, second),
                Map.of("JTROVE_PORT", "9100", "JTROVE_MAX_VOLUME_SIZE_GB", "50", "JTROVE_DATABASE__CONNECTION_USER", "u"));
        assertThat(c.api.bindPort()).as("legacy variable JTROVE_PORT over the file").isEqualTo(9100);
        assertThat(c.statePath()).isEqualTo(Path.of("/srv/jtrove"));
        assertThat(c.guestAgent.heartbeatInterval()).isEqualTo(Duration.ofMillis(500));
        assertThat(c.api.region()).as("a later file wins").isEqualTo("South");
        assertThat(c.api.maxVolumeSizeGb()).isEqualTo(50);
        assertThat(c.database.connection()).as("# and ; belong to the value").endsWith("pa#ss;word@127.0.0.1:3307/jtrove");
        assertThat(c.database.user()).as("JTROVE_<SECTION>__<KEY>").isEqualTo("u");
        assertThat(c.with("port", 9200).api.bindPort()).as("flags last").isEqualTo(9200);
        assertThat(c.with("DEFAULT/bind_port", 9300).api.bindPort()).isEqualTo(9300);
        assertThat(JtroveConfig.load(List.of(first), Map.of("JTROVE_BIND_PORT", "9400")).api.bindPort())
                .as("JTROVE_<KEY> for [DEFAULT]").isEqualTo(9400);
    }

    @Test
    void everyEarlierEnvironmentVariableKeepsItsMeaning() {
        JtroveConfig c = JtroveConfig.load(List.of(), Map.of("JTROVE_STATE_DIR", "/tmp/s", "JTROVE_AUTH", "noauth",
                "JTROVE_ADDRESS_BASE", "77", "JTROVE_BIND_HOST", "127.0.0.1", "JTROVE_RATE_LIMIT_PER_MINUTE", "0",
                "JTROVE_HEARTBEAT_EXPIRY_SECONDS", "9", "JTROVE_BUILD_TIMEOUT_SECONDS", "12", "JTROVE_QUOTA_RAM", "2048",
                "JTROVE_TOKEN_LIFETIME_SECONDS", "60", "JTROVE_METADATA_URL", "jdbc:postgresql://h/db"));
        assertThat(c.statePath()).isEqualTo(Path.of("/tmp/s"));
        assertThat(c.identity.authStrategy()).isEqualTo(IdentityConfig.AuthStrategy.NOAUTH);
        assertThat(c.guestAgent.addressBase()).isEqualTo(77);
        assertThat(c.api.bindHost()).isEqualTo("127.0.0.1");
        assertThat(c.api.rateLimitPerMinute()).isZero();
        assertThat(c.api.heartbeatExpiry()).isEqualTo(Duration.ofSeconds(9));
        assertThat(c.taskmanager.buildTimeout()).isEqualTo(Duration.ofSeconds(12));
        assertThat(c.quota.ram()).isEqualTo(2048);
        assertThat(c.identity.tokenLifetime()).isEqualTo(Duration.ofMinutes(1));
        assertThat(c.database.connection()).isEqualTo("jdbc:postgresql://h/db");
    }

    @Test
    void configFileFromEnvironment(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("c.conf");
        Files.writeString(file, "[DEFAULT]\nbind_host = 127.0.0.1\n");
        assertThat(JtroveConfig.load(List.of(), Map.of("JTROVE_CONFIG", file.toString())).api.bindHost())
                .isEqualTo("127.0.0.1");
    }

    @Test
    void unknownKeysStopStartUpAndOsloKeysOnlyWarn(@TempDir Path dir) throws Exception {
        Path typo = dir.resolve("typo.conf");
        Files.writeString(typo, "[DEFAULT]\nbind_prot = 9000\n");
        assertThatThrownBy(() -> JtroveConfig.load(List.of(typo), Map.of()))
                .hasMessageContaining("unknown configuration key").hasMessageContaining("[DEFAULT] bind_prot");
        Path wrongSection = dir.resolve("section.conf");
        Files.writeString(wrongSection, "[database]\nbind_port = 9000\n");
        assertThatThrownBy(() -> JtroveConfig.load(List.of(wrongSection), Map.of()))
                .hasMessageContaining("[database] bind_port");

        Path oslo = dir.resolve("oslo.conf");
        Files.writeString(oslo, """
                [DEFAULT]
                debug = false
                log_dir = /var/log/jtrove
                [database]
                max_retries = -1
                [oslo_messaging_notifications]
                driver = noop
                [keystone_authtoken]
                www_authenticate_uri = http://127.0.0.1:5000
                memcached_servers = 127.0.0.1:11211
                """);
        JtroveConfig c = JtroveConfig.load(List.of(oslo), Map.of());
        assertThat(c.warnings()).hasSize(6).allMatch(w -> w.contains("jtrove does not use"));
    }

    @Test
    void badValuesNameTheirKeyAndHideSecrets(@TempDir Path dir) throws Exception {
        assertThatThrownBy(() -> JtroveConfig.load(List.of(), Map.of("JTROVE_PORT", "eighty")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[DEFAULT] bind_port")
                .hasMessageContaining("JTROVE_PORT");
        Path file = dir.resolve("bad.conf");
        Files.writeString(file, "[DEFAULT]\nauth_strategy = sometimes\n");
        assertThatThrownBy(() -> JtroveConfig.load(List.of(file), Map.of()))
                .hasMessageContaining("must be one of [builtin, keystone, noauth]").hasMessageContaining(file.toString());
        assertThatThrownBy(() -> JtroveConfig.defaults().with("no_such_key", 1)).isInstanceOf(IllegalArgumentException.class);
        assertThat(JtroveConfig.load(List.of(), Map.of("JTROVE_ADMIN_PASSWORD", "hunter2")).toString())
                .doesNotContain("hunter2");
    }
}
