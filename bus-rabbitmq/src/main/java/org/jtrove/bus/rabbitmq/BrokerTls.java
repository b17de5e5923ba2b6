package org.jtrove.bus.rabbitmq;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Collection;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The TLS context for the broker from oslo's PEM files: {@code ssl_ca_file} (certificates to trust; the JDK's
 * when unset), and optionally {@code ssl_cert_file} + {@code ssl_key_file} (a client certificate and its
 * unencrypted PKCS#8 key, as {@code openssl genpkey} writes it).
 */
final class BrokerTls {
    private static final Pattern PKCS8 = Pattern.compile(
            "-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END PRIVATE KEY-----");
    private static final char[] NO_PASSWORD = new char[0];

    private BrokerTls() {}

    /**
     * @param ca   may be null (trust the JDK's CAs)
     * @param cert may be null (no client certificate); then key is null too
     * @throws IllegalArgumentException naming the file that cannot be used
     */
    static SSLContext context(Path ca, Path cert, Path key) {
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            TrustManagerFactory tmf = null;
            if (ca != null) {
                KeyStore trust = emptyStore();
                int i = 0;
                for (Certificate c : certificates(ca, "ssl_ca_file")) {
                    trust.setCertificateEntry("ca" + i++, c);
                }
                tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                tmf.init(trust);
            }
            KeyManagerFactory kmf = null;
            if (cert != null) {
                KeyStore keys = emptyStore();
                keys.setKeyEntry("client", privateKey(key), NO_PASSWORD,
                        certificates(cert, "ssl_cert_file").toArray(new Certificate[0]));
                kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(keys, NO_PASSWORD);
            }
            ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf == null ? null : tmf.getTrustManagers(), null);
            return ctx;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalArgumentException("cannot set up TLS to the broker: " + e.getMessage(), e);
        }
    }

    private static KeyStore emptyStore() throws GeneralSecurityException, IOException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        return store;
    }

    private static Collection<? extends Certificate> certificates(Path file, String key) throws IOException {
        try {
            Collection<? extends Certificate> certs = CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(Files.readAllBytes(file)));
            if (certs.isEmpty()) {
                throw new IllegalArgumentException();
            }
            return certs;
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalArgumentException("[oslo_messaging_rabbit] " + key + " " + file
                    + " holds no PEM certificate");
        }
    }

    private static PrivateKey privateKey(Path file) throws IOException {
        Matcher m = PKCS8.matcher(Files.readString(file));
        if (!m.find()) {
            throw new IllegalArgumentException("[oslo_messaging_rabbit] ssl_key_file " + file + " holds no unencrypted"
                    + " PKCS#8 key (BEGIN PRIVATE KEY); convert it with openssl pkcs8 -topk8 -nocrypt");
        }
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(Base64.getMimeDecoder().decode(m.group(1)));
        for (String algorithm : new String[] {"RSA", "EC", "Ed25519", "Ed448"}) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(spec);
            } catch (GeneralSecurityException e) {
                // try the next algorithm
            }
        }
        throw new IllegalArgumentException("[oslo_messaging_rabbit] ssl_key_file " + file
                + ": not an RSA, EC or EdDSA key");
    }
}
