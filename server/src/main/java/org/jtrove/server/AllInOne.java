package org.jtrove.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.jtrove.api.ApiServer;
import org.jtrove.api.ApiSettings;
import org.jtrove.backupstorage.BackupCodec;
import org.jtrove.backupstorage.BackupVault;
import org.jtrove.backupstorage.BackupStorage;
import org.jtrove.backupstorage.LocalBackupStorage;
import org.jtrove.backupstorage.S3BackupStorage;
import org.jtrove.bus.InProcessBus;
import org.jtrove.bus.MessageBus;
import org.jtrove.compute.local.LocalComputeDriver;
import org.jtrove.compute.local.LocalGuestHost;
import org.jtrove.compute.local.OsUser;
import org.jtrove.conductor.Conductor;
import org.jtrove.guestagent.Datastores;
import org.jtrove.identity.BuiltinIdentity;
import org.jtrove.identity.KeystoneTokenValidator;
import org.jtrove.identity.PasswordHasher;
import org.jtrove.identity.TokenValidator;
import org.jtrove.guestagent.TemplateCache;
import org.jtrove.store.DatastoreVersionRecord;
import org.jtrove.store.MetadataStore;
import org.jtrove.taskmanager.TaskManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * api, taskmanager, conductor and the guest agents in one JVM over the in-process bus. This is the whole
 * object graph: every part is constructed here, explicitly.
 */
