package org.jtrove.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
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
import org.jtrove.compute.local.HostAccess;
import org.jtrove.compute.local.LocalComputeDriver;
import org.jtrove.compute.local.LocalGuestHost;
import org.jtrove.compute.local.OsUser;
import org.jtrove.compute.local.ProcessExits;
import org.jtrove.conductor.Conductor;
import org.jtrove.guestagent.Datastores;
import org.jtrove.identity.BuiltinIdentity;
import org.jtrove.identity.KeystoneTokenValidator;
import org.jtrove.identity.PasswordHasher;
import org.jtrove.identity.TokenValidator;
import org.jtrove.guestagent.TemplateCache;
import org.jtrove.model.DaemonThreads;
import org.jtrove.server.config.ApiConfig;
import org.jtrove.server.config.BackupConfig;
import org.jtrove.server.config.DatabaseConfig;
import org.jtrove.server.config.TaskmanagerConfig;
import org.jtrove.model.InstallationKey;
import org.jtrove.store.DatastoreVersionRecord;
import org.jtrove.store.MetadataStore;
import org.jtrove.store.SecretBox;
import org.jtrove.taskmanager.TaskManager;
import org.jtrove.taskmanager.engine.TaskEngine;
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
    private final StateLock stateLock;
    private final ProcessExits exits;

    public AllInOne(JtroveConfig config) {
        Path state = config.statePath();
        prepareStateDir(state);
        this.stateLock = StateLock.acquire(state);
        Datastores datastores = Datastores.builtIn();
        this.store = openStore(config);
        new Registration(store, datastores, state).firstStart();
        this.bus = new InProcessBus();
        this.conductor = new Conductor(store, bus);
        this.scheduler = Executors.newScheduledThreadPool(4, DaemonThreads.named("guest-heartbeats"));
        OsUser builder = OsUser.ensure(config.guestAgent.databaseOsUser());
        this.exits = new ProcessExits();
        this.templates = new TemplateCache(state.resolve("templates"), config.guestAgent.spareDataDirs(),
                new LocalGuestHost(state.resolve("templates"), builder, exits));
        BackupVault vault = backupVault(config);
        this.compute = new LocalComputeDriver(state, store, bus, datastores, templates, vault, scheduler,
                config.guestAgent.heartbeatInterval().toMillis(), config.guestAgent.addressBase(), exits,
                new HostAccess(config.host.publicAddress(), HostAccess.PortRange.parse(config.host.publicPorts())));
        this.taskmanager = new TaskManager(store, bus, compute, vault, new TaskManager.Settings(
                config.taskmanager.buildTimeout(), config.taskmanager.backupTimeout(), Duration.ofMinutes(10),
                engineSettings(config.taskmanager)),
                stateLock.taskmanagerName());
        BuiltinIdentity builtin = null;
        TokenValidator validator = null;
        switch (config.identity.authStrategy()) {
            case NOAUTH -> LOG.warn("authentication is off (auth_strategy = noauth): the project id in each URL is trusted");
            case BUILTIN -> {
                builtin = new BuiltinIdentity(store.identity, new PasswordHasher(10), config.identity.tokenLifetime());
                validator = builtin;
            }
            case KEYSTONE -> validator = new KeystoneTokenValidator(config.keystone.authUrl(), config.keystone.username(),
                    config.keystone.password(), config.keystone.projectName(), config.keystone.tokenCacheTime());
        }
        ApiConfig a = config.api;
        this.api = new ApiServer(store, bus, new ApiSettings(a.bindHost(), a.bindPort(), a.region(),
                a.maxVolumeSizeGb(), a.heartbeatExpiry(), a.defaultDatastore(), a.maxBodyBytes(), a.publicEndpoint(),
                config.quota.asMap(), a.rateLimitPerMinute(), a.pageSize(), a.tlsCertFile(), a.tlsKeyFile(), config.host.publicAddress()),
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
        BackupConfig b = config.backup;
        Path keyFile = b.keyFile(config.statePath());
        boolean isDefault = b.defaultKey();
        if (isDefault && !Files.exists(keyFile)) {
            LOG.info("made a new backup encryption key in {}; keep a copy: backups cannot be restored without it",
                    keyFile);
        }
        BackupStorage storage = switch (b.storage()) {
            case LOCAL -> new LocalBackupStorage(b.dir(config.statePath()));
            case S3 -> new S3BackupStorage(new S3BackupStorage.Settings(b.s3Endpoint(), b.s3Region(), b.s3Bucket(),
                    b.s3Prefix(), b.s3AccessKey(), b.s3SecretKey(), b.s3PathStyle()));
        };
        return new BackupVault(storage, BackupCodec.fromKeyFile(keyFile, isDefault));
    }

    /** The metadata store, its secrets sealed with the installation's key (made at first start if it is the default). */
    static MetadataStore openStore(JtroveConfig config) {
        return openStore(config, MetadataStore.SchemaMode.MIGRATE);
    }

    /** As {@link #openStore(JtroveConfig)}, migrating the schema or only checking that it is current. */
    static MetadataStore openStore(JtroveConfig config, MetadataStore.SchemaMode schema) {
        SecretBox secrets = new SecretBox(InstallationKey.load(config.backup.keyFile(config.statePath()),
                config.backup.defaultKey()));
        DatabaseConfig db = config.database;
        MetadataStore.Options options = new MetadataStore.Options(schema, db.maxPoolSize(), db.poolTimeout(),
                db.connectionRecycleTime());
        if (db.connection() == null) {
            return MetadataStore.embedded(config.statePath(), secrets, options);
        }
        return db.connection().startsWith("jdbc:")
                ? new MetadataStore(db.connection(), db.user(), db.password(), secrets, options)
                : MetadataStore.connect(db.connection(), secrets, options);
    }

    private static TaskEngine.Settings engineSettings(TaskmanagerConfig t) {
        TaskEngine.Settings d = TaskEngine.Settings.defaults();
        return new TaskEngine.Settings(t.taskLease(), d.pollInterval(), d.workers(), d.maxAttempts(), d.maxBackoff());
    }

    public int port() {
        return api.port();
    }

    public MetadataStore store() {
        return store;
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
        exits.close();
        bus.close();
        store.close();
        stateLock.close();
    }
}
