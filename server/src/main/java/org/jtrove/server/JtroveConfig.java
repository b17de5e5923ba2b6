package org.jtrove.server;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jtrove.bus.rabbitmq.MessagingConfig;
import org.jtrove.server.config.ApiConfig;
import org.jtrove.server.config.BackupConfig;
import org.jtrove.server.config.ConfigRecords;
import org.jtrove.server.config.ConfigSource;
import org.jtrove.server.config.DatabaseConfig;
import org.jtrove.server.config.GuestAgentConfig;
import org.jtrove.server.config.HostConfig;
import org.jtrove.server.config.IdentityConfig;
import org.jtrove.server.config.KeystoneAuthtokenConfig;
import org.jtrove.server.config.QuotaConfig;
import org.jtrove.server.config.TaskmanagerConfig;

/**
 * jtrove's whole configuration: one typed record per concern, bound from each key's default, then the INI files
 * ({@code --config-file}, later files win; {@code JTROVE_CONFIG} names one when no flag does), then environment
 * variables, then command-line flags. See {@link org.jtrove.server.config.Key} for the environment's names.
 */
public final class JtroveConfig {
    private final ConfigSource source;
    private final List<String> warnings;
    public final HostConfig host;
    public final ApiConfig api;
    public final QuotaConfig quota;
    public final IdentityConfig identity;
    public final KeystoneAuthtokenConfig keystone;
    public final DatabaseConfig database;
    public final MessagingConfig messaging;
    public final TaskmanagerConfig taskmanager;
    public final GuestAgentConfig guestAgent;
    public final BackupConfig backup;

    private JtroveConfig(ConfigSource source, List<String> warnings) {
        this.source = source;
        this.warnings = warnings;
        this.host = source.bind(HostConfig.class);
        this.api = source.bind(ApiConfig.class);
        this.quota = source.bind(QuotaConfig.class);
        this.identity = source.bind(IdentityConfig.class);
        this.keystone = source.bind(KeystoneAuthtokenConfig.class);
        this.database = source.bind(DatabaseConfig.class);
        this.messaging = MessagingConfig.from(source.raw(ConfigRecords.messagingKeys()));
        this.taskmanager = source.bind(TaskmanagerConfig.class);
        this.guestAgent = source.bind(GuestAgentConfig.class);
        this.backup = source.bind(BackupConfig.class);
    }

    /** Every key at its default (environment ignored). */
    public static JtroveConfig defaults() {
        return new JtroveConfig(ConfigSource.load(List.of(), Map.of()), List.of());
    }

    /**
     * Loads {@code files} (or the file {@code JTROVE_CONFIG} names, if no file is given) over the defaults, then the
     * environment over that.
     *
     * @throws IllegalArgumentException for an unreadable file, an unknown key or an invalid value
     */
    public static JtroveConfig load(List<Path> files, Map<String, String> env) {
        List<Path> all = new ArrayList<>(files);
        if (all.isEmpty() && env.containsKey("JTROVE_CONFIG")) {
            all.add(Path.of(env.get("JTROVE_CONFIG")));
        }
        ConfigSource source = ConfigSource.load(all, env);
        return new JtroveConfig(source, ConfigRecords.check(source));
    }

    /** This configuration with {@code key} (a flat legacy name, {@code section/key}, or a DEFAULT key) set. */
    public JtroveConfig with(String key, Object value) {
        return new JtroveConfig(source.with(key, value), warnings);
    }

    /** Oslo keys found in the files that jtrove does not use (logged at start-up). */
    public List<String> warnings() {
        return warnings;
    }

    public Path statePath() {
        return host.state();
    }

    /** Keeps secrets out of any printout of the configuration. */
    @Override
    public String toString() {
        return "JtroveConfig[bind " + api.bindHost() + ":" + api.bindPort() + ", state " + statePath() + ", auth "
                + identity.authStrategy() + "]";
    }
}
