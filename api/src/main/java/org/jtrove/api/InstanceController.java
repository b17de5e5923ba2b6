package org.jtrove.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.jtrove.bus.GuestApi;
import org.jtrove.bus.MessageBus;
import org.jtrove.bus.TaskmanagerApi;
import org.jtrove.model.InstanceAccess;
import org.jtrove.model.InstanceStatus;
import org.jtrove.model.InstanceTask;
import org.jtrove.model.Json;
import org.jtrove.model.JtroveException;
import org.jtrove.model.ReplicationMode;
import org.jtrove.model.ServiceStatus;
import org.jtrove.model.TaskType;
import org.jtrove.model.guest.CharacterSets;
import org.jtrove.model.guest.DatabaseSpec;
import org.jtrove.model.guest.Managers;
import org.jtrove.model.guest.NameRules;
import org.jtrove.model.guest.UserSpec;
import org.jtrove.store.BackupRecord;
import org.jtrove.store.ConfigurationRecord;
import org.jtrove.store.DatastoreRecord;
import org.jtrove.store.DatastoreVersionRecord;
import org.jtrove.store.FlavorRecord;
import org.jtrove.store.InstanceRecord;
import org.jtrove.store.MetadataStore;
import org.jtrove.store.ServiceStatusRecord;
import org.jtrove.store.TaskRecord;

/** Instances: create, list, show, rename, delete and actions. Long work is handed to the taskmanager. */
final class InstanceController {
    /** The fields Trove's create schema knows; anything else is refused rather than silently ignored. */
    private static final Set<String> CREATE_FIELDS = Set.of("name", "flavorRef", "volume", "datastore", "databases",
            "users", "restorePoint", "availability_zone", "nics", "configuration", "configuration_id", "replica_of",
            "replica_count", "modules", "locality", "region_name", "access", Replicas.AUTO_FAILOVER,
            Replicas.MODE_FIELD);
    private static final Set<String> UPDATE_FIELDS = Set.of("name", "configuration", "replica_of", "slave_of",
            "datastore_version", "access", Replicas.AUTO_FAILOVER, Replicas.MODE_FIELD);
    private final MetadataStore store;
    private final GuestApi guests;
    private final ApiSettings settings;
    private final TaskmanagerApi taskmanager;
    private final Quotas quotas;
    private final ConfigurationApplier configurations;
    private final Replicas replicas;

    private final PointInTimeRestores pointInTime;

    InstanceController(MetadataStore store, MessageBus bus, ApiSettings settings, Quotas quotas,
                       ConfigurationApplier configurations) {
        this.quotas = quotas;
        this.configurations = configurations;
        this.store = store;
        this.guests = new GuestApi(bus);
        this.taskmanager = new TaskmanagerApi(bus);
        this.settings = settings;
        this.pointInTime = new PointInTimeRestores(store);
        this.replicas = new Replicas(store, taskmanager, quotas, settings);
    }

    void register(Javalin app, String base) {
        app.get(base + "/instances", ctx -> list(ctx, false));
        app.get(base + "/instances/detail", ctx -> list(ctx, true));
        app.post(base + "/instances", this::create);
        app.get(base + "/instances/{id}", this::show);
        app.put(base + "/instances/{id}", this::update);
        app.patch(base + "/instances/{id}", this::update);
        app.delete(base + "/instances/{id}", this::delete);
        app.post(base + "/instances/{id}/action", this::action);
        app.get(base + "/instances/{id}/configuration", this::effectiveConfiguration);
    }

    // ---- create ----------------------------------------------------------------------------------------------

