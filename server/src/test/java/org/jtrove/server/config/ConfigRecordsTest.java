package org.jtrove.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jtrove.server.config.RecordKeys.v;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One test per configuration record: every key, its default and the field it sets. */
class ConfigRecordsTest {
    @TempDir
    Path dir;

    @Test
    void host() throws Exception {
        RecordKeys.pin(HostConfig.class, List.of("DEFAULT/host = (unset) -> host",
                "DEFAULT/state_path = (unset) -> statePath",
                "DEFAULT/public_address = (unset) -> publicAddress",
                "DEFAULT/public_ports = 16000-16999 -> publicPorts"), new HostConfig(null, null, null, "16000-16999"),
                Map.of("host", v("db-host-1", "db-host-1"), "statePath", v("/srv/jtrove", "/srv/jtrove"), "publicAddress", v("192.0.2.7", "192.0.2.7"),
                        "publicPorts", v("20000-20010", "20000-20010")), dir);
        assertThat(new HostConfig(null, null, null, null).state().toString()).isIn("/var/lib/jtrove",
                System.getProperty("user.home") + "/.local/share/jtrove");
    }

    @Test
    void api() throws Exception {
        RecordKeys.pin(ApiConfig.class, List.of(
                "DEFAULT/bind_host = 0.0.0.0 -> bindHost",
                "DEFAULT/bind_port = 8779 -> bindPort",
                "DEFAULT/public_endpoint = (unset) -> publicEndpoint",
                "ssl/cert_file = (unset) -> tlsCertFile",
                "ssl/key_file = (unset) -> tlsKeyFile",
                "DEFAULT/os_region_name = RegionOne -> region",
                "DEFAULT/default_datastore = postgresql -> defaultDatastore",
                "DEFAULT/max_accepted_volume_size = 10 -> maxVolumeSizeGb",
                "DEFAULT/agent_heartbeat_expiry = 30 -> heartbeatExpiry",
                "DEFAULT/page_size = 20 -> pageSize",
                "DEFAULT/rate_limit_per_minute = 200 -> rateLimitPerMinute",
                "oslo_middleware/max_request_body_size = 1048576 -> maxBodyBytes"),
                new ApiConfig("0.0.0.0", 8779, null, null, null, "RegionOne", "postgresql", 10, Duration.ofSeconds(30),
                        20, 200, 1048576),
                Map.ofEntries(Map.entry("bindHost", v("127.0.0.9", "127.0.0.9")), Map.entry("bindPort", v("9001", 9001)),
                        Map.entry("publicEndpoint", v("https://db.example:8779", "https://db.example:8779")),
                        Map.entry("tlsCertFile", v("/etc/c.pem", "/etc/c.pem")), Map.entry("tlsKeyFile", v("/etc/k.pem", "/etc/k.pem")),
                        Map.entry("region", v("North", "North")), Map.entry("defaultDatastore", v("mariadb", "mariadb")),
                        Map.entry("maxVolumeSizeGb", v("77", 77)), Map.entry("heartbeatExpiry", v("4.5", Duration.ofMillis(4500))),
                        Map.entry("pageSize", v("7", 7)), Map.entry("rateLimitPerMinute", v("0", 0)),
                        Map.entry("maxBodyBytes", v("2048", 2048L))), dir);
    }

    @Test
    void quota() throws Exception {
        RecordKeys.pin(QuotaConfig.class, List.of(
                "DEFAULT/max_instances_per_tenant = 10 -> instances",
                "DEFAULT/max_volumes_per_tenant = 40 -> volumes",
                "DEFAULT/max_backups_per_tenant = 50 -> backups",
                "DEFAULT/max_ram_per_tenant = -1 -> ram"),
                new QuotaConfig(10, 40, 50, -1),
                Map.of("instances", v("1", 1), "volumes", v("2", 2), "backups", v("3", 3), "ram", v("4096", 4096)), dir);
    }

    @Test
    void identity() throws Exception {
        RecordKeys.pin(IdentityConfig.class, List.of(
                "DEFAULT/auth_strategy = builtin -> authStrategy",
                "identity/admin_password = (unset) -> adminPassword",
                "token/expiration = 3600 -> tokenLifetime"),
                new IdentityConfig(IdentityConfig.AuthStrategy.BUILTIN, null, Duration.ofHours(1)),
                Map.of("authStrategy", v("keystone", IdentityConfig.AuthStrategy.KEYSTONE),
                        "adminPassword", v("s3cret#;x", "s3cret#;x"), "tokenLifetime", v("60", Duration.ofMinutes(1))), dir);
    }

    @Test
    void keystoneAuthtoken() throws Exception {
        RecordKeys.pin(KeystoneAuthtokenConfig.class, List.of(
                "keystone_authtoken/auth_url = (unset) -> authUrl",
                "keystone_authtoken/username = (unset) -> username",
                "keystone_authtoken/password = (unset) -> password",
                "keystone_authtoken/project_name = (unset) -> projectName",
                "keystone_authtoken/token_cache_time = 60 -> tokenCacheTime"),
                new KeystoneAuthtokenConfig(null, null, null, null, Duration.ofMinutes(1)),
                Map.of("authUrl", v("http://k:5000", "http://k:5000"), "username", v("jtrove", "jtrove"),
                        "password", v("pw", "pw"), "projectName", v("services", "services"),
                        "tokenCacheTime", v("300", Duration.ofMinutes(5))), dir);
    }

