package org.jtrove.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JtroveConfigTest {

    @Test
    void defaultsArePinned() {
        JtroveConfig c = JtroveConfig.load(null, Map.of());
        assertThat(c.port()).isEqualTo(8779);
        assertThat(c.bindHost()).isEqualTo("0.0.0.0");
        assertThat(c.auth()).isEqualTo("builtin");
        assertThat(c.tokenLifetime()).isEqualTo(Duration.ofHours(1));
        assertThat(c.adminPassword()).isNull();
        assertThat(c.metadataUrl()).isNull();
        assertThat(c.heartbeatInterval()).isEqualTo(Duration.ofSeconds(2));
        assertThat(c.heartbeatExpiry()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.buildTimeout()).isEqualTo(Duration.ofSeconds(300));
        assertThat(c.maxVolumeSizeGb()).isEqualTo(10);
        assertThat(c.defaultDatastore()).isEqualTo("postgresql");
        assertThat(c.databaseOsUser()).isEqualTo("jtrove-db");
        assertThat(c.maxBodyBytes()).isEqualTo(1 << 20);
        assertThat(c.spareDataDirs()).isEqualTo(2);
        assertThat(c.publicAddress()).isNull();
        assertThat(c.publicPorts()).isEqualTo("16000-16999");
    }

    @Test
    void fileThenEnvironmentThenFlags(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("jtrove.yaml");
        Files.writeString(file, "port: 9000\nstate_dir: /srv/jtrove\nheartbeat_interval_seconds: 0.5\nregion: North\n");
        JtroveConfig c = JtroveConfig.load(file, Map.of("JTROVE_PORT", "9100", "JTROVE_MAX_VOLUME_SIZE_GB", "50"));
        assertThat(c.port()).isEqualTo(9100);
        assertThat(c.statePath()).isEqualTo(Path.of("/srv/jtrove"));
        assertThat(c.heartbeatInterval()).isEqualTo(Duration.ofMillis(500));
        assertThat(c.region()).isEqualTo("North");
        assertThat(c.maxVolumeSizeGb()).isEqualTo(50);
        assertThat(c.with("port", 9200).port()).isEqualTo(9200);
    }

    @Test
    void configFileFromEnvironment(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("c.yaml");
        Files.writeString(file, "bind_host: 127.0.0.1\n");
        assertThat(JtroveConfig.load(null, Map.of("JTROVE_CONFIG", file.toString())).bindHost()).isEqualTo("127.0.0.1");
    }

    @Test
    void unknownKeysAndBadValuesStopStartUp(@TempDir Path dir) throws Exception {
        Path typo = dir.resolve("typo.yaml");
        Files.writeString(typo, "prot: 9000\n");
        assertThatThrownBy(() -> JtroveConfig.load(typo, Map.of())).hasMessageContaining("unknown configuration key 'prot'");
        assertThatThrownBy(() -> JtroveConfig.load(null, Map.of("JTROVE_PORT", "eighty")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> JtroveConfig.defaults().with("no_such_key", 1)).isInstanceOf(IllegalArgumentException.class);
    }
}
