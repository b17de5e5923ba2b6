package org.jtrove.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Comparator;
import java.util.Set;
import org.jtrove.bus.GuestApi;
import org.jtrove.bus.MessageBus;
import org.jtrove.model.InstanceTask;
import org.jtrove.model.Json;
import org.jtrove.model.JtroveException;
import org.jtrove.model.ServiceStatus;
import org.jtrove.store.BackupRecord;
import org.jtrove.store.InstanceRecord;
import org.jtrove.store.MetadataStore;
import org.jtrove.store.ServiceStatusRecord;

/**
 * Trove's management routes for instances (admin only; others get Trove's 401), from
 * {@code trove/extensions/mgmt/instances/service.py}: every project's instances ({@code GET /mgmt/instances} with
 * {@code deleted} and {@code project_id} filters), one instance ({@code GET /mgmt/instances/{id}}, {@code ?deleted=true}
 * finds deleted ones), and the actions {@code stop} (stops the database server; status SHUTDOWN until a restart or
 * reboot), {@code reboot} (stops and starts the server again) and {@code reset-task-status} (ends a stuck task and
 * fails the instance's running backups). On the local compute driver an instance's "server" is the place the driver
 * made for it (its directory, OS user and guest agent on this host), named by the instance id.
 */
final class MgmtInstanceController {
    /** A server stops within 60 s (then it is killed), so the guest answers within this. */
    private static final Set<String> ACTIONS = Set.of("stop", "reboot", "reset-task-status", "migrate", "rebuild");
    private final MetadataStore store;
    private final GuestApi guests;
    private final InstanceController instances;
    private final int pageSize;
    private final String host;

    MgmtInstanceController(MetadataStore store, MessageBus bus, InstanceController instances, int pageSize) {
        this.store = store;
        this.guests = new GuestApi(bus);
        this.instances = instances;
        this.pageSize = pageSize;
        this.host = hostName();
    }

    void register(Javalin app, String base) {
        app.get(base + "/mgmt/instances", this::list);
        app.get(base + "/mgmt/instances/{id}", this::show);
        app.post(base + "/mgmt/instances/{id}/action", this::action);
    }

    /** {@code ?deleted=true|false} (absent: both, as Trove), {@code ?project_id=}; paged by id like /instances. */
    private void list(Context ctx) {
        MgmtController.requireAdmin(ctx);
        String deleted = ctx.queryParam("deleted");
        Boolean onlyDeleted = "true".equalsIgnoreCase(deleted) ? Boolean.TRUE
                : "false".equalsIgnoreCase(deleted) ? Boolean.FALSE : null;
        Pages.Page<InstanceRecord> page = Pages.page(ctx,
                store.instances.listAllProjects(onlyDeleted, ctx.queryParam("project_id")), InstanceRecord::id, pageSize);
        ArrayNode items = Json.MAPPER.createArrayNode();
        page.items().stream().sorted(Comparator.comparing(InstanceRecord::created).reversed())
                .forEach(i -> items.add(view(ctx, i, false)));
        ObjectNode body = Json.object();
        body.set("instances", items);
        Pages.addNextLink(ctx, body, page.nextMarker());
        ctx.json(body);
    }

    private void show(Context ctx) {
        MgmtController.requireAdmin(ctx);
        String id = ctx.pathParam("id");
        InstanceRecord i = ("true".equalsIgnoreCase(ctx.queryParam("deleted"))
                ? store.instances.findIncludingDeleted(id) : store.instances.find(id))
                .orElseThrow(() -> notFound(id));
        ObjectNode body = Json.object();
        body.set("instance", view(ctx, i, true));
        ctx.json(body);
    }

