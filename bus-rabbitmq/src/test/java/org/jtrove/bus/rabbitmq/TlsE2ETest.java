package org.jtrove.bus.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.jtrove.bus.Message;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TLS to a broker that listens for AMQPS with a CA the test made, and requires client certificates. */
@Tag("e2e")
class TlsE2ETest {
    private static RabbitBroker broker;

    @TempDir
    Path tmp;

    @BeforeAll
    static void startBroker() {
        broker = RabbitBroker.startTls();
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    private static MessagingConfig tlsWith(Map<String, String> changes) {
        MessagingConfig c = broker.tlsConfig();
        return new MessagingConfig(c.transportUrl(), c.controlExchange(), c.ssl(),
                Path.of(changes.getOrDefault("ca", String.valueOf(c.sslCaFile()))),
                changes.containsKey("nocert") ? null : c.sslCertFile(),
                changes.containsKey("nocert") ? null : c.sslKeyFile(),
                c.heartbeatTimeoutThreshold(), c.rabbitQuorumQueue(), c.rabbitQosPrefetchCount(), c.managementUrl());
    }

    @Test
    void callsWorkOverTlsWithAClientCertificate() {
        try (RabbitMqBus server = RabbitMqBus.connect(broker.tlsConfig());
             RabbitMqBus client = RabbitMqBus.connect(broker.tlsConfig())) {
            server.subscribe("tls-topic", m -> "over TLS: " + m.args().get("x").asText());
            assertThat(client.call("tls-topic", Message.of("m", Map.of("x", "hi")), Duration.ofSeconds(10)).asText())
                    .isEqualTo("over TLS: hi");
            server.delete("tls-topic");
        }
    }

    @Test
    void theConnectionIsEncrypted() {
        try (RabbitMqBus bus = RabbitMqBus.connect(broker.tlsConfig())) {
            // the management API's connection list lags a few seconds behind
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    assertThat(broker.management("/api/connections")).anySatisfy(c -> {
                        assertThat(c.path("ssl").asBoolean()).isTrue();
                        assertThat(c.path("ssl_protocol").asText()).startsWith("tlsv1.");
                        assertThat(c.path("peer_cert_subject").asText()).contains("jtrove test client");
                        assertThat(c.path("user").asText()).isEqualTo(bus.user());
                    }));
        }
    }

    @Test
    void aBrokerCertificateFromAnotherCaIsRefused() throws Exception {
        Path otherCa = tmp.resolve("other-ca.pem");
        Process p = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                "-subj", "/CN=some other CA", "-keyout", tmp.resolve("other.key").toString(), "-out", otherCa.toString())
                .redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        assertThat(p.waitFor()).isZero();
        assertThatThrownBy(() -> RabbitMqBus.connect(tlsWith(Map.of("ca", otherCa.toString()))))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("Cannot connect to the message broker");
    }

    @Test
    void withoutAClientCertificateTheBrokerRefuses() {
        assertThatThrownBy(() -> RabbitMqBus.connect(tlsWith(Map.of("nocert", "yes"))))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("Cannot connect to the message broker");
    }

    @Test
    void aKeyFileThatIsNoPkcs8KeySaysHowToConvertIt() throws Exception {
        Path bad = Files.writeString(tmp.resolve("bad.key"), "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n");
        MessagingConfig c = broker.tlsConfig();
        MessagingConfig withBadKey = new MessagingConfig(c.transportUrl(), c.controlExchange(), true, c.sslCaFile(),
                c.sslCertFile(), bad, c.heartbeatTimeoutThreshold(), false, 10, null);
        assertThatThrownBy(() -> RabbitMqBus.connect(withBadKey))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ssl_key_file")
                .hasMessageContaining("openssl pkcs8 -topk8 -nocrypt");
    }
}
