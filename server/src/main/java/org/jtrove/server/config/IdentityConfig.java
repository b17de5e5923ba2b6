package org.jtrove.server.config;

import java.time.Duration;

/** Who may call the API: jtrove's built-in Keystone v3 compatible identity, an external Keystone, or nobody checks. */
public record IdentityConfig(
        @Key(name = "auth_strategy", value = "builtin", description = "builtin (jtrove's own identity on /v3),"
                + " keystone (validate tokens with the Keystone in [keystone_authtoken]) or noauth (trust the project"
                + " in the URL; development only).", legacy = "auth")
        AuthStrategy authStrategy,
        @Key(section = "identity", name = "admin_password", secret = true, description = "Password of the bootstrap"
                + " admin at first start (default: generated and written to STATE/openrc only).",
                legacy = "admin_password")
        String adminPassword,
        @Key(section = "token", name = "expiration", value = "3600", description = "Seconds a built-in token is valid.",
                legacy = "token_lifetime_seconds")
        Duration tokenLifetime) {

    /** How API requests are authenticated. */
    public enum AuthStrategy { BUILTIN, KEYSTONE, NOAUTH }
}