public final class AllInOne implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AllInOne.class);
    private final MetadataStore store;
    private final MessageBus bus;
    private final Conductor conductor;
    private final LocalComputeDriver compute;
    private final TaskManager taskmanager;
    private final ApiServer api;
    private final ScheduledExecutorService scheduler;
    private Thread templateWarmer;
    private final TemplateCache templates;
    private final Registration registration;

    public AllInOne(JtroveConfig config) {
        Path state = config.statePath();
        prepareStateDir(state);
        Datastores datastores = Datastores.builtIn();
        this.store = openStore(config);
        OsUser builder = OsUser.ensure(config.databaseOsUser());
        this.registration = new Registration(store, datastores, state,
                new LocalGuestHost(state.resolve("probes"), builder));
        registration.firstStart();
        this.bus = new InProcessBus();
        this.conductor = new Conductor(store, bus);
        this.scheduler = Executors.newScheduledThreadPool(4, r -> {
            Thread t = new Thread(r, "guest-heartbeats");
            t.setDaemon(true);
            return t;
        });
        this.templates = new TemplateCache(state.resolve("templates"), config.spareDataDirs(),
                new LocalGuestHost(state.resolve("templates"), builder));
        BackupVault vault = backupVault(config);
        this.compute = new LocalComputeDriver(state, store, bus, datastores, templates, vault, scheduler,
                config.heartbeatInterval().toMillis(), config.addressBase());
        this.taskmanager = new TaskManager(store, bus, compute, config.buildTimeout(), vault, config.backupTimeout());
        BuiltinIdentity builtin = null;
        TokenValidator validator = null;
        switch (config.auth()) {
            case "noauth" -> LOG.warn("authentication is off (auth = noauth): the project id in each URL is trusted");
            case "builtin" -> {
                builtin = new BuiltinIdentity(store.identity, new PasswordHasher(10), config.tokenLifetime());
                validator = builtin;
            }
            case "keystone" -> validator = new KeystoneTokenValidator(config.keystoneUrl(), config.keystoneServiceUser(),
                    config.keystoneServicePassword(), config.keystoneServiceProject(), config.keystoneCache());
            default -> throw new IllegalArgumentException("auth must be builtin, keystone or noauth, not " + config.auth());
        }
        this.api = new ApiServer(store, bus, new ApiSettings(config.bindHost(), config.port(), config.region(),
                config.maxVolumeSizeGb(), config.heartbeatExpiry(), config.defaultDatastore(), config.maxBodyBytes(),
                config.publicEndpoint(), java.util.Map.of("instances", config.quotaInstances(), "volumes", config.quotaVolumes(),
                "backups", config.quotaBackups(), "ram", config.quotaRam()), config.rateLimitPerMinute(), config.pageSize(),
                config.tlsCertFile(), config.tlsKeyFile()),
                validator, builtin);
        conductor.start();
        compute.recover();
        taskmanager.start();
        api.start();
        if (builtin != null) {
            Openrc.bootstrap(builtin, config, state, api.port(), api.tls());
        }
        warmTemplates(datastores, templates);
    }

    /**
     * Backups go to a local directory, sealed with the installation's key. A configured key file must exist; the
     * default one is made (random, 0600) at first start, since jtrove ships no key.
     */
    static BackupVault backupVault(JtroveConfig config) {
        Path keyFile = config.backupKeyPath();
        boolean isDefault = config.backupKeyFile() == null;
        if (isDefault && !Files.exists(keyFile)) {
            LOG.info("made a new backup encryption key in {}; keep a copy: backups cannot be restored without it",
                    keyFile);
        }
        BackupStorage storage = switch (config.backupStorage()) {
            case "local" -> new LocalBackupStorage(config.backupPath());
            case "s3" -> new S3BackupStorage(new S3BackupStorage.Settings(config.backupS3Endpoint(),
                    config.backupS3Region(), config.backupS3Bucket(), config.backupS3Prefix(),
                    config.backupS3AccessKey(), config.backupS3SecretKey(), config.backupS3PathStyle()));
            default -> throw new IllegalArgumentException("backup_storage must be local or s3, not " + config.backupStorage());
        };
        return new BackupVault(storage, BackupCodec.fromKeyFile(keyFile, isDefault));
    }

    static MetadataStore openStore(JtroveConfig config) {
        return config.metadataUrl() == null
                ? MetadataStore.embedded(config.statePath())
                : new MetadataStore(config.metadataUrl(), config.metadataUser(), config.metadataPassword());
    }

    public int port() {
        return api.port();
    }

    public MetadataStore store() {
        return store;
    }

    /** Registers server builds as datastore versions in this server's store (what `manage` does from outside). */
    public Registration registration() {
        return registration;
    }

    /** Initialises the data directory templates in the background, so the first create does not pay for it. */
    private void warmTemplates(Datastores datastores, TemplateCache templates) {
        Thread t = new Thread(() -> {
            try {
                for (var ds : store.datastores.list()) {
                    for (DatastoreVersionRecord v : store.datastores.versions(ds.id())) {
                        if (Thread.currentThread().isInterrupted()) {
                            return;
                        }
                        if (v.active()) {
                            warm(datastores, templates, v);
                        }
                    }
                }
            } catch (RuntimeException e) {
                LOG.debug("template warming stopped: {}", e.toString());
            }
        }, "template-warmer");
        t.setDaemon(true);
        t.start();
        templateWarmer = t;
    }

    private static void warm(Datastores datastores, TemplateCache templates, DatastoreVersionRecord v) {
        try {
            templates.replenish(templates.ensure(datastores.get(v.manager()), v.build()));
        } catch (Exception e) {
            LOG.warn("cannot prepare the template for {} {}: {}", v.manager(), v.name(), e.getMessage());
        }
    }

    /** The state directory must be traversable by the unprivileged database user. */
    static void prepareStateDir(Path state) {
        try {
            Files.createDirectories(state);
            Files.setPosixFilePermissions(state, PosixFilePermissions.fromString("rwx--x--x"));
            for (Path p = state.getParent(); p != null; p = p.getParent()) {
                if (!Files.getPosixFilePermissions(p).contains(java.nio.file.attribute.PosixFilePermission.OTHERS_EXECUTE)) {
                    throw new IllegalStateException("The state directory " + state + " is inside " + p
                            + ", which other users cannot enter; database servers run as an unprivileged user."
                            + " Choose another state directory (JTROVE_STATE_DIR) or run chmod o+x " + p + ".");
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot create the state directory " + state + ": " + e.getMessage(), e);
        }
    }

    /** Stops the control plane; database servers keep running and are adopted at the next start. */
    @Override
    public void close() {
        templateWarmer.interrupt();
        try {
            templateWarmer.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        templates.close();
        api.close();
        taskmanager.close();
        compute.close();
        conductor.close();
        scheduler.shutdownNow();
        bus.close();
        store.close();
    }
}