    private void create(Context ctx) {
        String project = ctx.pathParam("project");
        JsonNode body = Bodies.wrapped(ctx, "instance");
        String path = "instance";
        Bodies.onlyFields(body, CREATE_FIELDS, path);
        Replicas.autoFailover(body);
        if (body.hasNonNull("replica_of") || body.hasNonNull("replica_count")) {
            InstanceRecord first = replicas.create(project, body);
            replicas.recordAutoFailover(first.id(), body);
            ObjectNode out = Json.object();
            out.set("instance", view(ctx, store.instances.find(first.id()).orElseThrow(), true, false));
            ctx.status(200).json(out);
            return;
        }
        String name = Bodies.nonEmptyString(body, "name", path);
        FlavorRecord flavor = flavor(body.get("flavorRef"));
        JsonNode volume = body.get("volume");
        if (volume == null || !volume.isObject()) {
            throw JtroveException.badRequest("Validation error: instance 'volume' is a required property (an object with 'size').");
        }
        Bodies.onlyFields(volume, Set.of("size", "type"), "instance['volume']");
        int size = Bodies.volumeSize(volume);
        if (size > settings.maxVolumeSizeGb()) {
            throw JtroveException.overLimit("Volume size " + size + " GB is larger than the maximum of "
                    + settings.maxVolumeSizeGb() + " GB.");
        }
        Instant restoreTime = body.get("restorePoint") != null && body.get("restorePoint").isObject()
                ? PointInTimeRestores.restoreTime(body.get("restorePoint")) : null;
        BackupRecord restorePoint = restorePoint(project, body.get("restorePoint"));
        if (restoreTime != null) {
            restorePoint = restorePoint(project, pointInTime.base(restorePoint, restoreTime).id());
        }
        DatastoreVersionRecord version = restorePoint == null ? datastoreVersion(body.get("datastore"), "instance['datastore']")
                : restoreVersion(restorePoint, body.get("datastore"));
        if (restorePoint != null && restorePoint.sizeBytes() != null && restorePoint.sizeBytes() > size * 1_000_000_000L) {
            throw new JtroveException(403, "Backup is too large for given flavor or volume. Backup size: "
                    + restorePoint.sizeBytes() / 1e9 + " GBs. Available size: " + size + " GBs.");
        }
        List<DatabaseSpec> databases = List.of();
        List<UserSpec> users = List.of();
        if (Managers.hasDatabasesAndUsers(version.manager())) {
            NameRules rules = NameRules.forManager(version.manager());
            databases = databases(body, rules, store.charsets.find(version.id()), version.manager());
            users = users(body, rules, databases);
        } else {
            for (String field : List.of("databases", "users")) {
                if (body.hasNonNull(field) && !(body.get(field).isArray() && body.get(field).isEmpty())) {
                    throw JtroveException.notImplemented("Instance create with '" + field + "' is not supported for"
                            + " the '" + version.manager() + "' datastore: it has no databases or users.");
                }
            }
        }
        ConfigurationRecord configuration = body.hasNonNull("configuration")
                ? configurationFor(project, body.get("configuration"), version) : null;
        ReplicationMode mode = Replicas.replicationMode(body, version.manager());
        InstanceAccess access = body.has("access")
                ? AccessBody.parse(body.get("access"), InstanceAccess.DEFAULT, settings.publicAddress() != null)
                : InstanceAccess.DEFAULT;
        for (String unsupported : List.of("modules")) {
            if (body.hasNonNull(unsupported)) {
                throw JtroveException.notImplemented("'" + unsupported + "' is not supported by this jtrove yet.");
            }
        }

        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        String id = UUID.randomUUID().toString();
        InstanceRecord instance = new InstanceRecord(id, project, name, flavor.id(), version.id(), size, null, null,
                InstanceTask.BUILDING.name(), null, null, now, now, false, null);
        Map<String, Object> payload = new LinkedHashMap<>(Map.of("databases", databases, "users", users));
        if (restorePoint != null) {
            payload.put("backup_id", restorePoint.id());
        }
        if (restoreTime != null) {
            payload.put("restore_time", restoreTime.toString());
            payload.put("source_instance_id", restorePoint.instanceId());
        }
        TaskRecord task = TaskRecord.start(TaskType.CREATE, id, payload);
        store.instances.insertWithTask(instance, task, (usage, wanted) -> quotas.check(project, usage, wanted),
                Map.of("instances", 1, "volumes", size, "ram", flavor.ram()),
                configuration == null ? null : configuration.id(), access, mode == null ? null : mode.stored());
        replicas.recordAutoFailover(id, body);
        taskmanager.runTask(task.id());
        ObjectNode out = Json.object();
        out.set("instance", view(ctx, store.instances.find(id).orElseThrow(), true, false));
        ctx.status(200).json(out);
    }

