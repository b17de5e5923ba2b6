package org.jtrove.bus.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.jtrove.bus.rabbitmq.MessagingConfig.Key;
import org.junit.jupiter.api.Test;

class MessagingConfigTest {
    private static MessagingConfig with(Key key, String value) {
        return MessagingConfig.from(Map.of(key.path(), value));
    }

    @Test
    void everyKeyIsNamedAsOsloNamesIt() {
        assertThat(Arrays.stream(Key.values()).map(Key::path)).containsExactly(
                "DEFAULT/transport_url",
                "DEFAULT/control_exchange",
                "oslo_messaging_rabbit/ssl",
                "oslo_messaging_rabbit/ssl_ca_file",
                "oslo_messaging_rabbit/ssl_cert_file",
                "oslo_messaging_rabbit/ssl_key_file",
                "oslo_messaging_rabbit/heartbeat_timeout_threshold",
                "oslo_messaging_rabbit/rabbit_quorum_queue",
                "oslo_messaging_rabbit/rabbit_qos_prefetch_count",
                "oslo_messaging_rabbit/management_url");
        assertThat(Arrays.stream(Key.values()).filter(k -> k.secret))
                .containsExactlyInAnyOrder(Key.TRANSPORT_URL, Key.MANAGEMENT_URL);
        assertThat(Arrays.stream(Key.values())).allSatisfy(k -> assertThat(k.help).isNotBlank());
    }

    @Test
    void defaults() {
        MessagingConfig c = MessagingConfig.defaults();
        assertThat(c.transportUrl()).isNull();
        assertThat(c.controlExchange()).isEqualTo("jtrove");
        assertThat(c.ssl()).isFalse();
        assertThat(c.sslCaFile()).isNull();
        assertThat(c.sslCertFile()).isNull();
        assertThat(c.sslKeyFile()).isNull();
        assertThat(c.heartbeatTimeoutThreshold()).isEqualTo(Duration.ofSeconds(60));
        assertThat(c.rabbitQuorumQueue()).isFalse();
        assertThat(c.rabbitQosPrefetchCount()).isEqualTo(1000);
        assertThat(c.managementUrl()).isNull();
        // the written defaults are the ones used
        assertThat(Key.CONTROL_EXCHANGE.defaultValue).isEqualTo("jtrove");
        assertThat(Key.HEARTBEAT_TIMEOUT_THRESHOLD.defaultValue).isEqualTo("60");
        assertThat(Key.RABBIT_QOS_PREFETCH_COUNT.defaultValue).isEqualTo("1000");
        assertThat(Key.SSL.defaultValue).isEqualTo("false");
        assertThat(Key.RABBIT_QUORUM_QUEUE.defaultValue).isEqualTo("false");
        assertThatThrownBy(c::requireTransportUrl).hasMessageContaining("transport_url is not set");
    }

    @Test
    void eachKeyMapsToItsField() {
        assertThat(with(Key.TRANSPORT_URL, "rabbit://u:p@h:1/v").transportUrl())
                .isEqualTo(new TransportUrl(List.of(new TransportUrl.Host("h", 1)), "u", "p", "v"));
        assertThat(with(Key.CONTROL_EXCHANGE, "trove").controlExchange()).isEqualTo("trove");
        assertThat(with(Key.SSL, "true").ssl()).isTrue();
        assertThat(with(Key.SSL_CA_FILE, "/etc/ca.pem").sslCaFile()).isEqualTo(Path.of("/etc/ca.pem"));
        MessagingConfig certs = MessagingConfig.from(Map.of(Key.SSL_CERT_FILE.path(), "/c.pem",
                Key.SSL_KEY_FILE.path(), "/c.key"));
        assertThat(certs.sslCertFile()).isEqualTo(Path.of("/c.pem"));
        assertThat(certs.sslKeyFile()).isEqualTo(Path.of("/c.key"));
        assertThat(with(Key.HEARTBEAT_TIMEOUT_THRESHOLD, "15").heartbeatTimeoutThreshold()).isEqualTo(Duration.ofSeconds(15));
        assertThat(with(Key.HEARTBEAT_TIMEOUT_THRESHOLD, "0").heartbeatTimeoutThreshold()).isZero();
        assertThat(with(Key.RABBIT_QUORUM_QUEUE, "yes").rabbitQuorumQueue()).isTrue();
        assertThat(with(Key.RABBIT_QOS_PREFETCH_COUNT, "0").rabbitQosPrefetchCount()).isZero();
        assertThat(with(Key.MANAGEMENT_URL, "https://mq:15671").managementUrl()).isEqualTo(URI.create("https://mq:15671"));
    }

