package org.jtrove.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.math.BigDecimal;
import org.jtrove.model.Json;
import org.jtrove.model.JtroveException;
import org.jtrove.model.config.ConfigParameter;
import org.jtrove.store.DatastoreRecord;
import org.jtrove.store.DatastoreVersionRecord;
import org.jtrove.store.MetadataStore;

/** The configuration parameters of a datastore version, read from the metadata store's catalogue. */
final class ParameterController {
    private final MetadataStore store;

    ParameterController(MetadataStore store) {
        this.store = store;
    }

    void register(Javalin app, String base) {
        app.get(base + "/datastores/versions/{version}/parameters", ctx -> list(ctx, versionById(ctx)));
        app.get(base + "/datastores/versions/{version}/parameters/{name}", ctx -> show(ctx, versionById(ctx)));
        app.get(base + "/datastores/{ds}/versions/{version}/parameters", ctx -> list(ctx, version(ctx)));
        app.get(base + "/datastores/{ds}/versions/{version}/parameters/{name}", ctx -> show(ctx, version(ctx)));
    }

    private void list(Context ctx, DatastoreVersionRecord v) {
        ArrayNode out = Json.MAPPER.createArrayNode();
        store.parameters.list(v.id()).forEach(p -> out.add(view(v, p)));
        ObjectNode body = Json.object();
        body.set("configuration-parameters", out);
        ctx.json(body);
    }

    /** Trove answers a single parameter bare, without a wrapper. */
    private void show(Context ctx, DatastoreVersionRecord v) {
        String name = ctx.pathParam("name");
        ConfigParameter p = store.parameters.find(v.id(), name).orElseThrow(() -> JtroveException.notFound(
                "Configuration parameter " + name.replaceAll("\\p{Cntrl}", "?") + " cannot be found."));
        ctx.json(view(v, p));
    }

    /** Trove's view: min and max only when set and non-zero. */
    static ObjectNode view(DatastoreVersionRecord v, ConfigParameter p) {
        ObjectNode n = Json.object();
        n.put("name", p.name()).put("datastore_version_id", v.id()).put("restart_required", p.restartRequired())
                .put("type", p.type());
        putBound(n, "max", p);
        putBound(n, "min", p);
        return n;
    }

    private static void putBound(ObjectNode n, String field, ConfigParameter p) {
        BigDecimal b = "max".equals(field) ? p.max() : p.min();
        if (b == null || b.signum() == 0) {
            return;
        }
        if ("integer".equals(p.type())) {
            n.put(field, b.longValueExact());
        } else {
            n.put(field, b.doubleValue());
        }
    }

    private DatastoreVersionRecord versionById(Context ctx) {
        return visible(ctx, store.datastores.version(ctx.pathParam("version")));
    }

    private DatastoreVersionRecord version(Context ctx) {
        DatastoreRecord ds = store.datastores.find(ctx.pathParam("ds")).orElseThrow(() -> JtroveException.notFound(
                "Datastore '" + ctx.pathParam("ds").replaceAll("\\p{Cntrl}", "?") + "' cannot be found."));
        return visible(ctx, store.datastores.version(ds.id(), ctx.pathParam("version")));
    }

    private static DatastoreVersionRecord visible(Context ctx, java.util.Optional<DatastoreVersionRecord> v) {
        return v.filter(version -> version.active() || Auth.of(ctx).isAdmin()).orElseThrow(() -> JtroveException.notFound(
                "Datastore version '" + ctx.pathParam("version").replaceAll("\\p{Cntrl}", "?") + "' cannot be found."));
    }
}