    /** Trove's restorePoint: {"backupRef": "<backup id>"}, a completed backup of this project. */
    private BackupRecord restorePoint(String project, JsonNode spec) {
        if (spec == null || spec.isNull()) {
            return null;
        }
        if (!spec.isObject()) {
            throw JtroveException.badRequest("Validation error: instance['restorePoint'] must be an object.");
        }
        Bodies.onlyFields(spec, Set.of("backupRef", "restoreTime"), "instance['restorePoint']");
        String ref = Bodies.nonEmptyString(spec, "backupRef", "instance['restorePoint']");
        return restorePoint(project, ref.substring(ref.lastIndexOf('/') + 1));
    }

    /** A completed backup of this project whose whole chain is completed (else 404 or 409). */
    private BackupRecord restorePoint(String project, String backupId) {
        BackupRecord b = store.backups.find(project, backupId).orElseThrow(
                () -> JtroveException.notFound("Backup " + backupId.replaceAll("\\p{Cntrl}", "?") + " cannot be found."));
        List<BackupRecord> chain;
        try {
            chain = store.backups.chain(b.id());
        } catch (IllegalStateException e) {
            throw new JtroveException(409, "Unable to restore backup " + b.id() + ": " + e.getMessage() + ".");
        }
        for (BackupRecord link : chain) {
            if (!BackupRecord.COMPLETED.equals(link.state())) {
                throw new JtroveException(409, "Unable to create instance because backup " + link.id()
                        + (link.id().equals(b.id()) ? "" : " (a parent of " + b.id() + ")")
                        + " is not completed. Actual state: " + link.state() + ".");
            }
        }
        return b;
    }

    /** A restore runs the backup's own datastore version; naming another one is an error. */
    private DatastoreVersionRecord restoreVersion(BackupRecord backup, JsonNode spec) {
        DatastoreVersionRecord v = store.datastores.version(backup.datastoreVersionId()).orElseThrow(
                () -> JtroveException.badRequest("The datastore version of backup " + backup.id() + " no longer exists."));
        if (spec != null && spec.isObject() && (spec.hasNonNull("type") || spec.hasNonNull("version"))) {
            DatastoreVersionRecord wanted = datastoreVersion(spec, "instance['datastore']");
            if (!wanted.id().equals(v.id())) {
                throw JtroveException.badRequest("Backup " + backup.id() + " was taken from datastore version "
                        + v.name() + "; restore it to that version.");
            }
        }
        if (!v.active()) {
            throw JtroveException.badRequest("Datastore version '" + v.name() + "' is not active.");
        }
        return v;
    }

    private FlavorRecord flavor(JsonNode ref) {
        if (ref == null || ref.isNull()) {
            throw JtroveException.badRequest("Validation error: instance 'flavorRef' is a required property.");
        }
        if (!ref.isTextual() && !ref.isIntegralNumber()) {
            throw JtroveException.badRequest("Validation error: instance['flavorRef'] must be a string or an integer.");
        }
        String id = ref.asText();
        id = id.substring(id.lastIndexOf('/') + 1);
        String flavorId = id;
        return store.flavors.find(id).orElseThrow(() -> JtroveException.badRequest(
                "Flavor " + flavorId.replaceAll("\\p{Cntrl}", "?") + " could not be found; list flavors with GET /flavors."));
    }

