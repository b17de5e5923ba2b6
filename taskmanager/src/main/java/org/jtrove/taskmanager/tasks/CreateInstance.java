package org.jtrove.taskmanager.tasks;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jtrove.bus.GuestApi;
import org.jtrove.model.InstanceTask;
import org.jtrove.model.Json;
import org.jtrove.model.TaskType;
import org.jtrove.model.guest.ArchiveReport;
import org.jtrove.model.guest.DatabaseSpec;
import org.jtrove.model.guest.PointInTime;
import org.jtrove.model.guest.PrepareRequest;
import org.jtrove.model.guest.RestoreSource;
import org.jtrove.model.guest.UserSpec;
import org.jtrove.store.BackupRecord;
import org.jtrove.store.DatastoreVersionRecord;
import org.jtrove.store.FlavorRecord;
import org.jtrove.store.InstanceRecord;
import org.jtrove.store.LogArchiveRecord;
import org.jtrove.store.MetadataStore;
import org.jtrove.taskmanager.engine.Step;
import org.jtrove.taskmanager.engine.StepContext;
import org.jtrove.taskmanager.engine.StepResult;
import org.jtrove.taskmanager.engine.TaskDefinition;

/**
 * Builds an instance: PLACED (the compute driver gives it a host, an address and a booted guest agent), PREPARED (the
 * agent builds the data directory, from a backup chain for a restore, starts the server, creates databases and
 * users), HEALTHY (a heartbeat says the database is up). All within {@code build_timeout} of the request.
 */
public final class CreateInstance implements TaskDefinition {
    /** PostgreSQL's timeline history files in the archive (tiny; never pruned). */
    static final String HISTORY = ".history";
    private final MetadataStore store;
    private final Placements placements;
    private final InstanceSteps instances;
    private final Steps steps;

    public CreateInstance(MetadataStore store, Placements placements, GuestApi guests, InstanceSteps instances) {
        this.store = store;
        this.placements = placements;
        this.instances = instances;
        this.steps = new Steps(type(), Map.of(
                "PLACED", this::place,
                "PREPARED", new GuestOperationStep(store, "the build", instances::buildDeadline,
                        instances.buildTimeoutFault(), (ctx, operationId) -> guests.prepare(ctx.instanceId(), operationId, prepareRequest(ctx))),
                "HEALTHY", instances.healthy(instances::buildDeadline, instances.buildTimeoutFault())));
    }

    @Override
    public TaskType type() {
        return TaskType.CREATE;
    }

    @Override
    public Step step(String name) {
        return steps.get(name);
    }

    private StepResult place(StepContext ctx) {
        if (Instant.now().isAfter(instances.buildDeadline(ctx))) {
            return StepResult.fail(504, instances.buildTimeoutFault());
        }
        placements.place(ctx.instanceId());
        return StepResult.done();
    }

    private PrepareRequest prepareRequest(StepContext ctx) {
        CreatePayload payload = Json.convert(ctx.payload(), CreatePayload.class);
        List<RestoreSource> chain = List.of();
        if (payload.backupId() != null) {
            chain = store.backups.chain(payload.backupId()).stream()
                    .map(b -> new RestoreSource(b.id(), b.storageKey(), b.checksum(), b.meta())).toList();
        }
        return prepareRequest(store, instances.instance(ctx), payload.databases(), payload.users(), chain,
                pointInTime(payload));
    }

    /**
     * The prepare of instance {@code i}: its build, address, flavor's RAM, volume and attached group's values, and
     * for a point-in-time restore the logs to replay ({@code pointInTime}, else null).
     */
    static PrepareRequest prepareRequest(MetadataStore store, InstanceRecord i, List<DatabaseSpec> databases,
                                         List<UserSpec> users, List<RestoreSource> chain, PointInTime pointInTime) {
        DatastoreVersionRecord v = store.datastores.version(i.datastoreVersionId()).orElseThrow();
        int ram = store.flavors.find(i.flavorId()).map(FlavorRecord::ram).orElse(512);
        Map<String, Object> configuration = store.configurations.attachedTo(i.id())
                .map(store.configurations::values).orElse(Map.of());
        return new PrepareRequest(i.id(), v.build(), i.address(), ram, i.volumeSize(), databases, users, chain,
                configuration, pointInTime);
    }

    /**
     * The source's archived logs a point-in-time restore replays: those archived since the base backup was
     * requested (every log written after the backup started), up to the first that holds the target, and every
     * timeline history file.
     */
    private PointInTime pointInTime(CreatePayload payload) {
        if (payload.restoreTime() == null) {
            return null;
        }
        Instant target = Instant.parse(payload.restoreTime());
        BackupRecord base = store.backups.find(payload.backupId()).orElseThrow(
                () -> new IllegalStateException("the backup " + payload.backupId() + " was deleted"));
        List<RestoreSource> logs = new ArrayList<>();
        List<LogArchiveRecord> files = new ArrayList<>(store.logArchive.list(payload.sourceInstanceId()).stream()
                .filter(log -> log.name().endsWith(HISTORY)).toList());   // PostgreSQL's timelines, from any time
        store.logArchive.since(payload.sourceInstanceId(), base.created()).stream()
                .filter(log -> !log.name().endsWith(HISTORY)).forEach(files::add);
        for (LogArchiveRecord log : files) {
            logs.add(new RestoreSource(ArchiveReport.objectId(log.instanceId(), log.name()), log.storageKey(),
                    log.checksum(), log.name()));
            if (log.restorableUntil() != null && !log.restorableUntil().isBefore(target)) {
                break;
            }
        }
        return new PointInTime(target.toString(), logs);
    }

    @Override
    public void succeeded(StepContext ctx) {
        store.instances.clearFault(ctx.instanceId());
        store.instances.compareAndSetTask(ctx.instanceId(), InstanceTask.BUILDING, InstanceTask.NONE);
    }

    @Override
    public void failed(StepContext ctx, int status, String fault) {
        store.instances.setFault(ctx.instanceId(), status == 504 ? InstanceTask.BUILDING_ERROR_TIMEOUT_GA
                : InstanceTask.BUILDING_ERROR_SERVER, "Build failed: " + fault);
    }
}
