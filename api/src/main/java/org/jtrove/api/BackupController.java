package org.jtrove.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.jtrove.bus.TaskmanagerApi;
import org.jtrove.model.Json;
import org.jtrove.model.JtroveException;
import org.jtrove.model.ServiceStatus;
import org.jtrove.model.TaskType;
import org.jtrove.store.BackupRecord;
import org.jtrove.store.DatastoreRecord;
import org.jtrove.store.DatastoreVersionRecord;
import org.jtrove.store.InstanceRecord;
import org.jtrove.store.MetadataStore;
import org.jtrove.store.ServiceStatusRecord;
import org.jtrove.store.TaskRecord;

/** Backups: create (full or incremental), list, show, delete. The guest agent takes them; the taskmanager waits. */
final class BackupController {
    private static final Set<String> CREATE_FIELDS = Set.of("name", "instance", "description", "parent_id",
            "incremental", "swift_container", "storage_driver", "restore_from");
    /** Datastore managers whose guest plugin takes backups. */
    static final Set<String> BACKUP_MANAGERS = Set.of("postgresql", "mysql", "mariadb", "redis");
    /** Of those, the ones with incremental backups (Redis snapshots are always whole). */
    static final Set<String> INCREMENTAL_MANAGERS = Set.of("postgresql", "mysql", "mariadb");
    /** Trove's running_backups_expires: a backup "running" longer than this is considered dead and may be deleted. */
    private static final Duration RUNNING_EXPIRES = Duration.ofDays(3);

    private final MetadataStore store;
    private final TaskmanagerApi taskmanager;
    private final InstanceController instances;
    private final Quotas quotas;
    private final int pageSize;

    BackupController(MetadataStore store, TaskmanagerApi taskmanager, InstanceController instances, Quotas quotas,
                     int pageSize) {
        this.store = store;
        this.taskmanager = taskmanager;
        this.instances = instances;
        this.quotas = quotas;
        this.pageSize = pageSize;
    }

    void register(Javalin app, String base) {
        app.post(base + "/backups", this::create);
        app.get(base + "/backups", ctx -> list(ctx, null));
        app.get(base + "/backups/{backupId}", this::show);
        app.delete(base + "/backups/{backupId}", this::delete);
        app.get(base + "/instances/{id}/backups", ctx -> list(ctx, instances.instance(ctx).id()));
    }

