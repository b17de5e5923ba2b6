package org.jtrove.server.config;

import java.time.Duration;

/**
 * The external Keystone that validates tokens when {@code auth_strategy = keystone}: keystonemiddleware's
 * {@code [keystone_authtoken]} keys, for jtrove's own service user.
 */
public record KeystoneAuthtokenConfig(
        @Key(section = "keystone_authtoken", name = "auth_url", description = "Keystone's identity endpoint, e.g."
                + " http://keystone:5000 (or .../v3).", legacy = "keystone_url")
        String authUrl,
        @Key(section = "keystone_authtoken", name = "username", description = "jtrove's service user.",
                legacy = "keystone_service_user")
        String username,
        @Key(section = "keystone_authtoken", name = "password", secret = true, description = "The service user's"
                + " password.", legacy = "keystone_service_password")
        String password,
        @Key(section = "keystone_authtoken", name = "project_name", description = "The service user's project.",
                legacy = "keystone_service_project")
        String projectName,
        @Key(section = "keystone_authtoken", name = "token_cache_time", value = "60", description = "Seconds a"
                + " validated token is trusted without asking Keystone again.", legacy = "keystone_cache_seconds")
        Duration tokenCacheTime) {}
