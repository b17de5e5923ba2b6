package org.jtrove.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.util.List;
import org.jtrove.model.Json;
import org.jtrove.model.JtroveException;
import org.jtrove.store.DatastoreRecord;
import org.jtrove.store.DatastoreVersionRecord;
import org.jtrove.store.FlavorRecord;
import org.jtrove.store.MetadataStore;

/** Datastores, their versions and flavors: read-only for users; operators register them with jtrove manage. */
final class DatastoreController {
    private final MetadataStore store;

    DatastoreController(MetadataStore store) {
        this.store = store;
    }

    void register(Javalin app, String base) {
        app.get(base + "/datastores", this::list);
        app.get(base + "/datastores/versions/{version}", this::showVersionById);
        app.get(base + "/datastores/{ds}", this::show);
        app.get(base + "/datastores/{ds}/versions", this::listVersions);
        app.get(base + "/datastores/{ds}/versions/{version}", this::showVersion);
        app.get(base + "/datastores/{ds}/versions/{version}/flavors", this::listFlavors);
        app.get(base + "/flavors", this::listFlavors);
        app.get(base + "/flavors/{id}", this::showFlavor);
    }

    private void list(Context ctx) {
        ArrayNode out = Json.MAPPER.createArrayNode();
        for (DatastoreRecord ds : store.datastores.list()) {
            if (!visibleVersions(ctx, ds).isEmpty()) {
                out.add(datastoreView(ctx, ds));
            }
        }
        ObjectNode body = Json.object();
        body.set("datastores", out);
        ctx.json(body);
    }

    private void show(Context ctx) {
        ObjectNode body = Json.object();
        body.set("datastore", datastoreView(ctx, datastore(ctx.pathParam("ds"))));
        ctx.json(body);
    }

    private void listVersions(Context ctx) {
        DatastoreRecord ds = datastore(ctx.pathParam("ds"));
        ArrayNode out = Json.MAPPER.createArrayNode();
        visibleVersions(ctx, ds).forEach(v -> out.add(versionView(ctx, v, true)));
        ObjectNode body = Json.object();
        body.set("versions", out);
        ctx.json(body);
    }

    private void showVersion(Context ctx) {
        DatastoreRecord ds = datastore(ctx.pathParam("ds"));
        DatastoreVersionRecord v = store.datastores.version(ds.id(), ctx.pathParam("version")).filter(
                version -> version.active() || Auth.of(ctx).isAdmin()).orElseThrow(() -> JtroveException.notFound(
                "Datastore version '" + ctx.pathParam("version") + "' cannot be found."));
        ObjectNode body = Json.object();
        body.set("version", versionView(ctx, v, true));
        ctx.json(body);
    }

    private void showVersionById(Context ctx) {
        DatastoreVersionRecord v = store.datastores.version(ctx.pathParam("version")).filter(
                version -> version.active() || Auth.of(ctx).isAdmin()).orElseThrow(() -> JtroveException.notFound(
                "Datastore version '" + ctx.pathParam("version") + "' cannot be found."));
        ObjectNode body = Json.object();
        body.set("version", versionView(ctx, v, true));
        ctx.json(body);
    }

    private void listFlavors(Context ctx) {
        ArrayNode out = Json.MAPPER.createArrayNode();
        store.flavors.list().forEach(f -> out.add(flavorView(ctx, f)));
        ObjectNode body = Json.object();
        body.set("flavors", out);
        ctx.json(body);
    }

    private void showFlavor(Context ctx) {
        FlavorRecord f = store.flavors.find(ctx.pathParam("id")).orElseThrow(
                () -> JtroveException.notFound("Resource " + ctx.pathParam("id") + " cannot be found."));
        ObjectNode body = Json.object();
        body.set("flavor", flavorView(ctx, f));
        ctx.json(body);
    }

    private DatastoreRecord datastore(String idOrName) {
        return store.datastores.find(idOrName).orElseThrow(
                () -> JtroveException.notFound("Datastore '" + idOrName + "' cannot be found."));
    }

    /** Users see active versions; admins see all, as in Trove. */
    private List<DatastoreVersionRecord> visibleVersions(Context ctx, DatastoreRecord ds) {
        boolean admin = Auth.of(ctx).isAdmin();
        return store.datastores.versions(ds.id()).stream().filter(v -> admin || v.active()).toList();
    }

    private ObjectNode datastoreView(Context ctx, DatastoreRecord ds) {
        ObjectNode n = Json.object();
        n.put("id", ds.id()).put("name", ds.name());
        n.set("links", Links.of(ctx, project(ctx), "datastores", ds.id()));
        ArrayNode versions = n.putArray("versions");
        List<DatastoreVersionRecord> active = visibleVersions(ctx, ds);
        active.forEach(v -> versions.add(versionView(ctx, v, false)));
        if (ds.defaultVersionId() != null && active.stream().anyMatch(v -> v.id().equals(ds.defaultVersionId()))) {
            n.put("default_version", ds.defaultVersionId());
        }
        return n;
    }

    private ObjectNode versionView(Context ctx, DatastoreVersionRecord v, boolean withDatastore) {
        ObjectNode n = Json.object();
        n.put("id", v.id()).put("name", v.name()).put("version", v.version());
        n.set("links", Links.of(ctx, project(ctx), "datastores/versions", v.id()));
        if (withDatastore) {
            n.put("datastore", v.datastoreId());
        }
        return n;
    }

    static ObjectNode flavorView(Context ctx, FlavorRecord f) {
        ObjectNode n = Json.object();
        if (f.id().matches("[1-9][0-9]{0,8}")) {
            n.put("id", Integer.parseInt(f.id()));
        } else {
            n.putNull("id");
        }
        n.put("str_id", f.id()).put("name", f.name()).put("ram", f.ram()).put("vcpus", f.vcpus())
                .put("disk", f.disk()).put("ephemeral", f.ephemeral());
        n.set("links", Links.of(ctx, project(ctx), "flavors", f.id()));
        return n;
    }

    private static String project(Context ctx) {
        return ctx.pathParam("project");
    }
}
