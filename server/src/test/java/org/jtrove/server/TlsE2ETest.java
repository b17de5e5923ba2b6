package org.jtrove.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.jtrove.model.Json;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** With a certificate and key configured the API speaks HTTPS only. */
@Tag("e2e")
class TlsE2ETest {

    @Test
    void apiServesHttpsWithTheConfiguredCertificate() throws Exception {
        Path state = TestServers.stateDir("tls");
        Path dir = state.getParent();
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        Process openssl = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
                "-keyout", key.toString(), "-out", cert.toString()).redirectErrorStream(true).start();
        assertThat(openssl.waitFor()).as(new String(openssl.getInputStream().readAllBytes())).isZero();

        try (AllInOne server = new AllInOne(TestServers.config(state).with("auth", "builtin")
                .with("admin_password", "Admin-pw-123")
                .with("tls_cert_file", cert.toString()).with("tls_key_file", key.toString()))) {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("jtrove", CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(Files.readAllBytes(cert))));
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext ssl = SSLContext.getInstance("TLS");
            ssl.init(null, tmf.getTrustManagers(), null);
            HttpClient https = HttpClient.newBuilder().sslContext(ssl).connectTimeout(Duration.ofSeconds(5)).build();

            String base = "https://127.0.0.1:" + server.port();
            HttpResponse<String> auth = https.send(HttpRequest.newBuilder(URI.create(base + "/v3/auth/tokens"))
                    .POST(HttpRequest.BodyPublishers.ofString(IdentityIsolationE2ETest.authBody("admin", "Admin-pw-123", "admin")))
                    .header("Content-Type", "application/json").build(), HttpResponse.BodyHandlers.ofString());
            assertThat(auth.statusCode()).isEqualTo(201);
            String catalogUrl = Json.parse(auth.body()).at("/token/catalog/0/endpoints/0/url").asText();
            assertThat(catalogUrl).startsWith("https://127.0.0.1:" + server.port() + "/v1.0/");
            HttpResponse<String> flavors = https.send(HttpRequest.newBuilder(URI.create(catalogUrl + "/flavors"))
                    .header("X-Auth-Token", auth.headers().firstValue("X-Subject-Token").orElseThrow()).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(flavors.statusCode()).isEqualTo(200);
            assertThat(Files.readString(state.resolve("openrc"))).contains("OS_AUTH_URL=https://", "OS_CACERT=" + cert);

            HttpClient plain = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            assertThatThrownBy(() -> {
                HttpResponse<String> r = plain.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                        + "/v1.0/x/flavors")).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() < 400) {
                    throw new AssertionError("plain HTTP was served: " + r.statusCode());
                }
                throw new java.io.IOException("refused with " + r.statusCode());
            }).isInstanceOf(java.io.IOException.class);
        }
    }
}