    @Test
    void database() throws Exception {
        RecordKeys.pin(DatabaseConfig.class, List.of(
                "database/connection = (unset) -> connection",
                "database/connection_user = (unset) -> user",
                "database/connection_password = (unset) -> password",
                "database/max_pool_size = 8 -> maxPoolSize",
                "database/pool_timeout = 10 -> poolTimeout",
                "database/connection_recycle_time = 3600 -> connectionRecycleTime"),
                new DatabaseConfig(null, null, null, 8, Duration.ofSeconds(10), Duration.ofHours(1)),
                Map.of("connection", v("mysql+pymysql://jtrove:pw@127.0.0.1/jtrove", "mysql+pymysql://jtrove:pw@127.0.0.1/jtrove"),
                        "user", v("u", "u"), "password", v("p", "p"), "maxPoolSize", v("3", 3),
                        "poolTimeout", v("2", Duration.ofSeconds(2)), "connectionRecycleTime", v("60", Duration.ofMinutes(1))), dir);
    }

    @Test
    void taskmanager() throws Exception {
        RecordKeys.pin(TaskmanagerConfig.class, List.of(
                "DEFAULT/usage_timeout = 300 -> buildTimeout",
                "DEFAULT/backup_timeout = 3600 -> backupTimeout",
                "DEFAULT/task_lease = 20 -> taskLease",
                "DEFAULT/backup_schedule_interval = 10 -> backupScheduleInterval",
                "DEFAULT/failover_window = 5 -> failoverWindow",
                "DEFAULT/failover_probe_interval = 1 -> failoverProbeInterval"),
                new TaskmanagerConfig(Duration.ofMinutes(5), Duration.ofHours(1), Duration.ofSeconds(20),
                        Duration.ofSeconds(10), Duration.ofSeconds(5), Duration.ofSeconds(1)),
                Map.of("buildTimeout", v("600", Duration.ofMinutes(10)), "backupTimeout", v("7200", Duration.ofHours(2)),
                        "taskLease", v("5", Duration.ofSeconds(5)), "backupScheduleInterval", v("2", Duration.ofSeconds(2)),
                        "failoverWindow", v("3", Duration.ofSeconds(3)),
                        "failoverProbeInterval", v("2", Duration.ofSeconds(2))),
                dir);
    }

    @Test
    void guestAgent() throws Exception {
        RecordKeys.pin(GuestAgentConfig.class, List.of(
                "DEFAULT/report_interval = 2 -> heartbeatInterval",
                "DEFAULT/address_base = 10 -> addressBase",
                "DEFAULT/database_os_user = jtrove-db -> databaseOsUser",
                "DEFAULT/spare_data_dirs = 2 -> spareDataDirs"),
                new GuestAgentConfig(Duration.ofSeconds(2), 10, "jtrove-db", 2),
                Map.of("heartbeatInterval", v("0.5", Duration.ofMillis(500)), "addressBase", v("42", 42),
                        "databaseOsUser", v("dbs", "dbs"), "spareDataDirs", v("0", 0)), dir);
    }

    @Test
    void backup() throws Exception {
        RecordKeys.pin(BackupConfig.class, List.of(
                "DEFAULT/backup_storage = local -> storage",
                "DEFAULT/backup_dir = (unset) -> dir",
                "DEFAULT/backup_key_file = (unset) -> keyFile",
                "DEFAULT/backup_s3_endpoint = (unset) -> s3Endpoint",
                "DEFAULT/backup_s3_region = (unset) -> s3Region",
                "DEFAULT/backup_s3_bucket = (unset) -> s3Bucket",
                "DEFAULT/backup_s3_prefix = jtrove-backups/ -> s3Prefix",
                "DEFAULT/backup_s3_access_key = (unset) -> s3AccessKey",
                "DEFAULT/backup_s3_secret_key = (unset) -> s3SecretKey",
                "DEFAULT/backup_s3_path_style = true -> s3PathStyle"),
                new BackupConfig(BackupConfig.Storage.LOCAL, null, null, null, null, null, "jtrove-backups/", null, null, true),
                Map.of("storage", v("s3", BackupConfig.Storage.S3), "dir", v("/b", "/b"), "keyFile", v("/k", "/k"),
                        "s3Endpoint", v("http://s3", "http://s3"), "s3Region", v("r", "r"), "s3Bucket", v("bk", "bk"),
                        "s3Prefix", v("p/", "p/"), "s3AccessKey", v("a", "a"), "s3SecretKey", v("s", "s"),
                        "s3PathStyle", v("no", false)), dir);
    }

    @Test
    void everyRecordIsPinnedHereAndKeysAreUnique() {
        assertThat(ConfigRecords.ALL).containsExactly(HostConfig.class, ApiConfig.class, QuotaConfig.class,
                IdentityConfig.class, KeystoneAuthtokenConfig.class, DatabaseConfig.class,
                TaskmanagerConfig.class, GuestAgentConfig.class, BackupConfig.class);
        assertThat(ConfigRecords.keys()).as("the records' keys and bus-rabbitmq's messaging keys").hasSize(64)
                .containsKeys("DEFAULT/transport_url", "DEFAULT/control_exchange", "oslo_messaging_rabbit/ssl");
    }
}