    private void action(Context ctx) {
        MgmtController.requireAdmin(ctx);
        JsonNode body = Bodies.object(ctx);
        if (body.size() != 1) {
            throw JtroveException.badRequest("Only one action can be specified per request.");
        }
        String action = body.fieldNames().next();
        String shown = action.replaceAll("\\p{Cntrl}", "?");
        if (!ACTIONS.contains(action)) {
            throw JtroveException.badRequest("Invalid instance action: " + shown);
        }
        if (!body.get(action).isObject()) {
            throw JtroveException.badRequest("Validation error: the '" + shown + "' action takes an object.");
        }
        String id = ctx.pathParam("id");
        InstanceRecord i = store.instances.find(id).orElseThrow(() -> notFound(id));
        switch (action) {
            case "stop" -> stop(i);
            case "reboot" -> instances.restart(i);
            case "reset-task-status" -> resetTaskStatus(i);
            default -> throw JtroveException.notImplemented("Action '" + action + "' needs a compute service with"
                    + " images and hosts; the local compute driver has neither.");
        }
        ctx.status(202).contentType("application/json");
    }

    /** Trove's MgmtInstance.stop_db: the guest stops the database server; the next heartbeat shows SHUTDOWN. */
    private void stop(InstanceRecord i) {
        if (!InstanceController.idle(i)) {
            throw InstanceController.busy(i, "task", i.task().name());
        }
        if (store.backups.hasRunning(i.id())) {
            throw InstanceController.busy(i, "instance", "BACKUP");
        }
        guests.stopDb(i.id());
    }

    /**
     * Trove's reset-task-status: the task becomes NONE and the instance's running backups FAILED. The running task
     * itself is ended too, so that it takes no further step.
     */
    private void resetTaskStatus(InstanceRecord i) {
        store.tasks.failRunning(i.id(), "Stopped by an administrator's reset-task-status.");
        store.instances.setTask(i.id(), InstanceTask.NONE);
        for (BackupRecord b : store.backups.list(null, i.id())) {
            if (b.running()) {
                store.backups.failIfRunning(b.id(), "Failed by an administrator's reset-task-status.");
            }
        }
    }

    /** Trove's MgmtInstanceView (detail: MgmtInstanceDetailView) over the instance's detail view. */
    private ObjectNode view(Context ctx, InstanceRecord i, boolean detail) {
        ObjectNode n = instances.view(ctx, i, true, detail && !i.deleted());
        ServiceStatus service = store.serviceStatuses.find(i.id()).map(ServiceStatusRecord::serviceStatus)
                .orElse(ServiceStatus.NEW);
        if (i.deleted()) {
            n.put("status", "SHUTDOWN");
        }
        ObjectNode server = n.putObject("server");
        server.put("id", i.id()).put("name", i.name())
                .put("status", i.deleted() ? "DELETED" : i.address() == null ? "BUILD" : "ACTIVE")
                .put("tenant_id", i.projectId()).put("host", host);
        if (detail && i.address() != null) {
            server.putObject("addresses").putArray("loopback").addObject().put("addr", i.address()).put("version", 4);
        }
        n.put("service_status", service.apiValue()).put("tenant_id", i.projectId()).put("deleted", i.deleted())
                .put("deleted_at", InstanceController.time(i.deletedAt()))
                .put("task_description", taskDescription(i.task()))
                .put("server_id", i.id()).putNull("volume_id");
        if (detail) {
            n.putObject("guest_status").put("state_description", service.description());
        }
        return n;
    }

    /** Trove's task descriptions (trove/instance/tasks.py). */
    private static String taskDescription(InstanceTask task) {
        return switch (task) {
            case NONE -> "No tasks for the instance.";
            case BUILDING -> "The instance is building.";
            case REBOOTING -> "Rebooting the instance.";
            case RESIZING -> "Resizing the instance.";
            case DELETING -> "Deleting the instance.";
            case RESTART_REQUIRED -> "Instance requires a restart.";
            case BUILDING_ERROR_SERVER -> "Build error: Server.";
            case BUILDING_ERROR_TIMEOUT_GA -> "Build error: guestagent timeout.";
            default -> task.name();
        };
    }

    private static JtroveException notFound(String id) {
        return JtroveException.notFound("Resource " + id.replaceAll("\\p{Cntrl}", "?") + " cannot be found.");
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }
}
