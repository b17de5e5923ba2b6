package org.jtrove.guestagent;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.jtrove.backupstorage.BackupVault;
import org.jtrove.bus.ConductorApi;
import org.jtrove.bus.GuestMethod;
import org.jtrove.bus.Message;
import org.jtrove.bus.MessageBus;
import org.jtrove.bus.Topics;
import org.jtrove.guestagent.backup.BackupEnvelope;
import org.jtrove.guestagent.backup.BackupPayload;
import org.jtrove.model.DaemonThreads;
import org.jtrove.model.Json;
import org.jtrove.model.JtroveException;
import org.jtrove.model.Secrets;
import org.jtrove.model.ServiceStatus;
import org.jtrove.model.config.ConfigValues;
import org.jtrove.model.guest.AgentBoot;
import org.jtrove.model.guest.BackupReport;
import org.jtrove.model.guest.BackupRequest;
import org.jtrove.model.guest.DatabaseSpec;
import org.jtrove.model.guest.Heartbeat;
import org.jtrove.model.guest.Managers;
import org.jtrove.model.guest.NameRules;
import org.jtrove.model.guest.PointInTime;
import org.jtrove.model.guest.PrepareRequest;
import org.jtrove.model.guest.ReplicaRequest;
import org.jtrove.model.guest.ReplicationSource;
import org.jtrove.model.guest.RestoreSource;
import org.jtrove.model.guest.RootUser;
import org.jtrove.model.guest.UserAttributes;
import org.jtrove.model.guest.UserSpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sits beside one database server: prepares it, starts and stops it, does database and user work inside it,
 * and reports its health to the conductor on every heartbeat. All its state is on disk under the instance
 * directory, so a new agent adopts a running server instead of starting another one.
 */
