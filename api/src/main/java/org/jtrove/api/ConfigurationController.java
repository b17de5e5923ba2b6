package org.jtrove.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.jtrove.model.InstanceTask;
import org.jtrove.model.Json;
import org.jtrove.model.JtroveException;
import org.jtrove.model.config.ConfigValues;
import org.jtrove.store.ConfigurationRecord;
import org.jtrove.store.ConfigurationRepository;
import org.jtrove.store.TaskRecord;
import org.jtrove.store.DatastoreRecord;
import org.jtrove.store.DatastoreVersionRecord;
import org.jtrove.store.InstanceRecord;
import org.jtrove.store.MetadataStore;

/**
 * Configuration groups of a project: create, list, show, replace (PUT), merge (PATCH) and delete. Values are
 * checked against the datastore version's catalogue; a changed group is pushed to every instance it is attached to.
 */
final class ConfigurationController {
    private final MetadataStore store;
    private final InstanceController instances;
    private final ConfigurationApplier applier;
    private final int pageSize;

    ConfigurationController(MetadataStore store, InstanceController instances, ConfigurationApplier applier,
                            int pageSize) {
        this.store = store;
        this.instances = instances;
        this.applier = applier;
        this.pageSize = pageSize;
    }

    void register(Javalin app, String base) {
        app.get(base + "/configurations", this::list);
        app.post(base + "/configurations", this::create);
        app.get(base + "/configurations/{id}", this::show);
        app.put(base + "/configurations/{id}", this::replace);
        app.patch(base + "/configurations/{id}", this::merge);
        app.delete(base + "/configurations/{id}", this::delete);
        app.get(base + "/configurations/{id}/instances", this::listInstances);
    }

    private void list(Context ctx) {
        Pages.Page<ConfigurationRecord> page = Pages.page(ctx,
                store.configurations.listByProject(ctx.pathParam("project")), ConfigurationRecord::id, pageSize);
        ArrayNode items = Json.MAPPER.createArrayNode();
        page.items().forEach(c -> items.add(view(c, false)));
        ObjectNode body = Json.object();
        body.set("configurations", items);
        Pages.addNextLink(ctx, body, page.nextMarker());
        ctx.json(body);
    }

    private void create(Context ctx) {
        JsonNode body = Bodies.wrapped(ctx, "configuration");
        Bodies.onlyFields(body, Set.of("name", "description", "values", "datastore"), "configuration");
        String name = Bodies.nonEmptyString(body, "name", "configuration");
        String description = description(body);
        JsonNode values = requiredValues(body);
        DatastoreVersionRecord version = instances.datastoreVersion(body.get("datastore"), "configuration['datastore']");
        Map<String, Object> checked = ConfigValues.validate(values, store.parameters.list(version.id()));
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        ConfigurationRecord c = new ConfigurationRecord(UUID.randomUUID().toString(), ctx.pathParam("project"), name,
                description, version.id(), now, now);
        store.configurations.insert(c, checked);
        ObjectNode out = Json.object();
        out.set("configuration", view(c, true));
        ctx.status(200).json(out);
    }

    private void show(Context ctx) {
        ObjectNode out = Json.object();
        out.set("configuration", view(group(ctx), true));
        ctx.json(out);
    }

    /** PUT: name and description when given; values, when given, replace all of the group's values. */
    private void replace(Context ctx) {
        ConfigurationRecord c = group(ctx);
        JsonNode body = Bodies.wrapped(ctx, "configuration");
        Bodies.onlyFields(body, Set.of("name", "description", "values"), "configuration");
        String name = body.has("name") ? Bodies.nonEmptyString(body, "name", "configuration") : null;
        String description = description(body);
        Map<String, Object> values = body.has("values")
                ? ConfigValues.validate(requiredValues(body), store.parameters.list(c.datastoreVersionId())) : null;
        List<TaskRecord> pushed = new ArrayList<>();
        store.configurations.update(c.id(), name, description, values, collecting(pushed));
        applier.announce(pushed);
        ctx.status(202).contentType("application/json");
    }

