package org.jtrove.server;

import org.jtrove.api.ApiServer;
import org.jtrove.api.ApiSettings;
import org.jtrove.bus.MessageBus;
import org.jtrove.identity.BuiltinIdentity;
import org.jtrove.identity.KeystoneTokenValidator;
import org.jtrove.identity.PasswordHasher;
import org.jtrove.identity.TokenValidator;
import org.jtrove.server.config.ApiConfig;
import org.jtrove.store.MetadataStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The API service ({@code jtrove api}): Trove's v1.0 REST API and, with the built-in identity, a Keystone v3
 * compatible {@code /v3} whose first start writes {@code STATE/openrc}.
 */
final class ApiService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ApiService.class);
    private final JtroveConfig config;
    private final BuiltinIdentity builtin;
    private final ApiServer api;

    ApiService(JtroveConfig config, MetadataStore store, MessageBus bus) {
        this.config = config;
        TokenValidator validator = null;
        BuiltinIdentity identity = null;
        switch (config.identity.authStrategy()) {
            case NOAUTH -> LOG.warn("authentication is off (auth_strategy = noauth): the project id in each URL is trusted");
            case BUILTIN -> {
                identity = new BuiltinIdentity(store.identity, new PasswordHasher(10), config.identity.tokenLifetime());
                validator = identity;
            }
            case KEYSTONE -> validator = new KeystoneTokenValidator(config.keystone.authUrl(), config.keystone.username(),
                    config.keystone.password(), config.keystone.projectName(), config.keystone.tokenCacheTime());
        }
        this.builtin = identity;
        ApiConfig a = config.api;
        this.api = new ApiServer(store, bus, new ApiSettings(a.bindHost(), a.bindPort(), a.region(),
                a.maxVolumeSizeGb(), a.heartbeatExpiry(), a.defaultDatastore(), a.maxBodyBytes(), a.publicEndpoint(),
                config.quota.asMap(), a.rateLimitPerMinute(), a.pageSize(), a.tlsCertFile(), a.tlsKeyFile(),
                config.host.publicAddress()), validator, identity);
    }

    ApiService start() {
        api.start();
        if (builtin != null) {
            Openrc.bootstrap(builtin, config, config.statePath(), api.port(), api.tls());
        }
        return this;
    }

    int port() {
        return api.port();
    }

    boolean tls() {
        return api.tls();
    }

    @Override
    public void close() {
        api.close();
    }
}
