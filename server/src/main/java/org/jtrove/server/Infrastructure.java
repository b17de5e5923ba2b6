package org.jtrove.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import org.jtrove.backupstorage.BackupCodec;
import org.jtrove.backupstorage.BackupStorage;
import org.jtrove.backupstorage.BackupVault;
import org.jtrove.backupstorage.LocalBackupStorage;
import org.jtrove.backupstorage.S3BackupStorage;
import org.jtrove.bus.MessageBus;
import org.jtrove.bus.rabbitmq.RabbitMqBus;
import org.jtrove.model.InstallationKey;
import org.jtrove.server.config.BackupConfig;
import org.jtrove.server.config.DatabaseConfig;
import org.jtrove.store.MetadataStore;
import org.jtrove.store.SecretBox;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What the services share and open the same way: the metadata store, the broker bus, the backup vault. */
final class Infrastructure {
    private static final Logger LOG = LoggerFactory.getLogger(Infrastructure.class);

    private Infrastructure() {}

    /**
     * The metadata store, its secrets sealed with the installation's key (made at first start if it is the
     * default), migrating its schema or only checking that it is current ({@code jtrove manage db_sync} migrates).
     */
    static MetadataStore openStore(JtroveConfig config, MetadataStore.SchemaMode schema) {
        BackupConfig b = config.backup;
        SecretBox secrets = new SecretBox(InstallationKey.load(b.keyFile(config.statePath()), b.defaultKey()));
        DatabaseConfig db = config.database;
        MetadataStore.Options options = new MetadataStore.Options(schema, db.maxPoolSize(), db.poolTimeout(),
                db.connectionRecycleTime());
        if (db.connection() == null) {
            prepareStateDir(config.statePath());
            return MetadataStore.embedded(config.statePath(), secrets, options);
        }
        return db.connection().startsWith("jdbc:")
                ? new MetadataStore(db.connection(), db.user(), db.password(), secrets, options)
                : MetadataStore.connect(db.connection(), secrets, options);
    }

    /** The broker bus of a separate service: {@code [DEFAULT] transport_url} must be set. */
    static MessageBus openBus(JtroveConfig config) {
        if (config.messaging.transportUrl() == null) {
            throw new IllegalArgumentException("[DEFAULT] transport_url is not set: the separate services talk over"
                    + " RabbitMQ (transport_url = rabbit://user:pass@host:5672/). `jtrove server` runs everything in"
                    + " one process without a broker.");
        }
        return RabbitMqBus.connect(config.messaging);
    }

    /**
     * Backups go to a local directory or an S3-compatible store, sealed with the installation's key. A configured
     * key file must exist; the default one is made (random, 0600) at first start, since jtrove ships no key.
     */
    static BackupVault backupVault(JtroveConfig config) {
        BackupConfig b = config.backup;
        Path keyFile = b.keyFile(config.statePath());
        if (b.defaultKey() && !Files.exists(keyFile)) {
            LOG.info("made a new backup encryption key in {}; keep a copy: backups cannot be restored without it",
                    keyFile);
        }
        BackupStorage storage = switch (b.storage()) {
            case LOCAL -> new LocalBackupStorage(b.dir(config.statePath()));
            case S3 -> new S3BackupStorage(new S3BackupStorage.Settings(b.s3Endpoint(), b.s3Region(), b.s3Bucket(),
                    b.s3Prefix(), b.s3AccessKey(), b.s3SecretKey(), b.s3PathStyle()));
        };
        return new BackupVault(storage, BackupCodec.fromKeyFile(keyFile, b.defaultKey()));
    }

    /** The state directory must be traversable by the unprivileged database user. */
    static void prepareStateDir(Path state) {
        try {
            Files.createDirectories(state);
            Files.setPosixFilePermissions(state, PosixFilePermissions.fromString("rwx--x--x"));
            for (Path p = state.getParent(); p != null; p = p.getParent()) {
                if (!Files.getPosixFilePermissions(p).contains(PosixFilePermission.OTHERS_EXECUTE)) {
                    throw new IllegalStateException("The state directory " + state + " is inside " + p
                            + ", which other users cannot enter; database servers run as an unprivileged user."
                            + " Choose another state directory (JTROVE_STATE_DIR) or run chmod o+x " + p + ".");
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot create the state directory " + state + ": " + e.getMessage(), e);
        }
    }
}