    @Test
    void booleansTakeOslosSpellings() {
        for (String yes : new String[] {"true", "True", "yes", "on", "1"}) {
            assertThat(with(Key.SSL, yes).ssl()).as(yes).isTrue();
        }
        for (String no : new String[] {"false", "FALSE", "no", "off", "0"}) {
            assertThat(with(Key.SSL, no).ssl()).as(no).isFalse();
        }
        assertThatThrownBy(() -> with(Key.SSL, "maybe")).hasMessage("[oslo_messaging_rabbit] ssl must be true or false, not 'maybe'");
    }

    @Test
    void badValuesNameTheirKey() {
        assertThatThrownBy(() -> with(Key.RABBIT_QOS_PREFETCH_COUNT, "lots")).hasMessageContaining("rabbit_qos_prefetch_count");
        assertThatThrownBy(() -> with(Key.RABBIT_QOS_PREFETCH_COUNT, "-1")).hasMessageContaining("rabbit_qos_prefetch_count");
        assertThatThrownBy(() -> with(Key.HEARTBEAT_TIMEOUT_THRESHOLD, "-5")).hasMessageContaining("heartbeat_timeout_threshold");
        assertThatThrownBy(() -> with(Key.CONTROL_EXCHANGE, "a b")).hasMessageContaining("control_exchange");
        assertThatThrownBy(() -> with(Key.SSL_CERT_FILE, "/c.pem")).hasMessageContaining("ssl_key_file");
        assertThatThrownBy(() -> with(Key.MANAGEMENT_URL, "ftp://x")).hasMessageContaining("management_url");
        assertThatThrownBy(() -> with(Key.TRANSPORT_URL, "kafka://x")).hasMessageContaining("rabbit://");
    }

    @Test
    void transportUrlsWithSeveralHostsCredentialsAndVirtualHosts() {
        TransportUrl u = TransportUrl.parse("rabbit://jtrove:s%40cret@mq1:5672,jtrove:s%40cret@mq2:5673,[::1]/trove%2Fprod");
        assertThat(u.hosts()).containsExactly(new TransportUrl.Host("mq1", 5672), new TransportUrl.Host("mq2", 5673),
                new TransportUrl.Host("::1", -1));
        assertThat(u.user()).isEqualTo("jtrove");
        assertThat(u.password()).isEqualTo("s@cret");
        assertThat(u.virtualHost()).isEqualTo("trove/prod");
        assertThat(TransportUrl.parse("rabbit://h1,h2").hosts()).extracting(TransportUrl.Host::host).containsExactly("h1", "h2");
        assertThat(TransportUrl.parse("rabbit://u:p@h:5672/").virtualHost()).isEqualTo("/");
        assertThat(TransportUrl.parse("rabbit://u:p@h:5672").virtualHost()).isEqualTo("/");
        assertThat(TransportUrl.parse("rabbit://u:p@h:5672/%2F").virtualHost()).isEqualTo("/");
        assertThat(TransportUrl.parse("RABBIT://h").user()).isEqualTo("guest");
        assertThat(TransportUrl.parse("rabbit://h").password()).isEqualTo("guest");
        assertThat(TransportUrl.parse("rabbit://u@h").password()).isEmpty();
    }

