package org.jtrove.server;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Typed configuration: defaults, then a YAML file, then JTROVE_* environment variables, then command-line flags.
 * An unknown key in the file is an error, so a typo cannot silently run with a default.
 */
public record JtroveConfig(
        String bindHost,
        int port,
        String stateDir,
        String auth,
        String metadataUrl,
        String metadataUser,
        String metadataPassword,
        double heartbeatIntervalSeconds,
        double heartbeatExpirySeconds,
        double buildTimeoutSeconds,
        int maxVolumeSizeGb,
        String region,
        String defaultDatastore,
        String databaseOsUser,
        int addressBase,
        long maxBodyBytes,
        int spareDataDirs,
        double tokenLifetimeSeconds,
        String adminPassword,
        String publicEndpoint,
        String keystoneUrl,
        String keystoneServiceUser,
        String keystoneServicePassword,
        String keystoneServiceProject,
        double keystoneCacheSeconds,
        int quotaInstances,
        int quotaVolumes,
        int quotaBackups,
        int quotaRam,
        int rateLimitPerMinute,
        int pageSize,
        String tlsCertFile,
        String tlsKeyFile,
        String backupDir,
        String backupKeyFile,
        double backupTimeoutSeconds,
        String backupStorage,
        String backupS3Endpoint,
        String backupS3Region,
        String backupS3Bucket,
        String backupS3Prefix,
        String backupS3AccessKey,
        String backupS3SecretKey,
        boolean backupS3PathStyle,
        String publicAddress,
        String publicPorts) {

    public static JtroveConfig defaults() {
        boolean root = "root".equals(System.getProperty("user.name"));
        String state = root ? "/var/lib/jtrove" : System.getProperty("user.home") + "/.local/share/jtrove";
        return new JtroveConfig("0.0.0.0", 8779, state, "builtin", null, null, null, 2.0, 30.0, 300.0, 10,
                "RegionOne", "postgresql", "jtrove-db", 10, 1 << 20, 2, 3600, null, null, null, null, null, null, 60, 10, 40, 50, -1, 200, 20, null, null,
                null, null, 3600, "local", null, null, null, "jtrove-backups/", null, null, true, null, "16000-16999");
    }

    public Path statePath() {
        return Path.of(stateDir).toAbsolutePath();
    }

    public Duration tokenLifetime() {
        return Duration.ofMillis((long) (tokenLifetimeSeconds * 1000));
    }

    public Duration keystoneCache() {
        return Duration.ofMillis((long) (keystoneCacheSeconds * 1000));
    }

    /** Keeps secrets out of any printout of the configuration. */
    @Override
    public String toString() {
        return "JtroveConfig[bind " + bindHost + ":" + port + ", state " + stateDir + ", auth " + auth + "]";
    }

    public Duration heartbeatInterval() {
        return Duration.ofMillis((long) (heartbeatIntervalSeconds * 1000));
    }

    public Duration heartbeatExpiry() {
        return Duration.ofMillis((long) (heartbeatExpirySeconds * 1000));
    }

    public Duration backupTimeout() {
        return Duration.ofMillis((long) (backupTimeoutSeconds * 1000));
    }

    /** Where local backups are kept: backup_dir, or STATE/backups. */
    public Path backupPath() {
        return backupDir != null ? Path.of(backupDir).toAbsolutePath() : statePath().resolve("backups");
    }

    /** The backup encryption key (base64 of 32 bytes): backup_key_file, or STATE/backup.key made at first start. */
    public Path backupKeyPath() {
        return backupKeyFile != null ? Path.of(backupKeyFile).toAbsolutePath() : statePath().resolve("backup.key");
    }

    public Duration buildTimeout() {
        return Duration.ofMillis((long) (buildTimeoutSeconds * 1000));
    }

    /** Loads the file (if any) over the defaults, then the environment over that. */
    public static JtroveConfig load(Path file, Map<String, String> env) {
        Map<String, Object> values = new LinkedHashMap<>(asMap(defaults()));
        Path configFile = file != null ? file : env.containsKey("JTROVE_CONFIG") ? Path.of(env.get("JTROVE_CONFIG")) : null;
        if (configFile != null) {
            try {
                Map<?, ?> fromFile = new ObjectMapper(new YAMLFactory()).readValue(Files.readString(configFile), Map.class);
                if (fromFile != null) {
                    fromFile.forEach((k, v) -> put(values, String.valueOf(k), v, "config file " + configFile));
                }
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read config file " + configFile + ": " + e.getMessage(), e);
            }
        }
        for (String key : values.keySet().toArray(String[]::new)) {
            String envName = "JTROVE_" + key.toUpperCase(Locale.ROOT);
            if (env.containsKey(envName)) {
                values.put(key, env.get(envName));
            }
        }
        return fromMap(values);
    }

    public JtroveConfig with(String key, Object value) {
        Map<String, Object> values = new LinkedHashMap<>(asMap(this));
        put(values, key, value, "flag");
        return fromMap(values);
    }

    private static void put(Map<String, Object> values, String key, Object value, String where) {
        String k = key.replace('-', '_');
        if (!values.containsKey(k)) {
            throw new IllegalArgumentException("unknown configuration key '" + key + "' in " + where
                    + "; known keys: " + values.keySet());
        }
        values.put(k, value);
    }

    private static final ObjectMapper MAPPER = new ObjectMapper().findAndRegisterModules()
            .setPropertyNamingStrategy(com.fasterxml.jackson.databind.PropertyNamingStrategies.SNAKE_CASE)
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true);

    @SuppressWarnings("unchecked")
    private static Map<String, Object> asMap(JtroveConfig c) {
        Map<String, Object> m = MAPPER.convertValue(c, Map.class);
        m.remove("heartbeat_interval");
        m.remove("heartbeat_expiry");
        m.remove("build_timeout");
        m.remove("backup_timeout");
        m.remove("backup_path");
        m.remove("backup_key_path");
        m.remove("state_path");
        m.remove("token_lifetime");
        m.remove("keystone_cache");
        return m;
    }

    private static JtroveConfig fromMap(Map<String, Object> values) {
        try {
            return MAPPER.convertValue(values, JtroveConfig.class);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid configuration: " + e.getMessage(), e);
        }
    }
}