    /** The datastore version a create names ({@code spec} may be absent: the default datastore's default version). */
    DatastoreVersionRecord datastoreVersion(JsonNode spec, String path) {
        if (spec != null && !spec.isNull() && !spec.isObject()) {
            throw JtroveException.badRequest("Validation error: " + path + " must be an object.");
        }
        if (spec != null && spec.isObject()) {
            Bodies.onlyFields(spec, Set.of("type", "version", "version_number"), path);
        }
        String type = spec == null ? null : Bodies.optionalString(spec, "type", path);
        String versionName = spec == null ? null : Bodies.optionalString(spec, "version", path);
        String dsName = type != null ? type : settings.defaultDatastore();
        DatastoreRecord ds = store.datastores.find(dsName).orElseThrow(
                () -> JtroveException.notFound("Datastore '" + dsName + "' cannot be found."));
        String wanted = versionName != null ? versionName : ds.defaultVersionId();
        if (wanted == null) {
            throw JtroveException.badRequest("Default version for datastore '" + ds.name()
                    + "' not found; name a version.");
        }
        DatastoreVersionRecord v = store.datastores.version(ds.id(), wanted).orElseThrow(
                () -> JtroveException.badRequest("Datastore version '" + wanted + "' cannot be found."));
        if (!v.active()) {
            throw JtroveException.badRequest("Datastore version '" + v.name() + "' is not active.");
        }
        return v;
    }

    private static List<DatabaseSpec> databases(JsonNode body, NameRules rules, CharacterSets charsets, String manager) {
        List<DatabaseSpec> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        JsonNode items = Bodies.array(body, "databases", "instance", false);
        for (JsonNode item : items) {
            DatabaseSpec db = DatabaseUserController.databaseSpec(item, rules, charsets, manager, "instance['databases']");
            if (!seen.add(db.name())) {
                throw JtroveException.badRequest("Database name '" + db.name() + "' appears more than once.");
            }
            out.add(db);
        }
        return out;
    }

    private static List<UserSpec> users(JsonNode body, NameRules rules, List<DatabaseSpec> databases) {
        List<UserSpec> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        Set<String> dbNames = new HashSet<>();
        databases.forEach(d -> dbNames.add(d.name()));
        for (JsonNode item : Bodies.array(body, "users", "instance", false)) {
            UserSpec user = DatabaseUserController.userSpec(item, rules, "instance['users']");
            if (!seen.add(user.name() + "@" + user.host())) {
                throw JtroveException.badRequest("User '" + user.name() + "' appears more than once.");
            }
            for (String db : user.databases()) {
                if (!dbNames.contains(db)) {
                    throw JtroveException.badRequest("User '" + user.name() + "' refers to database '" + db
                            + "', which is not in the instance's 'databases'.");
                }
            }
            out.add(user);
        }
        return out;
    }

    // ---- read ------------------------------------------------------------------------------------------------

    private void list(Context ctx, boolean detail) {
        Pages.Page<InstanceRecord> page = Pages.page(ctx, store.instances.listByProject(ctx.pathParam("project")),
                InstanceRecord::id, settings.pageSize());
        ArrayNode items = Json.MAPPER.createArrayNode();
        page.items().stream().sorted(Comparator.comparing(InstanceRecord::created).reversed())
                .forEach(i -> items.add(view(ctx, i, detail, false)));
        ObjectNode body = Json.object();
        body.set("instances", items);
        Pages.addNextLink(ctx, body, page.nextMarker());
        ctx.json(body);
    }

    private void show(Context ctx) {
        ObjectNode body = Json.object();
        body.set("instance", view(ctx, instance(ctx), true, true));
        ctx.json(body);
    }

    /** The instance of the path: of the caller's project, or of any project for an admin (see {@link Reach}). */
    InstanceRecord instance(Context ctx) {
        String id = ctx.pathParam("id");
        return Reach.find(ctx, id, store.instances::find, store.instances::find).orElseThrow(
                () -> JtroveException.notFound("Resource " + id.replaceAll("\\p{Cntrl}", "?") + " cannot be found."));
    }