    private void create(Context ctx) {
        String project = ctx.pathParam("project");
        JsonNode body = Bodies.wrapped(ctx, "backup");
        Bodies.onlyFields(body, CREATE_FIELDS, "backup");
        String name = Bodies.nonEmptyString(body, "name", "backup");
        if (name.length() > 255) {
            throw JtroveException.badRequest("Validation error: backup['name'] is longer than 255 characters.");
        }
        String description = Bodies.optionalString(body, "description", "backup");
        if (description != null && description.length() > 1024) {
            throw JtroveException.badRequest("Validation error: backup['description'] is longer than 1024 characters.");
        }
        Bodies.optionalString(body, "swift_container", "backup");
        String driver = Bodies.optionalString(body, "storage_driver", "backup");
        if (body.hasNonNull("restore_from")) {
            throw JtroveException.notImplemented("Registering a backup from another region (restore_from) is not"
                    + " supported by this jtrove.");
        }
        String instanceId = Bodies.optionalString(body, "instance", "backup");
        if (instanceId == null) {
            throw JtroveException.badRequest("instance is missing.");
        }
        boolean incremental = false;
        if (body.has("incremental")) {
            JsonNode inc = body.get("incremental");
            if (!inc.isIntegralNumber() || inc.asInt() < 0 || inc.asInt() > 1) {
                throw JtroveException.badRequest("Validation error: backup['incremental'] must be 0 or 1.");
            }
            incremental = inc.asInt() == 1;
        }
        String parentId = Bodies.optionalString(body, "parent_id", "backup");

        // An admin backs up any project's instance; the backup belongs to the admin's project (as Trove).
        InstanceRecord instance = Reach.find(ctx, instanceId, store.instances::find, store.instances::find).orElseThrow(
                () -> JtroveException.notFound("Resource " + clean(instanceId) + " cannot be found."));
        DatastoreVersionRecord version = store.datastores.version(instance.datastoreVersionId()).orElseThrow();
        if (!BACKUP_MANAGERS.contains(version.manager())) {
            throw JtroveException.notImplemented("Backups are not supported for the " + version.manager() + " datastore.");
        }
        if (driver != null && !Set.of("local", "s3", "swift").contains(driver)) {
            throw JtroveException.badRequest("Unknown storage_driver '" + clean(driver) + "'.");
        }
        requireActionable(instance);
        if ((incremental || parentId != null) && !INCREMENTAL_MANAGERS.contains(version.manager())) {
            throw JtroveException.badRequest("The " + version.manager() + " datastore has no incremental backups;"
                    + " take a full backup.");
        }
        BackupRecord parent = null;
        if (parentId != null) {
            parent = Reach.find(ctx, parentId, store.backups::findShown, store.backups::find).orElseThrow(
                    () -> JtroveException.notFound("Backup " + clean(parentId) + " cannot be found."));
        } else if (incremental) {
            parent = store.backups.latestCompleted(instance.id()).orElse(null);
        }
        if (parent != null && (!parent.instanceId().equals(instance.id()) || !BackupRecord.COMPLETED.equals(parent.state()))) {
            throw JtroveException.badRequest("The parent of an incremental backup must be a completed backup of the"
                    + " same instance; backup " + parent.id() + " is " + parent.state() + " of instance "
                    + parent.instanceId() + ".");
        }

        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        String id = UUID.randomUUID().toString();
        BackupRecord backup = new BackupRecord(id, project, name, description, instance.id(),
                parent == null ? null : parent.id(), version.id(), parent == null ? "full" : "incremental",
                BackupRecord.NEW, null, null, null, null, null, now, now, false);
        TaskRecord task = TaskRecord.start(TaskType.BACKUP, instance.id(), Map.of("backup_id", id));
        store.backups.insertWithTask(backup, task, usage -> {
            // under the project's lock, which restarts and resizes take too: read again what may have changed
            if (store.backups.hasRunning(instance.id())) {
                throw InstanceController.busy(instance, "instance", "BACKUP");
            }
            if (store.backups.hasRunningSnapshot(instance.id())) {
                throw JtroveException.conflict("A replica of instance " + instance.id() + " is being built from a"
                        + " snapshot of it; take the backup once the replica is ACTIVE.");
            }
            InstanceRecord current = store.instances.find(instance.id()).orElseThrow(
                    () -> JtroveException.notFound("Resource " + instance.id() + " cannot be found."));
            if (!InstanceController.idle(current)) {
                throw InstanceController.busy(current, "task", current.task().name());
            }
            quotas.check(project, usage, Map.of("backups", 1));
        });
        taskmanager.runTask(task.id());
        // the answer shows the backup as recorded (NEW, as Trove answers), not as the guest may already report it
        ObjectNode out = Json.object();
        out.set("backup", view(backup));
        ctx.status(202).json(out);
    }

    private void requireActionable(InstanceRecord i) {
        if (!InstanceController.idle(i)) {
            throw InstanceController.busy(i, "task", i.task().name());
        }
        ServiceStatus s = store.serviceStatuses.find(i.id()).map(ServiceStatusRecord::serviceStatus).orElse(ServiceStatus.NEW);
        if (!s.isUp()) {
            throw InstanceController.busy(i, "instance", s.apiValue());
        }
    }

