package org.jtrove.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import org.jtrove.identity.BuiltinIdentity;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * First start of the built-in identity: a bootstrap admin, and STATE/openrc (mode 0600) so that
 * {@code source STATE/openrc; openstack database instance list} works. The password is never logged.
 */
final class Openrc {
    private static final Logger LOG = LoggerFactory.getLogger(Openrc.class);

    private Openrc() {}

    static void bootstrap(BuiltinIdentity identity, JtroveConfig config, Path state, int port, boolean tls) {
        Optional<String> password = identity.bootstrap(config.identity.adminPassword());
        if (password.isEmpty()) {
            return;
        }
        String host = "0.0.0.0".equals(config.api.bindHost()) || "::".equals(config.api.bindHost()) ? "127.0.0.1"
                : config.api.bindHost();
        String authUrl = config.api.publicEndpoint() != null ? config.api.publicEndpoint().replaceAll("/+$", "") + "/v3"
                : (tls ? "https://" : "http://") + host + ":" + port + "/v3";
        String text = String.join("\n",
                "# jtrove bootstrap admin; source this file to use the openstack client",
                "export OS_AUTH_URL=" + authUrl,
                "export OS_USERNAME=admin",
                "export OS_PASSWORD='" + password.get().replace("'", "'\\''") + "'",
                "export OS_PROJECT_NAME=admin",
                "export OS_USER_DOMAIN_NAME=Default",
                "export OS_PROJECT_DOMAIN_NAME=Default",
                "export OS_IDENTITY_API_VERSION=3",
                tls ? "export OS_CACERT=" + Path.of(config.api.tlsCertFile()).toAbsolutePath() : "",
                "");
        Path file = state.resolve("openrc");
        try {
            Files.deleteIfExists(file);
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(file, text);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write " + file + ": " + e.getMessage(), e);
        }
        LOG.info("created the bootstrap admin (project admin, user admin); credentials are in {}", file);
    }
}
