package org.jtrove.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.jtrove.model.Json;
import org.jtrove.model.JtroveException;
import org.jtrove.model.guest.Managers;
import org.jtrove.store.DatastoreRecord;
import org.jtrove.store.DatastoreVersionRecord;
import org.jtrove.store.MetadataStore;

/**
 * Trove's management routes for datastores and versions (admin only; others get Trove's 401). On the local
 * compute driver a version's "image" is the directory holding the server build's binaries.
 */
final class MgmtController {
    private static final Set<String> CREATE_FIELDS = Set.of("name", "datastore_name", "datastore_manager", "active",
            "image", "image_tags", "packages", "registry_ext", "repl_strategy", "default", "version");
    private static final Set<String> PATCH_FIELDS = Set.of("name", "datastore_manager", "image", "image_tags",
            "packages", "registry_ext", "repl_strategy", "active", "default");
    private final MetadataStore store;

    MgmtController(MetadataStore store) {
        this.store = store;
    }

    void register(Javalin app, String base) {
        app.get(base + "/mgmt/datastore-versions", this::list);
        app.post(base + "/mgmt/datastore-versions", this::create);
        app.get(base + "/mgmt/datastore-versions/{id}", this::show);
        app.patch(base + "/mgmt/datastore-versions/{id}", this::patch);
        app.delete(base + "/mgmt/datastore-versions/{id}", this::delete);
        app.delete(base + "/datastores/{ds}", this::deleteDatastore);
    }

    static void requireAdmin(Context ctx) {
        if (!Auth.of(ctx).isAdmin()) {
            throw new JtroveException(401, "User does not have admin privileges.");
        }
    }

    private void list(Context ctx) {
        requireAdmin(ctx);
        ArrayNode out = Json.MAPPER.createArrayNode();
        for (DatastoreRecord ds : store.datastores.list()) {
            store.datastores.versions(ds.id()).forEach(v -> out.add(view(ds, v)));
        }
        ObjectNode body = Json.object();
        body.set("versions", out);
        ctx.json(body);
    }

    private void show(Context ctx) {
        requireAdmin(ctx);
        DatastoreVersionRecord v = version(ctx);
        ObjectNode body = Json.object();
        body.set("version", view(store.datastores.find(v.datastoreId()).orElseThrow(), v));
        ctx.json(body);
    }

    private void create(Context ctx) {
        requireAdmin(ctx);
        JsonNode v = Bodies.wrapped(ctx, "version");
        Bodies.onlyFields(v, CREATE_FIELDS, "version");
        String name = Bodies.nonEmptyString(v, "name", "version");
        String datastoreName = Bodies.nonEmptyString(v, "datastore_name", "version");
        String manager = Bodies.nonEmptyString(v, "datastore_manager", "version");
        if (!v.path("active").isBoolean()) {
            throw JtroveException.badRequest("Validation error: version['active'] must be a boolean.");
        }
        Managers.checkKnown(manager);
        if (!datastoreName.matches("[A-Za-z0-9_.-]{1,64}") || !name.matches("[A-Za-z0-9_.-]{1,64}")) {
            throw JtroveException.badRequest("Datastore and version names use letters, digits, '_', '.' and '-'.");
        }
        // Trove takes the image by id ("image") or by tags ("image_tags"); the client sends --image as a tag.
        String image;
        if (v.hasNonNull("image")) {
            image = checkImage(Bodies.nonEmptyString(v, "image", "version"));
        } else if (v.path("image_tags").isArray() && v.path("image_tags").size() > 0 && v.path("image_tags").get(0).isTextual()) {
            image = checkImage(v.path("image_tags").get(0).asText());
        } else {
            throw JtroveException.badRequest("Validation error: version needs 'image' or 'image_tags': the directory of"
                    + " the server build's binaries.");
        }
        DatastoreRecord ds = store.datastores.upsertDatastore(datastoreName, manager);
        if (store.datastores.version(ds.id(), name).isPresent()) {
            throw JtroveException.badRequest("Datastore version " + datastoreName + " " + name + " already exists.");
        }
        String number = v.hasNonNull("version") ? Bodies.nonEmptyString(v, "version", "version") : name;
        DatastoreVersionRecord created = store.datastores.upsertVersion(ds.id(), name, number, manager,
                v.get("active").asBoolean(), "manual", image, Path.of(image).getParent().toString());
        if (v.path("default").asBoolean(false) || ds.defaultVersionId() == null) {
            store.datastores.setDefaultVersion(ds.id(), created.id());
        }
        ctx.status(202).contentType("application/json");
    }