public final class GuestAgent implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(GuestAgent.class);
    private static final long READY_TIMEOUT_S = 90;
    /** A restored server first replays its logs (PostgreSQL WAL, a large Redis RDB): it may take much longer. */
    private static final long RESTORED_READY_TIMEOUT_S = 1800;
    /** How often finished logs are looked for and archived. */
    private static final long ARCHIVE_TICK_MS = 2000;

    private volatile InstanceContext ctx;
    private final Datastore datastore;
    private final GuestHost host;
    private final MessageBus bus;
    private final TemplateCache templates;
    private final BackupVault vault;
    private final ScheduledExecutorService scheduler;
    /** Held while a change to databases, users or grants runs: one request (and one undo journal) at a time. */
    private final Object sqlChanges = new Object();
    private final long heartbeatMillis;
    private volatile ProcessHandle server;
    private volatile ProcessHandle expectedExit;
    private volatile boolean closed;
    private MessageBus.Subscription subscription;
    private ScheduledFuture<?> heartbeats;
    private ScheduledFuture<?> archiveTicks;
    /** The datastore's continuous archive (null: none, e.g. Redis) and what seals it into the backup storage. */
    private final LogArchive logArchive;
    private final LogArchiver archiver;
    private final AtomicBoolean archiving = new AtomicBoolean();
    private final ConductorApi conductor;
    private final OperationRunner operations;
    private final BackupRunner backups;

    public GuestAgent(InstanceContext ctx, Datastore datastore, GuestHost host, MessageBus bus, TemplateCache templates,
                      BackupVault vault, ScheduledExecutorService scheduler, long heartbeatMillis) {
        this.ctx = ctx;
        this.datastore = datastore;
        this.host = host;
        this.bus = bus;
        this.conductor = new ConductorApi(bus);
        this.operations = new OperationRunner(ctx.instanceId(), ctx.agentDir().resolve("operations"), conductor);
        this.backups = new BackupRunner(new BackupRunner.Source() {
            @Override
            public InstanceContext context() {
                return GuestAgent.this.ctx;
            }

            @Override
            public Datastore datastore() {
                return datastore;
            }

            @Override
            public GuestHost host() {
                return host;
            }

            @Override
            public String readyForBackup() throws IOException {
                if (!isPrepared()) {
                    throw JtroveException.unprocessable("Instance " + ctx.instanceId() + " is not ready for a backup yet.");
                }
                if (server == null || !server.isAlive()) {
                    throw JtroveException.unprocessable("The database server is not running; restart the instance first.");
                }
                return adminPassword();
            }
        }, vault, conductor, ctx.agentDir().resolve("backups"));
        this.templates = templates;
        this.vault = vault;
        this.scheduler = scheduler;
        this.heartbeatMillis = heartbeatMillis;
        this.logArchive = datastore.logArchive();
        this.archiver = logArchive == null ? null : new LogArchiver(ctx.instanceId(), logArchive, vault, conductor,
                ctx.agentDir().resolve("archived.json"));
    }

    /** Listens on the instance's topic and, if the server was prepared before, adopts it and starts heartbeats. */
    public void boot() {
        subscription = bus.subscribe(Topics.guest(ctx.instanceId()), this::handle);
        if (isPrepared()) {
            adopt();
            stopIfFenced();
            if (server != null) {
                finishUndo();
            }
            startHeartbeats();
        }
    }

    Object handle(Message m) throws Exception {
        JsonNode a = m.args();
        return switch (GuestMethod.of(m.method())) {
            case PREPARE -> operation(m.method(), a, () -> prepare(Json.convert(a.path("request"), PrepareRequest.class), null));
            case PREPARE_REPLICA -> operation(m.method(), a, () -> {
                ReplicaRequest r = Json.convert(a.path("request"), ReplicaRequest.class);
                return prepare(r.prepare(), r.source());
            });
            case REBUILD_REPLICA -> operation(m.method(), a, () -> {
                ReplicaRequest r = Json.convert(a.path("request"), ReplicaRequest.class);
                unprepareFenced();
                return prepare(r.prepare(), r.source());
            });
            case REWIND_REPLICA -> operation(m.method(), a, () -> Map.of("rewound",
                    rewindReplica(Json.convert(a.path("request").path("source"), ReplicationSource.class))));
            case FENCE_SERVER, FENCE_SERVER_NOW -> fenceServer();
            case PREPARE_REPLICATION_SOURCE -> onServer(() -> prepareReplicationSource(a.path("replica_id").asText()));
            case FORGET_REPLICA -> onServer(() -> {
                replication().forgetReplica(ctx, adminPassword(), a.path("replica_id").asText());
                return null;
            });
            case SET_SYNCHRONOUS_STANDBYS -> onServer(() -> {
                List<String> ids = new ArrayList<>();
                a.path("replica_ids").forEach(id -> ids.add(id.asText()));
                replication().setSynchronousStandbys(ctx, host, adminPassword(), ids);
                return null;
            });
            case FOLLOW_SOURCE -> onServer(() -> followSource(Json.convert(a.path("source"), ReplicationSource.class)));
            case PROMOTE_REPLICA -> onServer(() -> promoteReplica(a.path("position").isTextual()
                    ? a.path("position").asText() : null));
            case FENCE_SOURCE -> onServer(() -> Map.of("position",
                    replication().fence(ctx, host, adminPassword(), this::stopServer)));
            case REPLICATION_RANK -> onServer(() -> Map.of("rank", replication().rank(ctx, adminPassword())));
            case RESTART -> operation(m.method(), a, this::restart);
            case RESIZE -> operation(m.method(), a, () -> resize(a.path("request").path("memory_mb").asInt()));
            case APPLY_CONFIGURATION -> operation(m.method(), a, () -> Map.of("restart_required",
                    applyConfiguration(a.path("request").path("values"))));
            case STOP_DB -> stopDb();
            case GET_VOLUME_INFO -> Map.of("used", usedGb());
            case CREATE_BACKUP -> {
                backups.start(m.args(BackupRequest.class));
                yield null;
            }
            case CANCEL_BACKUP -> backups.cancel(a.path("backup_id").asText());
            case CREATE_DATABASE -> changeSql(m.method(), (sql, c, undo) -> {
                sql.createDatabases(ctx, c, items(a.path("databases"), DatabaseSpec.class), undo);
                return null;
            });
            case LIST_DATABASES -> withSql(m.method(), (sql, c) -> sql.listDatabases(c));
            case DELETE_DATABASE -> changeSql(m.method(), (sql, c, undo) -> {
                sql.dropDatabase(c, a.path("name").asText());
                return null;
            });
            case CREATE_USER -> changeSql(m.method(), (sql, c, undo) -> {
                sql.createUsers(ctx, c, adminPassword(), items(a.path("users"), UserSpec.class), undo);
                return null;
            });
            case LIST_USERS -> withSql(m.method(), (sql, c) -> sql.listUsers(c));
            case GET_USER -> withSql(m.method(),
                    (sql, c) -> findUser(sql, c, a.path("name").asText(), a.path("host").asText()));
            case DELETE_USER -> changeSql(m.method(), (sql, c, undo) -> {
                sql.dropUser(ctx, c, adminPassword(), a.path("name").asText(), a.path("host").asText());
                return null;
            });
            case CHANGE_PASSWORDS -> changeSql(m.method(), (sql, c, undo) -> {
                sql.changePasswords(c, items(a.path("users"), UserSpec.class), undo);
                return null;
            });
            case UPDATE_ATTRIBUTES -> changeSql(m.method(), (sql, c, undo) -> {
                UserAttributes attrs = Json.convert(a.path("attributes"), UserAttributes.class);
                sql.updateUser(c, a.path("name").asText(), a.path("host").asText(), new SqlDatastore.UserChange(
                        attrs.name(), attrs.host(), attrs.password()), undo);
                return null;
            });
            case LIST_ACCESS -> withSql(m.method(), (sql, c) -> {
                findUser(sql, c, a.path("name").asText(), a.path("host").asText());
                return sql.listAccess(c, a.path("name").asText(), a.path("host").asText());
            });
            case GRANT_ACCESS -> changeSql(m.method(), (sql, c, undo) -> {
                sql.grant(ctx, c, adminPassword(), a.path("name").asText(), a.path("host").asText(),
                        items(a.path("databases"), String.class), undo);
                return null;
            });
            case REVOKE_ACCESS -> changeSql(m.method(), (sql, c, undo) -> {
                sql.revoke(ctx, c, adminPassword(), a.path("name").asText(), a.path("host").asText(),
                        a.path("database").asText());
                return null;
            });
            case ENABLE_ROOT -> onServer(() -> {
                String password = a.hasNonNull("password") ? a.get("password").asText() : Secrets.password();
                NameRules.checkPassword(password);
                datastore.enableRoot(ctx, adminPassword(), password);
                return new RootUser(datastore.rootUserName(), password);
            });
            case DISABLE_ROOT -> onServer(() -> {
                datastore.disableRoot(ctx, adminPassword());
                return null;
            });
            case IS_ROOT_ENABLED -> onServer(() -> datastore.isRootEnabled(ctx, adminPassword()));
            case GET_CONFIGURATION -> effectiveConfiguration();
        };
    }

    /** A long operation: run once per operation id, in the background, its outcome reported to the conductor. */
    private Object operation(String method, JsonNode args, Callable<Object> work) throws IOException {
        operations.submit(method, args.path("operation_id").asText(), work);
        return null;
    }

    // ---- lifecycle -------------------------------------------------------------------------------------------

    /**
     * Idempotent: a prepare re-sent after a crash starts over from a clean directory unless it had finished. A
     * replica ({@code follow} not null) is built from the source's snapshot (the restore chain), keeps the admin
     * password the snapshot holds (its users are the source's, and it takes no writes), and follows the source.
     */
    Object prepare(PrepareRequest request, ReplicationSource follow) throws Exception {
        if (isPrepared()) {
            if (server == null || !server.isAlive()) {
                startServer(adminPassword());
            }
            startHeartbeats();
            sendHeartbeat();
            return null;
        }
        sendHeartbeat(ServiceStatus.BUILDING);
        try {
            stopServer();
            TemplateCache.deleteTree(ctx.dataDir());
            TemplateCache.deleteTree(ctx.runDir());
            Files.createDirectories(ctx.agentDir());
            Files.setPosixFilePermissions(ctx.agentDir(), PosixFilePermissions.fromString("rwx------"));
            Files.deleteIfExists(ctx.agentDir().resolve("configuration.json"));
            Files.deleteIfExists(undoFile());   // it described a data directory that is gone
            long t0 = System.nanoTime();
            String initialPassword;
            long t1;
            boolean restoring = request.restoreChain() != null && !request.restoreChain().isEmpty();
            if (!restoring) {
                TemplateCache.Template template = templates.ensure(datastore, ctx.build());
                checkOpen();
                t1 = System.nanoTime();
                templates.provide(template, ctx.dataDir(), host);
                initialPassword = template.adminPassword();
            } else {
                t1 = System.nanoTime();
                initialPassword = restore(request.restoreChain());
                if (request.pointInTime() != null) {
                    prepareReplay(request.pointInTime());
                }
            }
            checkOpen();
            long t2 = System.nanoTime();
            datastore.configure(ctx, host);
            if (request.configuration() != null && !request.configuration().isEmpty()) {
                Map<String, Object> values = ConfigValues.validate(Json.tree(request.configuration()),
                        datastore.parameters(ctx.build().version()));
                datastore.applyConfiguration(ctx, host, null, values, Set.of());
                writeConfigurationState(values);
            }
            if (follow != null) {
                writeReplicationSecret(follow.password());
                replication().writeFollowConfig(ctx, host, follow);
                Files.deleteIfExists(fencedMarker());   // a rebuilt old source starts as a replica
            }
            Files.setPosixFilePermissions(ctx.runDir(), PosixFilePermissions.fromString("rwx------"));
            checkOpen();
            long t3 = System.nanoTime();
            startServer(initialPassword, restoring ? RESTORED_READY_TIMEOUT_S : READY_TIMEOUT_S);
            if (request.pointInTime() != null) {
                logArchive.finishReplay(ctx, initialPassword, host);
            }
            long t4 = System.nanoTime();
            String password = follow != null && restoring ? initialPassword : Secrets.password();
            writeSecret(password);
            if (!password.equals(initialPassword)) {
                datastore.changeAdminPassword(ctx, initialPassword, password);
            }
            if (follow != null) {
                replication().startFollowing(ctx, host, password, follow);
                Files.writeString(replicaMarker(), follow.address());
            }
            if (!request.databases().isEmpty() || !request.users().isEmpty()) {
                SqlDatastore sql = sql(request.databases().isEmpty() ? "create_user" : "create_database");
                applySql(sql, password, (s, c, undo) -> {
                    ensureDatabasesAndUsers(s, c, password, request, undo);
                    return null;
                });
            }
            LOG.info("instance {}: prepared in {} ms (template {}, data directory {}, configure {}, start {}, databases and users {})",
                    ctx.instanceId(), ms(t0, System.nanoTime()), ms(t0, t1), ms(t1, t2), ms(t2, t3), ms(t3, t4),
                    ms(t4, System.nanoTime()));
            Files.writeString(ctx.agentDir().resolve("prepared"), Instant.now().toString());
        } catch (Exception e) {
            if (!closed) {
                sendHeartbeat(ServiceStatus.FAILED);
            }
            throw asFault(e);
        }
        startHeartbeats();
        sendHeartbeat();
        return null;
    }

    /**
     * Restarts the server; with continuous archiving, its configuration is written again first, so that an instance
     * made by an older jtrove starts archiving.
     */
    Object restart() throws Exception {
        try {
            if (logArchive != null && isPrepared()) {
                datastore.configure(ctx, host);
            }
            stopServer();
            startServer(adminPassword());
        } catch (Exception e) {
            throw asFault(e);
        }
        sendHeartbeat();
        return null;
    }

    /** Stops the server and reports it at once (SHUTDOWN); it stays stopped, across jtrove restarts, until a restart. */
    Object stopDb() throws Exception {
        stopServer();
        sendHeartbeat();
        return null;
    }

    /** Rewrites the memory-derived settings for a new flavor and restarts the server with them. */
    Object resize(int memoryMb) throws Exception {
        if (memoryMb < 64) {
            throw JtroveException.badRequest("A flavor needs at least 64 MB of RAM.");
        }
        InstanceContext previous = ctx;
        InstanceContext resized = new InstanceContext(ctx.instanceId(), ctx.build(), ctx.address(), memoryMb,
                ctx.instanceDir());
        try {
            datastore.configure(resized, host);
            ctx = resized;
            restart();
        } catch (Exception e) {
            ctx = previous;
            datastore.configure(previous, host);
            throw asFault(e);
        }
        Optional<AgentBoot> boot = BootFiles.read(ctx.agentDir());
        if (boot.isPresent()) {
            BootFiles.write(ctx.agentDir(), boot.get().withMemory(memoryMb));   // a restarted host keeps the new size
        }
        return null;
    }

    // ---- replication -----------------------------------------------------------------------------------------

    /** The datastore's replication, or Trove's DatastoreOperationNotSupported (501). */
    private Replication replication() {
        Replication r = datastore.replication();
        if (r == null) {
            throw Managers.operationNotSupported("replication", datastore.manager());
        }
        return r;
    }

    /** jtrove's replication user on this source (its password made once and kept) and the replica's slot. */
    private Object prepareReplicationSource(String replicaId) throws Exception {
        Path secret = ctx.agentDir().resolve("replication.secret");
        if (!Files.exists(secret)) {
            writeReplicationSecret(Secrets.password());
        }
        String password = Files.readString(secret).trim();
        String slot = replication().prepareSource(ctx, host, adminPassword(), replicaId, password);
        Map<String, Object> out = new HashMap<>(Map.of("user", Replication.USER, "password", password));
        out.put("slot", slot);
        out.put("settings", replication().settingsForReplicas(ctx, adminPassword()));
        return out;
    }

    /** Follows {@code source} from now on: a standby restarts if it was a source (PostgreSQL), others switch live. */
    private synchronized Object followSource(ReplicationSource source) throws Exception {
        writeReplicationSecret(source.password());
        boolean restart = replication().writeFollowConfig(ctx, host, source);
        if (restart) {
            stopServer();
        }
        Files.writeString(replicaMarker(), source.address());   // from here it starts as a replica
        Files.deleteIfExists(fencedMarker());
        if (server == null || !server.isAlive()) {
            startServer(adminPassword());
        }
        replication().startFollowing(ctx, host, adminPassword(), source);
        Files.writeString(replicaMarker(), source.address());
        Files.deleteIfExists(ctx.agentDir().resolve("fenced-at"));
        sendHeartbeat();
        return null;
    }

    /** Takes writes from now on, once everything up to {@code position} (if given) is applied. */
    private synchronized Object promoteReplica(String position) throws Exception {
        if (position != null && Files.exists(replicaMarker())) {
            replication().awaitPosition(ctx, adminPassword(), position, 120_000);
        }
        replication().promote(ctx, host, adminPassword());
        Files.deleteIfExists(replicaMarker());
        sendHeartbeat();
        return null;
    }

    private void writeReplicationSecret(String password) throws IOException {
        Path secret = ctx.agentDir().resolve("replication.secret");
        Files.deleteIfExists(secret);
        Files.createFile(secret, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(secret, password);
    }

    /**
     * After an automatic failover replaced this (old) source: unless it follows a source already (it was rebuilt as
     * a replica, and this cast came late), it stops its server and records the fence, so that the server is not
     * started again, by this agent or the next, until it follows a source ({@link #startServer} refuses).
     */
    private synchronized Object fenceServer() throws Exception {
        if (!isPrepared() || Files.exists(replicaMarker())) {
            LOG.info("instance {}: fence ignored: it follows a source (or was never prepared)", ctx.instanceId());
            return null;
        }
        Files.writeString(fencedMarker(), Instant.now().toString());
        stopServer();
        LOG.info("instance {}: fenced after a failover; its server stays stopped until it rejoins as a replica",
                ctx.instanceId());
        sendHeartbeat();
        return null;
    }

    /**
     * A fenced old source follows {@code source} after rewinding its data to it ({@link Replication#rewind}); false
     * (nothing changed but the server stopped, still fenced) when the datastore cannot or the rewind failed.
     */
    private synchronized boolean rewindReplica(ReplicationSource source) throws Exception {
        if (!isPrepared()) {
            return false;
        }
        if (Files.exists(replicaMarker()) && !Files.exists(fencedMarker())) {
            return true;   // done before: this is the operation sent again
        }
        Files.writeString(fencedMarker(), Instant.now().toString());
        stopServer();
        if (!replication().rewind(ctx, host, adminPassword(), source)) {
            return false;
        }
        try {
            writeReplicationSecret(source.password());
            replication().writeFollowConfig(ctx, host, source);
            Files.writeString(replicaMarker(), source.address());
            Files.deleteIfExists(fencedMarker());
            startServer(adminPassword());
            replication().startFollowing(ctx, host, adminPassword(), source);
        } catch (Exception e) {
            LOG.warn("instance {}: the rewound server does not follow {}; it gets a fresh copy instead: {}",
                    ctx.instanceId(), source.address(), e.toString());
            Files.writeString(fencedMarker(), Instant.now().toString());
            Files.deleteIfExists(replicaMarker());
            stopServer();
            return false;
        }
        LOG.info("instance {}: rewound to {} and follows it", ctx.instanceId(), source.address());
        sendHeartbeat();
        return true;
    }

    /** A fenced old source's server found running at boot is stopped: it must not take writes. */
    private void stopIfFenced() {
        if (server != null && Files.exists(fencedMarker()) && !Files.exists(replicaMarker())) {
            try {
                LOG.warn("instance {}: fenced after a failover, but its server runs; stopping it", ctx.instanceId());
                stopServer();
            } catch (Exception e) {
                LOG.warn("instance {}: cannot stop the fenced server: {}", ctx.instanceId(), e.toString());
            }
        }
    }

    /**
     * Before a fenced old source is rebuilt as a replica: it is no longer prepared, so that an agent that dies
     * during the rebuild starts it over rather than starting the old server. Nothing if it is no longer fenced.
     */
    private synchronized void unprepareFenced() throws Exception {
        if (Files.exists(replicaMarker()) && isPrepared() && !Files.exists(fencedMarker())) {
            return;   // rebuilt already: this is the operation sent again
        }
        Files.writeString(fencedMarker(), Instant.now().toString());
        stopServer();
        Files.deleteIfExists(replicaMarker());
        Files.deleteIfExists(ctx.agentDir().resolve("prepared"));
    }

    /** Present while the instance is fenced (an old source replaced by a failover that has not rejoined yet). */
    private Path fencedMarker() {
        return ctx.agentDir().resolve("fenced");
    }

    /** Present while the instance follows a source (holds the source's address). */
    private Path replicaMarker() {
        return ctx.agentDir().resolve("replica-of");
    }

    /** The lag a replica reports with a healthy heartbeat; null when it follows no source or cannot tell. */
    private Double replicationLag(ServiceStatus status) {
        if (status != ServiceStatus.HEALTHY || datastore.replication() == null || !Files.exists(replicaMarker())) {
            return null;
        }
        try {
            return datastore.replication().lag(ctx, adminPassword());
        } catch (Exception e) {
            return null;
        }
    }

    // ---- backups ---------------------------------------------------------------------------------------------

    /** Builds the data directory from a backup chain; returns the admin password the restored data holds. */
    private String restore(List<RestoreSource> chain) throws Exception {
        List<ChainPayload> payloads = chain.stream().map(ChainPayload::new).toList();
        datastore.restore(ctx, new ArrayList<>(payloads), host);
        BackupEnvelope last = payloads.get(payloads.size() - 1).envelope;
        if (last == null) {
            throw new IllegalStateException("the restore did not read the last backup of the chain");
        }
        if (!last.manager().equals(datastore.manager())) {
            throw JtroveException.badRequest("The backup holds " + last.manager() + " data, not " + datastore.manager() + ".");
        }
        return last.adminPassword();
    }

    /**
     * Unseals the source's archived logs into {@code restore-logs} (for the instance's user, who replays them) and
     * has the datastore replay them up to the target at the first start.
     */
    private void prepareReplay(PointInTime pit) throws Exception {
        if (logArchive == null) {
            throw JtroveException.badRequest("Point-in-time restore is not supported for the " + datastore.datastoreName()
                    + " datastore.");
        }
        Path dir = ctx.instanceDir().resolve("restore-logs");
        TemplateCache.deleteTree(dir);
        Files.createDirectories(dir);
        List<Path> files = new ArrayList<>();
        for (RestoreSource log : pit.logs()) {
            Path file = dir.resolve(log.meta());
            try (InputStream in = vault.read(log.storageKey(), log.backupId(), log.checksum())) {
                Files.copy(in, file);
            }
            files.add(file);
        }
        host.giveToDatabaseUser(dir);
        logArchive.prepareReplay(ctx, Instant.parse(pit.targetTime()), files, host);
        LOG.info("instance {}: replaying {} archived log files up to {}", ctx.instanceId(), files.size(), pit.targetTime());
    }

    /** One backup of a chain, read from the vault; its envelope is known once the datastore opened it. */
    private final class ChainPayload implements BackupPayload {
        private final RestoreSource source;
        private BackupEnvelope envelope;

        ChainPayload(RestoreSource source) {
            this.source = source;
        }

        @Override
        public String meta() {
            return source.meta();
        }

        @Override
        public InputStream open() throws IOException {
            InputStream in = vault.read(source.storageKey(), source.backupId(), source.checksum());
            try {
                envelope = BackupEnvelope.readFrom(in);
            } catch (IOException | RuntimeException e) {
                in.close();
                throw e;
            }
            return in;
        }
    }

    // ---- configuration groups --------------------------------------------------------------------------------

    /**
     * Makes {@code valuesNode} the instance's configuration-group values (an empty object detaches the group);
     * names the previous values had and these lack go back to their defaults. Checked again against the plugin's
     * catalogue here, so that only catalogue names and typed values reach the server.
     */
    synchronized boolean applyConfiguration(JsonNode valuesNode) throws Exception {
        if (!isPrepared()) {
            throw JtroveException.unprocessable("Instance " + ctx.instanceId() + " is not ready yet.");
        }
        Map<String, Object> values = ConfigValues.validate(valuesNode, datastore.parameters(ctx.build().version()));
        Set<String> removed = new TreeSet<>(readConfigurationState().keySet());
        removed.removeAll(values.keySet());
        boolean running = server != null && server.isAlive();
        boolean restart;
        try {
            restart = datastore.applyConfiguration(ctx, host, running ? adminPassword() : null, values, removed);
        } catch (SQLException e) {
            LOG.warn("instance {}: the database refused a configuration: {}", ctx.instanceId(), e.getMessage());
            throw JtroveException.unprocessable("The database server refused the configuration: " + e.getMessage());
        }
        writeConfigurationState(values);
        return restart;
    }

    /** Every catalogue parameter's value in effect on the running server. */
    private Object effectiveConfiguration() throws Exception {
        return onServer(() -> datastore.effectiveConfiguration(ctx, adminPassword(),
                datastore.parameters(ctx.build().version())));
    }

    private Map<String, Object> readConfigurationState() throws IOException {
        Path state = ctx.agentDir().resolve("configuration.json");
        if (!Files.exists(state)) {
            return Map.of();
        }
        Map<String, Object> out = new TreeMap<>();
        Json.parse(Files.readString(state)).fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue()));
        return out;
    }

    private void writeConfigurationState(Map<String, Object> values) throws IOException {
        Files.writeString(ctx.agentDir().resolve("configuration.json"), Json.write(values));
    }

    /** Provisioning errors are written for the user (they become the instance's fault message): pass them on. */
    private static JtroveException asFault(Exception e) {
        return e instanceof JtroveException j ? j : new JtroveException(500, String.valueOf(e.getMessage()));
    }

    /** Stops the server (TERM, then KILL after a grace period). */
    public Object stopServer() throws Exception {
        ProcessHandle p = server != null ? server : findRunningServer().orElse(null);
        if (p == null || !p.isAlive()) {
            return null;
        }
        expectedExit = p;
        signal(p, datastore.stopSignal());
        try {
            host.onExit(p).get(60, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            LOG.warn("instance {}: server did not stop within 60 s, killing it", ctx.instanceId());
            p.destroyForcibly();
            host.onExit(p).get(10, TimeUnit.SECONDS);
        }
        server = null;
        return null;
    }

    private static void signal(ProcessHandle p, String signal) throws IOException, InterruptedException {
        if ("TERM".equals(signal)) {
            p.destroy();
            return;
        }
        new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid())).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
    }

    private void startServer(String password) throws Exception {
        startServer(password, READY_TIMEOUT_S);
    }

    private void startServer(String password, long readyTimeoutSeconds) throws Exception {
        if (Files.exists(fencedMarker()) && !Files.exists(replicaMarker())) {
            throw new JtroveException(409, "Instance " + ctx.instanceId() + " was fenced by an automatic failover: its"
                    + " server is not started until it rejoins its group as a replica (the taskmanager does that when"
                    + " its guest agent reports).");
        }
        ProcessHandle p = host.spawn(datastore.startCommand(ctx), ctx.agentDir().resolve("server.log"));
        Files.writeString(ctx.agentDir().resolve("server.pid"), Long.toString(p.pid()));
        watch(p);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(readyTimeoutSeconds);
        long pause = 10;
        while (!datastore.ping(ctx, password)) {
            if (!p.isAlive()) {
                throw new IllegalStateException(datastore.datastoreName() + " exited while starting: "
                        + logTail() + " Check the server build; delete the instance and create it again.");
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(datastore.datastoreName() + " did not accept connections within "
                        + readyTimeoutSeconds + " s: " + logTail());
            }
            Thread.sleep(pause);
            pause = Math.min(50, pause * 2);
        }
        if (!p.isAlive()) {   // another server of this instance answered (one left by a killed agent)
            throw new IllegalStateException(datastore.datastoreName() + " exited while starting, while another server"
                    + " answered on the instance's address: " + logTail() + " Restart the instance.");
        }
        datastore.afterStart(ctx, host, password);
        if (isPrepared()) {
            finishUndo();
        }
    }

    private void watch(ProcessHandle p) {
        server = p;
        host.onExit(p).thenRun(() -> {
            if (!p.equals(expectedExit) && !closed) {
                LOG.warn("instance {}: {} (pid {}) exited", ctx.instanceId(), datastore.processName(), p.pid());
                sendHeartbeat();
            }
        });
    }

    private void adopt() {
        Optional<ProcessHandle> running = findRunningServer();
        if (running.isPresent()) {
            LOG.info("instance {}: adopted running {} pid {}", ctx.instanceId(), datastore.processName(), running.get().pid());
            watch(running.get());
        } else {
            LOG.warn("instance {}: server is not running; restart the instance to start it", ctx.instanceId());
        }
    }

    /** The server recorded in the pid file, if that pid is still a process of the expected program. */
    /**
     * This instance's running server: the one in the pid file if that pid is still this instance's server (the
     * program, and this instance's directory in its arguments), else any such process (an agent killed right after
     * starting a server never wrote its pid down).
     */
    private Optional<ProcessHandle> findRunningServer() {
        Path pidFile = ctx.agentDir().resolve("server.pid");
        try {
            if (Files.exists(pidFile)) {
                Optional<ProcessHandle> recorded = ProcessHandle.of(Long.parseLong(Files.readString(pidFile).trim()))
                        .filter(this::isThisServer);
                if (recorded.isPresent()) {
                    return recorded;
                }
            }
        } catch (IOException | NumberFormatException e) {
            // fall through to the scan
        }
        return ProcessHandle.allProcesses().filter(this::isThisServer).findFirst();
    }

    private boolean isThisServer(ProcessHandle p) {
        String dir = ctx.instanceDir().toString() + "/";
        return p.isAlive() && p.info().command().map(this::isServerProgram).orElse(false)
                && p.info().commandLine().map(line -> line.contains(dir)).orElse(false);
    }

    /**
     * The kernel reports the resolved executable: Debian's redis-server is a link to redis-check-rdb (one binary
     * that picks its role from argv[0]), so the resolved start program counts as well as the process name.
     */
    private boolean isServerProgram(String command) {
        if (command.endsWith("/" + datastore.processName())) {
            return true;
        }
        try {
            return Path.of(datastore.startCommand(ctx).get(0)).toRealPath().toString().equals(command);
        } catch (IOException e) {
            return false;
        }
    }

    // ---- heartbeats ------------------------------------------------------------------------------------------

    private synchronized void startHeartbeats() {
        if (heartbeats == null && !closed) {
            heartbeats = scheduler.scheduleWithFixedDelay(this::sendHeartbeat, heartbeatMillis, heartbeatMillis,
                    TimeUnit.MILLISECONDS);
        }
        if (archiveTicks == null && archiver != null && !closed) {
            archiveTicks = scheduler.scheduleWithFixedDelay(this::archiveTick, ARCHIVE_TICK_MS, ARCHIVE_TICK_MS,
                    TimeUnit.MILLISECONDS);
        }
    }

    /** Archives finished logs on a thread of its own (an upload may take long), one round at a time. */
    private void archiveTick() {
        ProcessHandle p = server;
        if (p == null || !p.isAlive() || !isPrepared() || !archiving.compareAndSet(false, true)) {
            return;
        }
        DaemonThreads.start("archive-" + ctx.instanceId(), () -> {
            try {
                archiver.tick(ctx, adminPassword(), () -> p.equals(server) && p.isAlive() && !closed);
            } catch (IOException e) {
                LOG.warn("instance {}: cannot archive: {}", ctx.instanceId(), e.toString());
            } finally {
                archiving.set(false);
            }
        });
    }

    void sendHeartbeat() {
        try {
            sendHeartbeat(checkStatus());
        } catch (RuntimeException e) {
            LOG.warn("instance {}: heartbeat failed: {}", ctx.instanceId(), e.toString());
        }
    }

    private void sendHeartbeat(ServiceStatus status) {
        Instant now = Instant.now();
        double sent = now.getEpochSecond() + now.getNano() / 1e9;
        conductor.heartbeat(new Heartbeat(ctx.instanceId(), status.name(), sent, replicationLag(status)));
    }

    ServiceStatus checkStatus() {
        ProcessHandle p = server;
        if (p == null || !p.isAlive()) {
            return ServiceStatus.SHUTDOWN;
        }
        try {
            return datastore.ping(ctx, adminPassword()) ? ServiceStatus.HEALTHY : ServiceStatus.RUNNING;
        } catch (IOException e) {
            return ServiceStatus.RUNNING;
        }
    }

    // ---- helpers ---------------------------------------------------------------------------------------------

    private interface SqlWork {
        Object run(SqlDatastore sql, Connection c) throws Exception;
    }

    private interface SqlChange {
        Object run(SqlDatastore sql, Connection c, UndoJournal undo) throws Exception;
    }

    private interface ServerWork {
        Object run() throws Exception;
    }

    /** The datastore's SQL capability, or Trove's DatastoreOperationNotSupported (501) for {@code operation}. */
    private SqlDatastore sql(String operation) {
        if (datastore instanceof SqlDatastore sql) {
            return sql;
        }
        throw Managers.operationNotSupported(operation, datastore.manager());
    }

    private Object withSql(String operation, SqlWork work) throws Exception {
        SqlDatastore sql = sql(operation);
        return onServer(() -> {
            try (Connection c = sql.connectAdmin(ctx, adminPassword(), null)) {
                return work.run(sql, c);
            }
        });
    }

    /** A change to the server's databases, users or grants: applied whole or undone (see {@link #applySql}). */
    private Object changeSql(String operation, SqlChange work) throws Exception {
        SqlDatastore sql = sql(operation);
        return onServer(() -> applySql(sql, adminPassword(), work));
    }

    /**
     * Runs {@code work} with a fresh undo journal, one request at a time: when it fails, whatever it had done is
     * taken back from the journal before the error is answered; when it succeeds, the journal is dropped. A journal
     * a killed agent left behind is finished first.
     */
    private Object applySql(SqlDatastore sql, String password, SqlChange work) throws Exception {
        synchronized (sqlChanges) {
            if (!finishUndo()) {
                throw JtroveException.unprocessable("An interrupted request on instance " + ctx.instanceId()
                        + " is still being undone; try again when the database server answers.");
            }
            UndoJournal undo = UndoJournal.begin(undoFile());
            Object result;
            try (Connection c = sql.connectAdmin(ctx, password, null)) {
                result = work.run(sql, c, undo);
            } catch (Exception e) {
                rollBack(sql, password, undo);
                throw e;
            }
            undo.discard();
            return result;
        }
    }

    /** Takes back what {@code undo} records, latest first; what cannot be undone now stays recorded. */
    private boolean rollBack(SqlDatastore sql, String password, UndoJournal undo) {
        List<UndoStep> steps = undo.latestFirst();
        try {
            if (!steps.isEmpty()) {
                try (Connection c = sql.connectAdmin(ctx, password, null)) {
                    for (UndoStep step : steps) {
                        sql.undo(ctx, c, password, step);
                        undo.forget(step);
                    }
                }
                LOG.info("instance {}: undid {} change(s) of a request that did not complete: {}", ctx.instanceId(),
                        steps.size(), steps);
            }
            undo.discard();
            return true;
        } catch (Exception e) {
            LOG.warn("instance {}: cannot undo {} yet ({}); it is undone when the server answers again",
                    ctx.instanceId(), undo.latestFirst(), e.getMessage());
            return false;
        }
    }

    /**
     * Undoes what a request interrupted by a kill had done (its journal survived the process), before any new
     * request; at boot and after every server start. Returns whether nothing is left to undo.
     */
    private boolean finishUndo() {
        if (!(datastore instanceof SqlDatastore sql)) {
            return true;
        }
        synchronized (sqlChanges) {
            try {
                Optional<UndoJournal> pending = UndoJournal.pending(undoFile());
                if (pending.isEmpty()) {
                    return true;
                }
                LOG.info("instance {}: a request was interrupted; undoing {}", ctx.instanceId(),
                        pending.get().latestFirst());
                return rollBack(sql, adminPassword(), pending.get());
            } catch (IOException e) {
                LOG.warn("instance {}: cannot read the undo journal: {}", ctx.instanceId(), e.getMessage());
                return false;
            }
        }
    }

    private Path undoFile() {
        return ctx.agentDir().resolve("sql-undo.json");
    }

    /**
     * The databases and users a create asks for. After a restore some may exist already: existing databases are
     * kept with their data, existing users get the given password and access to the listed databases.
     */
    private void ensureDatabasesAndUsers(SqlDatastore sql, Connection c, String password, PrepareRequest request,
                                         UndoJournal undo) throws Exception {
        List<String> databases = sql.listDatabases(c);
        sql.createDatabases(ctx, c, request.databases().stream().filter(d -> !databases.contains(d.name())).toList(),
                undo);
        Set<String> users = new HashSet<>();
        sql.listUsers(c).forEach(u -> users.add(u.name() + "@" + u.host()));
        List<UserSpec> existing = request.users().stream().filter(u -> users.contains(u.name() + "@" + u.host())).toList();
        sql.createUsers(ctx, c, password, request.users().stream().filter(u -> !existing.contains(u)).toList(), undo);
        if (!existing.isEmpty()) {
            sql.changePasswords(c, existing, undo);
            for (UserSpec u : existing) {
                sql.grant(ctx, c, password, u.name(), u.host(), u.databases(), undo);
            }
        }
    }

    private static <T> List<T> items(JsonNode array, Class<T> type) {
        List<T> out = new ArrayList<>();
        array.forEach(item -> out.add(Json.convert(item, type)));
        return out;
    }

    /** Runs work on the prepared server; a refusal by the server (not one of ours) becomes a 422. */
    private Object onServer(ServerWork work) throws Exception {
        if (!isPrepared()) {
            throw JtroveException.unprocessable("Instance " + ctx.instanceId() + " is not ready yet.");
        }
        try {
            return work.run();
        } catch (JtroveException | IOException e) {
            throw e;
        } catch (Exception e) {
            if (server == null || !server.isAlive()) {
                throw JtroveException.unprocessable("The database server of instance " + ctx.instanceId()
                        + " is not running; restart the instance first.");
            }
            LOG.warn("instance {}: the database refused a request: {}", ctx.instanceId(), e.getMessage());
            throw JtroveException.unprocessable("The database server refused the request: " + e.getMessage());
        }
    }

    private UserSpec findUser(SqlDatastore sql, Connection c, String name, String host) throws SQLException {
        return sql.listUsers(c).stream().filter(u -> u.name().equals(name) && u.host().equals(host)).findFirst()
                .orElseThrow(() -> JtroveException.notFound("User " + name + "@" + host + " cannot be found on the instance."));
    }

    /** A closed agent (jtrove stopping) abandons a prepare; the next agent starts it over. */
    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("guest agent stopped");
        }
    }

    private static long ms(long from, long to) {
        return (to - from) / 1_000_000;
    }

    private boolean isPrepared() {
        return Files.exists(ctx.agentDir().resolve("prepared"));
    }

    private String adminPassword() throws IOException {
        return Files.readString(ctx.agentDir().resolve("admin.secret")).trim();
    }

    private void writeSecret(String password) throws IOException {
        Path secret = ctx.agentDir().resolve("admin.secret");
        Files.deleteIfExists(secret);
        Files.createFile(secret, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(secret, password);
    }

    private volatile double usedGbCache = -1;
    private volatile long usedGbAt;

    /** Size of the data directory in GB; walked at most every 10 s, since every instance show asks for it. */
    private double usedGb() throws IOException {
        if (usedGbCache >= 0 && System.nanoTime() - usedGbAt < TimeUnit.SECONDS.toNanos(10)) {
            return usedGbCache;
        }
        long bytes;
        try (Stream<Path> files = Files.walk(ctx.dataDir())) {
            bytes = files.filter(Files::isRegularFile).mapToLong(f -> {
                try {
                    return Files.size(f);
                } catch (IOException e) {
                    return 0;
                }
            }).sum();
        }
        usedGbCache = Math.round(bytes / 1e9 * 1000) / 1000.0;
        usedGbAt = System.nanoTime();
        return usedGbCache;
    }

    private String logTail() {
        for (Path log : List.of(ctx.runDir().resolve("error.log"), ctx.agentDir().resolve("server.log"))) {
            // run/ belongs to the database user: never follow a link planted there.
            if (!Files.isRegularFile(log, LinkOption.NOFOLLOW_LINKS)) {
                continue;
            }
            try (var in = Files.newByteChannel(log, StandardOpenOption.READ,
                    LinkOption.NOFOLLOW_LINKS)) {
                long size = in.size();
                in.position(Math.max(0, size - 4096));
                ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(size, 4096));
                while (buffer.hasRemaining() && in.read(buffer) > 0) {
                    // read the tail
                }
                List<String> lines = List.of(new String(buffer.array(), 0, buffer.position(),
                        StandardCharsets.UTF_8).split("\n"));
                if (!lines.isEmpty()) {
                    return "last log lines: " + String.join(" | ", lines.subList(Math.max(0, lines.size() - 5), lines.size()));
                }
            } catch (IOException ignored) {
                // try the next log
            }
        }
        return "(no server log)";
    }

    /** Stops listening and reporting; the database server keeps running. */
    @Override
    public synchronized void close() {
        closed = true;
        operations.close();
        if (heartbeats != null) {
            heartbeats.cancel(false);
        }
        if (archiveTicks != null) {
            archiveTicks.cancel(false);
        }
        if (subscription != null) {
            subscription.close();
        }
    }
}