    @Test
    void badTransportUrlsAreRefusedWithoutShowingThePassword() {
        assertThatThrownBy(() -> TransportUrl.parse("rabbit://a:pw1@h1,b:pw2@h2")).hasMessageContaining("same user")
                .hasMessageNotContaining("pw1");
        assertThatThrownBy(() -> TransportUrl.parse("rabbit://u:pw@h:99999")).hasMessageContaining("port 99999")
                .hasMessageNotContaining("pw");
        assertThatThrownBy(() -> TransportUrl.parse("rabbit://u:pw@h:x/")).hasMessageContaining("port x");
        assertThatThrownBy(() -> TransportUrl.parse("rabbit://u:pw@/")).hasMessageContaining("empty");
        assertThatThrownBy(() -> TransportUrl.parse("rabbit://u:pw@h/?ssl=1")).hasMessageContaining("[oslo_messaging_rabbit]");
        assertThatThrownBy(() -> TransportUrl.parse("amqp://h")).hasMessageContaining("scheme amqp");
        assertThatThrownBy(() -> TransportUrl.parse("rabbit://[::1")).hasMessageContaining("unclosed");
    }

    @Test
    void passwordsNeverShowInTextButFormatWritesThem() {
        MessagingConfig c = MessagingConfig.from(Map.of(Key.TRANSPORT_URL.path(), "rabbit://u:topsecret@h:5672/v",
                Key.MANAGEMENT_URL.path(), "http://admin:alsosecret@h:15672"));
        assertThat(c.toString()).doesNotContain("topsecret", "alsosecret").contains("rabbit://u:***@h:5672/v");
        assertThat(c.management().toString()).doesNotContain("alsosecret");
        assertThat(c.transportUrl().format()).isEqualTo("rabbit://u:topsecret@h:5672/v");
        TransportUrl round = TransportUrl.parse(TransportUrl.parse("rabbit://u%3Ax:p%2Fq%20r@h/").format());
        assertThat(round.user()).isEqualTo("u:x");
        assertThat(round.password()).isEqualTo("p/q r");
        assertThat(round.withCredentials("guestagent.1", "pw").format()).isEqualTo("rabbit://guestagent.1:pw@h/");
    }

    @Test
    void theManagementApiDefaultsToTheFirstHostOnPort15672WithTheSameCredentials() {
        MessagingConfig derived = with(Key.TRANSPORT_URL, "rabbit://jt:pw@mq1:5672,mq2:5672/");
        assertThat(derived.management()).isEqualTo(new ManagementEndpoint(URI.create("http://mq1:15672"), "jt", "pw"));
        assertThat(with(Key.TRANSPORT_URL, "rabbit://jt:pw@[fd00::1]:5672/").management().base())
                .isEqualTo(URI.create("http://[fd00::1]:15672"));
        MessagingConfig set = MessagingConfig.from(Map.of(Key.TRANSPORT_URL.path(), "rabbit://jt:pw@mq1/",
                Key.MANAGEMENT_URL.path(), "https://mgmt.example:15671/rabbit/"));
        assertThat(set.management()).isEqualTo(new ManagementEndpoint(URI.create("https://mgmt.example:15671/rabbit"),
                "jt", "pw"));
        MessagingConfig own = MessagingConfig.from(Map.of(Key.TRANSPORT_URL.path(), "rabbit://jt:pw@mq1/",
                Key.MANAGEMENT_URL.path(), "http://admin:a%40b@mgmt:15672"));
        assertThat(own.management()).isEqualTo(new ManagementEndpoint(URI.create("http://mgmt:15672"), "admin", "a@b"));
    }

    @Test
    void thePortOfAHostWithoutOneFollowsTls() {
        TransportUrl.Host bare = new TransportUrl.Host("h", -1);
        assertThat(MessagingConfig.defaults().port(bare)).isEqualTo(5672);
        assertThat(with(Key.SSL, "true").port(bare)).isEqualTo(5671);
        assertThat(with(Key.SSL, "true").port(new TransportUrl.Host("h", 5000))).isEqualTo(5000);
    }
}