    private void list(Context ctx, String instanceId) {
        String project = ctx.pathParam("project");
        boolean all = "true".equalsIgnoreCase(ctx.queryParam("all_projects"));
        if (all && !Auth.of(ctx).isAdmin()) {
            throw new JtroveException(403, "Policy doesn't allow backup:index:all_projects to be performed.");
        }
        String filterInstance = instanceId != null ? instanceId : ctx.queryParam("instance_id");
        String datastore = ctx.queryParam("datastore");
        if (datastore != null && store.datastores.find(datastore).isEmpty()) {
            throw JtroveException.notFound("Datastore '" + clean(datastore) + "' cannot be found.");
        }
        // An instance's backups: an admin sees those of every project (Trove's Backup.list_for_instance).
        boolean everyProject = all || instanceId != null && Auth.reachesAllProjects(ctx);
        List<BackupRecord> rows = store.backups.list(everyProject ? null : project, filterInstance).stream()
                .filter(b -> datastore == null || datastoreMatches(b, datastore)).toList();
        Pages.Page<BackupRecord> page = Pages.page(ctx, rows, BackupRecord::id, pageSize);
        ObjectNode out = Json.object();
        ArrayNode items = out.putArray("backups");
        page.items().stream().sorted(java.util.Comparator.comparing(BackupRecord::created).reversed())
                .forEach(b -> items.add(view(b)));
        Pages.addNextLink(ctx, out, page.nextMarker());
        ctx.json(out);
    }

    private boolean datastoreMatches(BackupRecord b, String datastore) {
        return store.datastores.version(b.datastoreVersionId())
                .flatMap(v -> store.datastores.find(v.datastoreId()))
                .map(ds -> ds.name().equals(datastore) || ds.id().equals(datastore)).orElse(false);
    }

    private void show(Context ctx) {
        ObjectNode out = Json.object();
        out.set("backup", view(backup(ctx)));
        ctx.json(out);
    }

    /** Removes the backup and the incremental backups built on it (Trove's rule), stored data included. */
    private void delete(Context ctx) {
        BackupRecord backup = backup(ctx);
        List<BackupRecord> doomed = store.backups.withDescendants(backup.id());
        for (BackupRecord b : doomed) {
            if (b.running() && b.updated().isAfter(Instant.now().minus(RUNNING_EXPIRES))) {
                throw JtroveException.unprocessable("Backup " + b.id() + " is still running (" + b.state()
                        + "); delete it once it has completed or failed.");
            }
        }
        // Children first: a failure part-way never leaves an incremental without its parent. Marked DELETING at
        // once, so no new incremental, parent or restore picks any of them meanwhile.
        List<String> ids = new java.util.ArrayList<>(doomed.stream().map(BackupRecord::id).toList());
        java.util.Collections.reverse(ids);
        TaskRecord task = TaskRecord.start(TaskType.DELETE_BACKUP, backup.instanceId(), Map.of("backup_ids", ids));
        store.backups.markDeletingWithTask(ids, task);
        taskmanager.runTask(task.id());
        ctx.status(202).contentType("application/json");
    }

    private BackupRecord backup(Context ctx) {
        String id = ctx.pathParam("backupId");
        return Reach.find(ctx, id, store.backups::findShown, store.backups::find).orElseThrow(
                () -> JtroveException.notFound("Backup " + clean(id) + " cannot be found."));
    }

    static ObjectNode view(MetadataStore store, BackupRecord b) {
        ObjectNode n = Json.object();
        n.put("id", b.id()).put("name", b.name()).put("description", b.description())
                .put("locationRef", b.location()).put("instance_id", b.instanceId())
                .put("created", InstanceController.time(b.created())).put("updated", InstanceController.time(b.updated()));
        if (b.sizeBytes() == null) {
            n.putNull("size");
        } else {
            n.put("size", Math.round(b.sizeBytes() / 1e9 * 1e6) / 1e6);   // GB, as Trove
        }
        n.put("status", b.state()).put("parent_id", b.parentId()).put("project_id", b.projectId())
                .put("backup_type", b.backupType());
        if (b.fault() != null) {
            n.put("fail_reason", b.fault());
        }
        store.datastores.version(b.datastoreVersionId()).ifPresent(v -> {
            DatastoreRecord ds = store.datastores.find(v.datastoreId()).orElse(null);
            n.putObject("datastore").put("type", ds == null ? null : ds.name()).put("version", v.name())
                    .put("version_id", v.id());
        });
        return n;
    }

    private ObjectNode view(BackupRecord b) {
        return view(store, b);
    }

    private static String clean(String s) {
        return s.replaceAll("\\p{Cntrl}", "?");
    }
}