    /** Trove's instance view (links under the path's project); {@code withUsage} asks the guest for volume use. */
    ObjectNode view(Context ctx, InstanceRecord i, boolean detail, boolean withUsage) {
        String project = ctx.pathParam("project");
        ServiceStatusRecord service = store.serviceStatuses.find(i.id()).orElse(null);
        ServiceStatus serviceStatus = service == null ? ServiceStatus.NEW : service.serviceStatus();
        boolean expired = service != null && i.task() == InstanceTask.NONE && serviceStatus != ServiceStatus.NEW
                && service.updatedAt().isBefore(Instant.now().minus(settings.heartbeatExpiry()));
        InstanceTask task = i.task();
        String status = InstanceStatus.publicStatus(task, serviceStatus, expired, store.backups.hasRunning(i.id()));
        DatastoreVersionRecord version = store.datastores.version(i.datastoreVersionId()).orElse(null);
        DatastoreRecord ds = version == null ? null : store.datastores.find(version.datastoreId()).orElse(null);

        ObjectNode n = Json.object();
        n.put("id", i.id()).put("name", i.name()).put("status", status)
                .put("operating_status", InstanceStatus.operatingStatus(task, serviceStatus, expired));
        n.set("links", Links.of(ctx, project, "instances", i.id()));
        ObjectNode flavor = n.putObject("flavor");
        flavor.put("id", i.flavorId());
        flavor.set("links", Links.of(ctx, project, "flavors", i.flavorId()));
        ObjectNode datastore = n.putObject("datastore");
        datastore.put("type", ds == null ? null : ds.name()).put("version", version == null ? null : version.name());
        n.put("region", settings.region());
        if (Auth.of(ctx) != null && Auth.of(ctx).isAdmin()) {
            n.put("tenant_id", i.projectId());   // as Trove's InstanceView for an admin context
        }
        InstanceAccess access = store.instances.access(i.id());
        n.set("access", Json.tree(access));
        replicas.addToView(ctx, i, n, detail, version == null ? "" : version.manager());
        ObjectNode volume = n.putObject("volume");
        volume.put("size", i.volumeSize());
        if (i.address() != null) {
            ArrayNode ip = n.putArray("ip").add(i.address());
            ArrayNode addresses = n.putArray("addresses");
            addresses.addObject().put("address", i.address()).put("type", "private").put("network", "loopback");
            replicas.addWriterAddress(i, addresses);
            Integer publicPort = access.isPublic() && settings.publicAddress() != null
                    ? store.instances.publicPort(i.id()) : null;
            if (publicPort != null) {
                // Published on a port of its own: the datastore's standard port belongs to the instance address.
                ip.add(settings.publicAddress());
                addresses.addObject().put("address", settings.publicAddress()).put("type", "public")
                        .put("network", "public").put("port", publicPort);
            }
        }
        if (detail) {
            n.put("created", time(i.created())).put("updated", time(i.updated()));
            // jtrove's extension (point-in-time restore): ISO-8601 with fractions, as restoreTime takes it
            store.logArchive.latestRestorable(i.id()).ifPresent(t -> n.put("latest_restorable_time", t.toString()));
            store.logArchive.lastError(i.id()).ifPresent(e -> n.put("log_archive_error", e));
            if (service != null) {
                n.put("service_status_updated", time(service.updatedAt()));
            }
            if (version != null) {
                datastore.put("version_number", version.version());
            }
            store.configurations.attachedTo(i.id()).flatMap(store.configurations::find).ifPresent(c -> {
                ObjectNode cfg = n.putObject("configuration");
                cfg.put("id", c.id()).put("name", c.name());
                cfg.set("links", Links.of(ctx, project, "configurations", c.id()));
            });
            if (i.faultMessage() != null) {
                n.putObject("fault").put("message", i.faultMessage()).put("created", time(i.faultCreated()))
                        .put("details", "");
            }
        }
        if (withUsage && "ACTIVE".equals(status)) {
            try {
                double used = guests.volumeUsedGb(i.id());
                volume.put("used", used);
                volume.put("used_percent", Math.round(used / i.volumeSize() * 10000) / 100.0);
            } catch (JtroveException e) {
                // the guest did not answer in time: show the instance without usage, as Trove does
            }
        }
        return n;
    }

    private static final DateTimeFormatter TROVE_TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss");

    /** Trove's datetimes: naive UTC, seconds precision, no zone suffix. */
    static String time(Instant t) {
        return t == null ? null : TROVE_TIME.format(LocalDateTime.ofInstant(t, ZoneOffset.UTC));
    }

    // ---- change ----------------------------------------------------------------------------------------------

