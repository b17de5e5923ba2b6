package org.jtrove.api;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/** HTTPS for the API from a PEM certificate chain and a PEM (PKCS#8) private key. */
final class Tls {
    private Tls() {}

    /** An HTTPS connector with the settings of {@code base} (Javalin's HTTP configuration) and TLS added. */
    static ServerConnector connector(Server server, HttpConfiguration base, String host, int port, Path certFile,
                                     Path keyFile) {
        SslContextFactory.Server ssl = new SslContextFactory.Server();
        ssl.setKeyStore(keyStore(certFile, keyFile));
        ssl.setKeyStorePassword("");
        HttpConfiguration https = new HttpConfiguration(base);
        SecureRequestCustomizer secure = new SecureRequestCustomizer();
        secure.setSniHostCheck(false);
        https.addCustomizer(secure);
        ServerConnector connector = new ServerConnector(server, new SslConnectionFactory(ssl, "http/1.1"),
                new HttpConnectionFactory(https));
        connector.setHost(host);
        connector.setPort(port);
        return connector;
    }

    static KeyStore keyStore(Path certFile, Path keyFile) {
        try {
            Certificate[] chain = CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(Files.readAllBytes(certFile))).toArray(Certificate[]::new);
            if (chain.length == 0) {
                throw new IllegalArgumentException("no certificate in " + certFile);
            }
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("jtrove", privateKey(keyFile), new char[0], chain);
            return store;
        } catch (IllegalArgumentException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalArgumentException("cannot load the TLS certificate " + certFile + " and key " + keyFile
                    + ": " + e.getMessage(), e);
        }
    }

    private static PrivateKey privateKey(Path keyFile) throws Exception {
        String pem = Files.readString(keyFile);
        if (!pem.contains("-----BEGIN PRIVATE KEY-----")) {
            throw new IllegalArgumentException(keyFile + " is not an unencrypted PKCS#8 PEM key; convert it with"
                    + " openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pk8");
        }
        String base64 = pem.replaceAll("(?s).*-----BEGIN PRIVATE KEY-----", "").replaceAll("(?s)-----END PRIVATE KEY-----.*", "")
                .replaceAll("\\s", "");
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(Base64.getDecoder().decode(base64));
        for (String algorithm : new String[] {"RSA", "EC", "Ed25519"}) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(spec);
            } catch (java.security.spec.InvalidKeySpecException e) {
                // try the next algorithm
            }
        }
        throw new IllegalArgumentException(keyFile + " holds a key of an unsupported algorithm (use RSA or EC)");
    }
}
