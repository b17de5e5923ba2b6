package org.jtrove.server.config;

import java.nio.file.Path;

/** Where backups are stored and the installation's key that seals them. */
public record BackupConfig(
        @Key(name = "backup_storage", value = "local", description = "local (a directory) or s3 (any S3-compatible"
                + " object store).", legacy = "backup_storage")
        Storage storage,
        @Key(name = "backup_dir", description = "Directory of local backups (default STATE/backups).",
                legacy = "backup_dir")
        String dir,
        @Key(name = "backup_key_file", description = "Base64 of the installation's 32-byte key (backups and stored"
                + " secrets); default STATE/backup.key, made at first start. Keep a copy: backups cannot be restored"
                + " without it.", legacy = "backup_key_file")
        String keyFile,
        @Key(name = "backup_s3_endpoint", description = "URL of the S3-compatible store.", legacy = "backup_s3_endpoint")
        String s3Endpoint,
        @Key(name = "backup_s3_region", description = "Region of the S3 bucket.", legacy = "backup_s3_region")
        String s3Region,
        @Key(name = "backup_s3_bucket", description = "Bucket of the backups.", legacy = "backup_s3_bucket")
        String s3Bucket,
        @Key(name = "backup_s3_prefix", value = "jtrove-backups/", description = "Prefix of the backup objects.",
                legacy = "backup_s3_prefix")
        String s3Prefix,
        @Key(name = "backup_s3_access_key", description = "S3 access key.", legacy = "backup_s3_access_key")
        String s3AccessKey,
        @Key(name = "backup_s3_secret_key", secret = true, description = "S3 secret key.",
                legacy = "backup_s3_secret_key")
        String s3SecretKey,
        @Key(name = "backup_s3_path_style", value = "true", description = "Path-style bucket URLs (most"
                + " S3-compatible stores need them).", legacy = "backup_s3_path_style")
        boolean s3PathStyle) {

    /** Where backups go. */
    public enum Storage { LOCAL, S3 }

    /** The directory of local backups. */
    public Path dir(Path state) {
        return dir != null ? Path.of(dir).toAbsolutePath() : state.resolve("backups");
    }

    /** The installation's key file. */
    public Path keyFile(Path state) {
        return keyFile != null ? Path.of(keyFile).toAbsolutePath() : state.resolve("backup.key");
    }

    /** Whether the key file is the default one, which is made at first start if missing. */
    public boolean defaultKey() {
        return keyFile == null;
    }
}