    private void update(Context ctx) {
        JsonNode body = Bodies.wrapped(ctx, "instance");
        Bodies.onlyFields(body, UPDATE_FIELDS, "instance");
        InstanceRecord i = instance(ctx);
        List<String> others = new ArrayList<>();
        body.fieldNames().forEachRemaining(f -> {
            if (!"name".equals(f)) {
                others.add(f);
            }
        });
        if (others.size() > 1) {
            throw JtroveException.badRequest("Only one attribute (except 'name') is allowed to update.");
        }
        String name = body.has("name") ? Bodies.nonEmptyString(body, "name", "instance") : null;
        if (!others.isEmpty() && Replicas.DETACH_FIELDS.contains(others.get(0))) {
            replicas.detach(i);
            if (name != null) {
                store.instances.rename(i.id(), name);
            }
            ctx.status(202).contentType("application/json");
            return;
        }
        if (!others.isEmpty() && Replicas.AUTO_FAILOVER.equals(others.get(0))) {
            Replicas.autoFailover(body);
            if (name != null) {
                store.instances.rename(i.id(), name);
            }
            replicas.recordAutoFailover(i.id(), body);
            ctx.status(202).contentType("application/json");
            return;
        }
        if (!others.isEmpty() && Replicas.MODE_FIELD.equals(others.get(0))) {
            replicas.setReplicationMode(i, body);
            if (name != null) {
                store.instances.rename(i.id(), name);
            }
            ctx.status(202).contentType("application/json");
            return;
        }
        if (!others.isEmpty() && !Set.of("configuration", "access").contains(others.get(0))) {
            throw JtroveException.notImplemented("Updating '" + others.get(0) + "' is not supported by this jtrove yet.");
        }
        JsonNode cfg = body.get("configuration");
        // An admin may attach a group of any project, as Trove's Configuration.load for an admin context.
        ConfigurationRecord attach = cfg != null && !cfg.isNull()
                ? configurationFor(Auth.reachesAllProjects(ctx) ? null : i.projectId(), cfg,
                        store.datastores.version(i.datastoreVersionId()).orElseThrow())
                : null;
        InstanceAccess access = body.has("access")
                ? AccessBody.parse(body.get("access"), store.instances.access(i.id()), settings.publicAddress() != null)
                : null;
        if (access != null) {
            requireAccessUpdatable(i);
        }
        if (name != null) {
            store.instances.rename(i.id(), name);
        }
        if (access != null) {
            updateAccess(i, access);
        } else if (attach != null) {
            attachConfiguration(i, attach);
        } else if (body.isEmpty() || cfg != null) {
            // Trove: "configuration": null, or an empty instance object, detaches the group.
            detachConfiguration(i);
        }
        ctx.status(202).contentType("application/json");
    }

    // ---- access ----------------------------------------------------------------------------------------------

    /** As Trove's update_access: a long task (UPDATING) that puts the access in force, then records it. */
    private void updateAccess(InstanceRecord i, InstanceAccess access) {
        TaskRecord t = TaskRecord.start(TaskType.UPDATE_ACCESS, i.id(), Map.of("access", access,
                "previous_task", i.task().name()));
        if (!store.instances.startTask(i.id(), i.task(), InstanceTask.UPDATING, t)) {
            throw busy(i, "task", "changing");
        }
        taskmanager.runTask(t.id());
    }

    /** No other task may run and the server must be up (the task waits for it); a failed access update may be retried. */
    private void requireAccessUpdatable(InstanceRecord i) {
        if (!idle(i) && i.task() != InstanceTask.UPDATING_ERROR_ACCESS) {
            throw busy(i, "task", i.task().name());
        }
        requireServerUp(i);
    }

    // ---- configuration groups --------------------------------------------------------------------------------

    /**
     * The project's group named by {@code ref} (an id or href; any project's when {@code project} is null), which
     * must be for the instance's datastore version.
     */
    private ConfigurationRecord configurationFor(String project, JsonNode ref, DatastoreVersionRecord version) {
        if (!ref.isTextual()) {
            throw JtroveException.badRequest("Validation error: instance['configuration'] must be a string (an id) or null.");
        }
        String text = ref.asText();
        String id = text.substring(text.lastIndexOf('/') + 1);
        Optional<ConfigurationRecord> found = project == null ? store.configurations.find(id)
                : store.configurations.find(project, id);
        ConfigurationRecord c = found.orElseThrow(() -> JtroveException.notFound(
                "Configuration group " + id.replaceAll("\\p{Cntrl}", "?") + " cannot be found."));
        if (!c.datastoreVersionId().equals(version.id())) {
            throw JtroveException.badRequest("Configuration group " + c.id() + " is for another datastore version than"
                    + " the instance's (" + version.name() + ").");
        }
        return c;
    }