    /** PATCH: the given values are added to or replace the group's values of the same names. */
    private void merge(Context ctx) {
        ConfigurationRecord c = group(ctx);
        JsonNode body = Bodies.wrapped(ctx, "configuration");
        Bodies.onlyFields(body, Set.of("values"), "configuration");
        Map<String, Object> changes = ConfigValues.validate(requiredValues(body),
                store.parameters.list(c.datastoreVersionId()));
        List<TaskRecord> pushed = new ArrayList<>();
        store.configurations.merge(c.id(), changes, collecting(pushed));
        applier.announce(pushed);
        ctx.status(200).contentType("application/json");
    }

    private void delete(Context ctx) {
        ConfigurationRecord c = group(ctx);
        if (!store.configurations.delete(c.id())) {
            throw JtroveException.badRequest("Configuration group " + c.id() + " is attached to "
                    + store.configurations.instanceCount(c.id()) + " instance(s); detach it before deleting it.");
        }
        ctx.status(202).contentType("application/json");
    }

    private void listInstances(Context ctx) {
        ConfigurationRecord c = group(ctx);
        Pages.Page<InstanceRecord> page = Pages.page(ctx, store.configurations.instances(c.id()), InstanceRecord::id,
                pageSize);
        ArrayNode items = Json.MAPPER.createArrayNode();
        page.items().forEach(i -> items.addObject().put("id", i.id()).put("name", i.name()));
        ObjectNode body = Json.object();
        body.set("instances", items);
        Pages.addNextLink(ctx, body, page.nextMarker());
        ctx.json(body);
    }

    /**
     * The new values go to every attached instance that is not being built or deleted (a build reads them from
     * the store): one CONFIGURE task each, recorded with the change; {@code into} collects them.
     */
    private ConfigurationRepository.PushTask collecting(List<TaskRecord> into) {
        return (instance, configurationId) -> {
            TaskRecord t = applier.pushTask(instance, configurationId);
            if (t != null) {
                into.add(t);
            }
            return t;
        };
    }

    ConfigurationRecord group(Context ctx) {
        return find(ctx.pathParam("project"), ctx.pathParam("id"));
    }

    /** The project's group with this id (or href); another project's group is not found. */
    ConfigurationRecord find(String project, String idOrHref) {
        String id = idOrHref.substring(idOrHref.lastIndexOf('/') + 1);
        return store.configurations.find(project, id).orElseThrow(() -> JtroveException.notFound(
                "Resource " + id.replaceAll("\\p{Cntrl}", "?") + " cannot be found."));
    }

    private static JsonNode requiredValues(JsonNode body) {
        JsonNode values = body.get("values");
        if (values == null || values.isNull()) {
            throw JtroveException.badRequest("Validation error: configuration 'values' is a required property.");
        }
        if (!values.isObject()) {
            throw JtroveException.badRequest("Validation error: configuration['values'] must be an object.");
        }
        return values;
    }

    private static String description(JsonNode body) {
        String d = Bodies.rawString(body, "description", "configuration", false);
        if (d != null && (d.length() > 255 || d.chars().anyMatch(ch -> ch < 0x20 || ch == 0x7f))) {
            throw JtroveException.badRequest("Validation error: configuration['description'] must be at most 255"
                    + " characters without control characters.");
        }
        return d;
    }

    private ObjectNode view(ConfigurationRecord c, boolean detail) {
        DatastoreVersionRecord v = store.datastores.version(c.datastoreVersionId()).orElse(null);
        DatastoreRecord ds = v == null ? null : store.datastores.find(v.datastoreId()).orElse(null);
        ObjectNode n = Json.object();
        n.put("id", c.id()).put("name", c.name()).put("description", c.description())
                .put("created", InstanceController.time(c.created())).put("updated", InstanceController.time(c.updated()))
                .put("datastore_version_id", c.datastoreVersionId())
                .put("datastore_name", ds == null ? null : ds.name())
                .put("datastore_version_name", v == null ? null : v.name())
                .put("datastore_version_number", v == null ? null : v.version());
        if (detail) {
            n.set("values", Json.tree(store.configurations.values(c.id())));
            n.put("instance_count", store.configurations.instanceCount(c.id()));
        }
        return n;
    }
}