    private void patch(Context ctx) {
        requireAdmin(ctx);
        DatastoreVersionRecord v = version(ctx);
        JsonNode body = Bodies.object(ctx);
        Bodies.onlyFields(body, PATCH_FIELDS, "");
        if (body.has("active")) {
            if (!body.get("active").isBoolean()) {
                throw JtroveException.badRequest("Validation error: 'active' must be a boolean.");
            }
            store.datastores.setActive(v.id(), body.get("active").asBoolean());
        }
        if (body.has("name")) {
            String name = Bodies.nonEmptyString(body, "name", "");
            if (!name.matches("[A-Za-z0-9_.-]{1,64}")) {
                throw JtroveException.badRequest("Version names use letters, digits, '_', '.' and '-'.");
            }
            store.datastores.renameVersion(v.id(), name);
        }
        if (body.path("default").asBoolean(false)) {
            store.datastores.setDefaultVersion(v.datastoreId(), v.id());
        }
        ctx.status(202).contentType("application/json");
    }

    private void delete(Context ctx) {
        requireAdmin(ctx);
        DatastoreVersionRecord v = version(ctx);
        if (store.datastores.versionInUse(v.id())) {
            throw JtroveException.badRequest("Datastore version " + v.name() + " is used by instances and cannot be deleted;"
                    + " deactivate it instead (PATCH {\"active\": false}).");
        }
        store.datastores.deleteVersion(v.id());
        ctx.status(202).contentType("application/json");
    }

    private void deleteDatastore(Context ctx) {
        requireAdmin(ctx);
        DatastoreRecord ds = store.datastores.find(ctx.pathParam("ds")).orElseThrow(
                () -> JtroveException.notFound("Datastore '" + ctx.pathParam("ds") + "' cannot be found."));
        if (!store.datastores.versions(ds.id()).isEmpty()) {
            throw JtroveException.badRequest("Datastore " + ds.name() + " has versions; delete them first.");
        }
        store.datastores.deleteDatastore(ds.id());
        ctx.status(202).contentType("application/json");
    }

    private DatastoreVersionRecord version(Context ctx) {
        return store.datastores.version(ctx.pathParam("id")).orElseThrow(
                () -> JtroveException.notFound("Datastore version " + ctx.pathParam("id").replaceAll("\\p{Cntrl}", "?")
                        + " cannot be found."));
    }

    /** The local driver's image: an absolute directory of server binaries. */
    private static String checkImage(String image) {
        if (!image.startsWith("/") || image.contains("..") || !Files.isDirectory(Path.of(image))) {
            throw JtroveException.badRequest("Image '" + image.replaceAll("\\p{Cntrl}", "?") + "' is not a directory of"
                    + " server binaries on this host (e.g. /usr/lib/postgresql/15/bin).");
        }
        return image;
    }

    private static ObjectNode view(DatastoreRecord ds, DatastoreVersionRecord v) {
        ObjectNode n = Json.object();
        n.put("id", v.id()).put("name", v.name()).put("version", v.version()).put("datastore_id", ds.id())
                .put("datastore_name", ds.name()).put("datastore_manager", v.manager()).put("image", v.binDir());
        n.putArray("image_tags").add("");
        n.putArray("packages").add("");
        n.put("active", v.active()).put("registry_ext", (String) null).put("repl_strategy", (String) null)
                .put("default", v.id().equals(ds.defaultVersionId()));
        return n;
    }
}