    private void attachConfiguration(InstanceRecord i, ConfigurationRecord c) {
        if (!configurations.canApply(i)) {
            throw JtroveException.badRequest("Instance " + i.id() + " is not in a state to take a configuration group"
                    + " (task status was " + i.task().name() + "); wait until it is ACTIVE.");
        }
        configurations.attach(i, c.id());
    }

    /** Detaching resets the group's parameters to their defaults on the server, then forgets the group. */
    private void detachConfiguration(InstanceRecord i) {
        if (store.configurations.attachedTo(i.id()).isEmpty()) {
            return;
        }
        if (!configurations.canApply(i)) {
            throw JtroveException.badRequest("Instance " + i.id() + " is not in a state to detach its configuration"
                    + " group (task status was " + i.task().name() + "); wait until it is ACTIVE.");
        }
        configurations.detach(i);
    }

    /** The values of every catalogue parameter in effect on the running server. */
    private void effectiveConfiguration(Context ctx) {
        InstanceRecord i = instance(ctx);
        JsonNode values = guests.effectiveConfiguration(i.id());
        ObjectNode body = Json.object();
        body.putObject("instance").set("configuration", values);
        ctx.json(body);
    }

    private void delete(Context ctx) {
        InstanceRecord i = instance(ctx);
        InstanceTask task = i.task();
        if (task == InstanceTask.BUILDING || task == InstanceTask.DELETING || task == InstanceTask.REBOOTING
                || task == InstanceTask.UPDATING) {
            throw busy(i, "task", task.name());
        }
        replicas.checkDeletable(i);
        TaskRecord t = TaskRecord.start(TaskType.DELETE, i.id(), Map.of());
        if (!store.instances.startTask(i.id(), task, InstanceTask.DELETING, t)) {
            throw busy(i, "task", "changing");
        }
        taskmanager.runTask(t.id());
        ctx.status(202).contentType("application/json");
    }

    private void action(Context ctx) {
        JsonNode body = Bodies.object(ctx);
        if (body.size() != 1) {
            throw JtroveException.badRequest("Exactly one action is required in the request body.");
        }
        String action = body.fieldNames().next();
        InstanceRecord i = instance(ctx);
        JsonNode args = body.get(action);
        if (!args.isObject()) {
            throw JtroveException.badRequest("Validation error: the '" + action.replaceAll("\\p{Cntrl}", "?")
                    + "' action takes an object.");
        }
        switch (action) {
            case "restart" -> restart(i);
            case "reset_status" -> {
                Bodies.onlyFields(args, Set.of("force_delete"), "reset_status");
                resetStatus(ctx, i);
            }
            case "resize" -> {
                Bodies.onlyFields(args, Set.of("flavorRef", "volume"), "resize");
                if (args.size() != 1) {
                    throw JtroveException.badRequest("Validation error: resize takes exactly one of flavorRef or volume.");
                }
                if (args.has("volume")) {
                    if (!args.get("volume").isObject()) {
                        throw JtroveException.badRequest("Validation error: resize['volume'] must be an object.");
                    }
                    resizeVolume(ctx, i, Bodies.volumeSize(args.get("volume")));
                } else {
                    resizeFlavor(i, flavor(args.get("flavorRef")));
                }
            }
            case "promote_to_replica_source" -> {
                Bodies.onlyFields(args, Set.of(), action);
                replicas.promote(i);
            }
            case "eject_replica_source" -> {
                Bodies.onlyFields(args, Set.of(), action);
                replicas.eject(i);
            }
            default -> throw JtroveException.badRequest("Invalid instance action: '"
                    + action.replaceAll("\\p{Cntrl}", "?") + "'.");
        }
        ctx.status(202).contentType("application/json");
    }

