package org.jtrove.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Set;
import java.util.UUID;
import org.jtrove.model.CronPattern;
import org.jtrove.model.Json;
import org.jtrove.model.JtroveException;
import org.jtrove.store.BackupScheduleRecord;
import org.jtrove.store.DatastoreVersionRecord;
import org.jtrove.store.InstanceRecord;
import org.jtrove.store.MetadataStore;

/**
 * Backup schedules, jtrove's extension (Trove has no route; the body follows python-troveclient's
 * {@code schedule-create}: name, pattern, description, incremental), plus the retention of the backups a schedule
 * makes:
 *
 * <pre>
 * POST   /v1.0/{project}/instances/{id}/schedules        {"schedule": {"name": R, "pattern": R "0 3 * * *",
 *                                                           "description": O, "incremental": O 0|1,
 *                                                           "retention_count": O int 1..1000 | "retention_days": O int 1..3650}}
 *                                                          -> 200 {"schedule": view}
 * GET    /v1.0/{project}/instances/{id}/schedules        -> 200 {"schedules": [view]}
 * GET    /v1.0/{project}/instances/{id}/schedules/{sid}  -> 200 {"schedule": view}
 * DELETE /v1.0/{project}/instances/{id}/schedules/{sid}  -> 202 (the backups it made stay)
 * </pre>
 *
 * The pattern is a five-field cron expression in UTC. A view holds id, name, description, pattern, incremental,
 * instance_id, retention_count, retention_days, next_execution_time, last_execution_time, created, updated.
 */
final class ScheduleController {
    private static final Set<String> FIELDS = Set.of("name", "pattern", "description", "incremental", "retention_count",
            "retention_days");
    private final MetadataStore store;

    ScheduleController(MetadataStore store) {
        this.store = store;
    }

    void register(Javalin app, String base) {
        app.post(base + "/instances/{id}/schedules", this::create);
        app.get(base + "/instances/{id}/schedules", this::list);
        app.get(base + "/instances/{id}/schedules/{scheduleId}", this::show);
        app.delete(base + "/instances/{id}/schedules/{scheduleId}", this::delete);
    }

    private void create(Context ctx) {
        InstanceRecord instance = instance(ctx);
        JsonNode body = Bodies.wrapped(ctx, "schedule");
        Bodies.onlyFields(body, FIELDS, "schedule");
        String name = Bodies.nonEmptyString(body, "name", "schedule");
        if (name.length() > 255) {
            throw JtroveException.badRequest("Validation error: schedule['name'] is longer than 255 characters.");
        }
        String description = Bodies.optionalString(body, "description", "schedule");
        if (description != null && description.length() > 1024) {
            throw JtroveException.badRequest("Validation error: schedule['description'] is longer than 1024 characters.");
        }
        CronPattern pattern = CronPattern.parse(Bodies.rawString(body, "pattern", "schedule", true));
        boolean incremental = false;
        if (body.has("incremental")) {
            JsonNode inc = body.get("incremental");
            if (!(inc.isBoolean() || inc.isIntegralNumber() && (inc.asInt() == 0 || inc.asInt() == 1))) {
                throw JtroveException.badRequest("Validation error: schedule['incremental'] must be 0 or 1.");
            }
            incremental = inc.asBoolean() || inc.asInt() == 1;
        }
        Integer count = positive(body, "retention_count", 1000);
        Integer days = positive(body, "retention_days", 3650);
        if (count != null && days != null) {
            throw JtroveException.badRequest("Give either schedule['retention_count'] or schedule['retention_days'],"
                    + " not both.");
        }
        DatastoreVersionRecord version = store.datastores.version(instance.datastoreVersionId()).orElseThrow();
        if (!BackupController.BACKUP_MANAGERS.contains(version.manager())) {
            throw JtroveException.notImplemented("Backups are not supported for the " + version.manager() + " datastore.");
        }
        if (incremental && !BackupController.INCREMENTAL_MANAGERS.contains(version.manager())) {
            throw JtroveException.badRequest("The " + version.manager() + " datastore has no incremental backups;"
                    + " schedule full backups.");
        }
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        String id = UUID.randomUUID().toString();
        store.backupSchedules.insert(new BackupScheduleRecord(id, ctx.pathParam("project"), instance.id(), name,
                description, pattern.toString(), incremental, count, days, pattern.next(now), null, now, now));
        ObjectNode out = Json.object();
        out.set("schedule", view(store.backupSchedules.find(instance.id(), id).orElseThrow()));
        ctx.status(200).json(out);
    }

    private void list(Context ctx) {
        InstanceRecord instance = instance(ctx);
        ObjectNode out = Json.object();
        ArrayNode items = out.putArray("schedules");
        store.backupSchedules.list(instance.id()).stream().filter(s -> visible(ctx, s)).forEach(s -> items.add(view(s)));
        ctx.json(out);
    }

    private void show(Context ctx) {
        ObjectNode out = Json.object();
        out.set("schedule", view(schedule(ctx)));
        ctx.json(out);
    }

    private void delete(Context ctx) {
        store.backupSchedules.delete(schedule(ctx).id());
        ctx.status(202).contentType("application/json");
    }

    private BackupScheduleRecord schedule(Context ctx) {
        InstanceRecord instance = instance(ctx);
        String id = ctx.pathParam("scheduleId");
        return store.backupSchedules.find(instance.id(), id).filter(s -> visible(ctx, s)).orElseThrow(() ->
                JtroveException.notFound("Schedule " + id.replaceAll("\\p{Cntrl}", "?") + " cannot be found."));
    }

    /** One project never sees another's schedules (an admin sees every project's). */
    private static boolean visible(Context ctx, BackupScheduleRecord s) {
        return Auth.reachesAllProjects(ctx) || s.projectId().equals(ctx.pathParam("project"));
    }

    private InstanceRecord instance(Context ctx) {
        String id = ctx.pathParam("id");
        return Reach.find(ctx, id, store.instances::find, store.instances::find).orElseThrow(
                () -> JtroveException.notFound("Resource " + id.replaceAll("\\p{Cntrl}", "?") + " cannot be found."));
    }

    private static Integer positive(JsonNode body, String field, int max) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isIntegralNumber() || v.asLong() < 1 || v.asLong() > max) {
            throw JtroveException.badRequest("Validation error: schedule['" + field + "'] must be an integer from 1 to "
                    + max + ".");
        }
        return v.asInt();
    }

    private static ObjectNode view(BackupScheduleRecord s) {
        ObjectNode n = Json.object();
        n.put("id", s.id()).put("name", s.name()).put("description", s.description()).put("pattern", s.pattern())
                .put("incremental", s.incremental() ? 1 : 0).put("instance_id", s.instanceId());
        n.put("retention_count", s.retentionCount()).put("retention_days", s.retentionDays());
        n.put("next_execution_time", InstanceController.time(s.nextRun()))
                .put("last_execution_time", InstanceController.time(s.lastRun()))
                .put("created", InstanceController.time(s.created())).put("updated", InstanceController.time(s.updated()));
        return n;
    }
}