    /** New memory settings for a bigger or smaller flavor: the server is reconfigured and restarted (status RESIZE). */
    private void resizeFlavor(InstanceRecord i, FlavorRecord flavor) {
        if (flavor.id().equals(i.flavorId())) {
            throw JtroveException.badRequest("The new flavor " + flavor.id() + " is the instance's current flavor.");
        }
        requireActive(i);
        TaskRecord t = TaskRecord.start(TaskType.RESIZE_FLAVOR, i.id(), Map.of("flavor_id", flavor.id(),
                "previous_task", i.task().name()));
        if (!store.instances.startTask(i.id(), i.task(), InstanceTask.RESIZING, t, true)) {
            requireNoBackup(i);
            throw busy(i, "task", "changing");
        }
        taskmanager.runTask(t.id());
    }

    /**
     * Volumes only grow, as in Trove. The local driver keeps data on the host's filesystem, so the new size is a
     * recorded allowance (shown in volume.size and checked against quota), not a device to extend.
     */
    private void resizeVolume(Context ctx, InstanceRecord i, int newSize) {
        if (newSize <= i.volumeSize()) {
            throw JtroveException.badRequest("The new volume size " + newSize + " GB must be larger than the current "
                    + i.volumeSize() + " GB; volumes can only grow.");
        }
        if (newSize > settings.maxVolumeSizeGb()) {
            throw JtroveException.overLimit("Volume size " + newSize + " GB is larger than the maximum of "
                    + settings.maxVolumeSizeGb() + " GB.");
        }
        requireActive(i);
        store.instances.growVolume(i, newSize, (usage, wanted) -> quotas.check(i.projectId(), usage, wanted));
    }

    private void requireActive(InstanceRecord i) {
        if (!idle(i)) {
            throw busy(i, "task", i.task().name());
        }
        requireNoBackup(i);
        requireServerUp(i);
    }

    private void requireServerUp(InstanceRecord i) {
        ServiceStatus s = store.serviceStatuses.find(i.id()).map(ServiceStatusRecord::serviceStatus).orElse(ServiceStatus.NEW);
        if (!s.isUp()) {
            throw busy(i, "instance", s.apiValue());
        }
    }

    /** Admin escape hatch (Trove's reset_status): clears a stuck task; the next heartbeat sets the real status. */
    private void resetStatus(Context ctx, InstanceRecord i) {
        if (!Auth.of(ctx).isAdmin()) {
            throw new JtroveException(403, "Policy doesn't allow instance:reset_status to be performed.");
        }
        store.tasks.failRunning(i.id(), "Stopped by an administrator's reset_status.");
        store.instances.setTask(i.id(), InstanceTask.NONE);
        store.serviceStatuses.set(i.id(), ServiceStatus.UNKNOWN);
    }

    /** No task runs: NONE, or RESTART_REQUIRED (a configuration change waiting for a restart). */
    static boolean idle(InstanceRecord i) {
        return i.task() == InstanceTask.NONE || i.task() == InstanceTask.RESTART_REQUIRED;
    }

    /** Restarts the database server (a RESTART task: stop, start, wait until healthy); also the admin's reboot. */
    void restart(InstanceRecord i) {
        if (!idle(i)) {
            throw busy(i, "task", i.task().name());
        }
        requireNoBackup(i);
        TaskRecord t = TaskRecord.start(TaskType.RESTART, i.id(), Map.of("previous_task", i.task().name()));
        if (!store.instances.startTask(i.id(), i.task(), InstanceTask.REBOOTING, t, true)) {
            requireNoBackup(i);
            throw busy(i, "task", "changing");
        }
        taskmanager.runTask(t.id());
    }

    /** A restart or resize would cut a running backup short. */
    private void requireNoBackup(InstanceRecord i) {
        if (store.backups.hasRunning(i.id())) {
            throw busy(i, "instance", "BACKUP");
        }
    }

    static JtroveException busy(InstanceRecord i, String what, String value) {
        return JtroveException.unprocessable("Instance " + i.id() + " is not currently available for an action to be"
                + " performed (" + what + " status was " + value + ").");
    }

}
