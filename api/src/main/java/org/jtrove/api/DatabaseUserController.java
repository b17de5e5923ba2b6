package org.jtrove.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.jtrove.bus.GuestApi;
import org.jtrove.bus.MessageBus;
import org.jtrove.model.InstanceTask;
import org.jtrove.model.Json;
import org.jtrove.model.JtroveException;
import org.jtrove.model.guest.CharacterSets;
import org.jtrove.model.guest.DatabaseSpec;
import org.jtrove.model.guest.Managers;
import org.jtrove.model.guest.NameRules;
import org.jtrove.model.guest.RootUser;
import org.jtrove.model.guest.UserAttributes;
import org.jtrove.model.guest.UserSpec;
import org.jtrove.store.InstanceRecord;
import org.jtrove.store.MetadataStore;

/**
 * Databases, users, grants and root of one instance. Each request is checked here, then done on the real
 * server by the instance's guest agent, whose errors come back with their status.
 */
final class DatabaseUserController {
    private final MetadataStore store;
    private final GuestApi guests;
    private final InstanceController instances;
    private final int pageSize;

    DatabaseUserController(MetadataStore store, MessageBus bus, InstanceController instances, int pageSize) {
        this.pageSize = pageSize;
        this.store = store;
        this.guests = new GuestApi(bus);
        this.instances = instances;
    }

    void register(Javalin app, String base) {
        String inst = base + "/instances/{id}";
        app.get(inst + "/databases", this::listDatabases);
        app.post(inst + "/databases", this::createDatabases);
        app.delete(inst + "/databases/{name}", this::deleteDatabase);
        app.get(inst + "/users", this::listUsers);
        app.post(inst + "/users", this::createUsers);
        app.put(inst + "/users", this::changePasswords);
        app.get(inst + "/users/{user}", this::showUser);
        app.put(inst + "/users/{user}", this::updateUser);
        app.delete(inst + "/users/{user}", this::deleteUser);
        app.get(inst + "/users/{user}/databases", this::listAccess);
        app.put(inst + "/users/{user}/databases", this::grant);
        app.delete(inst + "/users/{user}/databases/{db}", this::revoke);
        app.get(inst + "/root", this::rootShow);
        app.post(inst + "/root", this::rootEnable);
        app.delete(inst + "/root", this::rootDisable);
    }

    // ---- databases -------------------------------------------------------------------------------------------

    private void listDatabases(Context ctx) {
        Target t = target(ctx, "list_databases");
        List<String> names = guests.listDatabases(t.instance.id());
        Pages.Page<String> page = Pages.page(ctx, names, n -> n, pageSize);
        ArrayNode out = Json.MAPPER.createArrayNode();
        page.items().forEach(n -> out.addObject().put("name", n));
        ObjectNode body = Json.object();
        body.set("databases", out);
        Pages.addNextLink(ctx, body, page.nextMarker());
        ctx.json(body);
    }

    private void createDatabases(Context ctx) {
        JsonNode body = Bodies.object(ctx);
        Target t = target(ctx, "create_database");
        List<DatabaseSpec> dbs = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        JsonNode items = Bodies.array(body, "databases", "", true);
        if (items.isEmpty()) {
            throw JtroveException.badRequest("Validation error: 'databases' must list at least one database.");
        }
        CharacterSets charsets = store.charsets.find(t.instance.datastoreVersionId());
        for (JsonNode item : items) {
            DatabaseSpec db = databaseSpec(item, t.rules, charsets, t.manager, "databases");
            if (!seen.add(db.name())) {
                throw JtroveException.badRequest("Database name '" + db.name() + "' appears more than once.");
            }
            dbs.add(db);
        }
        guests.createDatabases(t.instance.id(), dbs);
        accepted(ctx);
    }

    private void deleteDatabase(Context ctx) {
        Target t = target(ctx, "delete_database");
        String name = t.rules.databaseRef(ctx.pathParam("name"));
        guests.deleteDatabase(t.instance.id(), name);
        accepted(ctx);
    }

    // ---- users -----------------------------------------------------------------------------------------------

    private void listUsers(Context ctx) {
        Target t = target(ctx, "list_users");
        List<JsonNode> users = guests.listUsers(t.instance.id());
        Pages.Page<JsonNode> page = Pages.page(ctx, users,
                u -> u.path("name").asText() + "@" + u.path("host").asText("%"), pageSize);
        ArrayNode out = Json.MAPPER.createArrayNode();
        page.items().forEach(u -> out.add(userView(u)));
        ObjectNode body = Json.object();
        body.set("users", out);
        Pages.addNextLink(ctx, body, page.nextMarker());
        ctx.json(body);
    }

    private void createUsers(Context ctx) {
        JsonNode body = Bodies.object(ctx);
        Target t = target(ctx, "create_user");
        List<UserSpec> users = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        JsonNode items = Bodies.array(body, "users", "", true);
        if (items.isEmpty()) {
            throw JtroveException.badRequest("Validation error: 'users' must list at least one user.");
        }
        for (JsonNode item : items) {
            UserSpec u = userSpec(item, t.rules, "users");
            if (!seen.add(u.name() + "@" + u.host())) {
                throw JtroveException.badRequest("User '" + u.name() + "' appears more than once.");
            }
            users.add(u);
        }
        guests.createUsers(t.instance.id(), users);
        accepted(ctx);
    }

    /** Trove's change_passwords: every user listed must exist, and every password changes or none does. */
    private void changePasswords(Context ctx) {
        JsonNode body = Bodies.object(ctx);
        Target t = target(ctx, "change_passwords");
        List<UserSpec> changes = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (JsonNode item : Bodies.array(body, "users", "", true)) {
            Bodies.objectItem(item, "users[]");
            Bodies.onlyFields(item, Set.of("name", "password", "host", "databases"), "users[]");
            String name = t.rules.userRef(Bodies.nonEmptyString(item, "name", "users[]"));
            String host = t.rules.hostRef(Bodies.optionalString(item, "host", "users[]"));
            String password = Bodies.rawString(item, "password", "users[]", true);
            t.rules.password(password);
            if (!seen.add(name + "@" + host)) {
                throw JtroveException.badRequest("User '" + name + "@" + host + "' appears more than once.");
            }
            changes.add(new UserSpec(name, host, password, List.of()));
        }
        if (changes.isEmpty()) {
            throw JtroveException.badRequest("Validation error: 'users' must list at least one user.");
        }
        guests.changePasswords(t.instance.id(), changes);
        accepted(ctx);
    }

    private void showUser(Context ctx) {
        Target t = target(ctx, "get_user");
        NameRules.UserRef id = t.rules.userId(ctx.pathParam("user"));
        ObjectNode body = Json.object();
        body.set("user", userView(guests.getUser(t.instance.id(), id.name(), id.host())));
        ctx.json(body);
    }

    private void updateUser(Context ctx) {
        JsonNode user = Bodies.wrapped(ctx, "user");
        Target t = target(ctx, "update_attributes");
        NameRules.UserRef id = t.rules.userId(ctx.pathParam("user"));
        Bodies.onlyFields(user, Set.of("name", "password", "host"), "user");
        if (user.isEmpty()) {
            throw JtroveException.badRequest("Validation error: 'user' needs at least one of name, password, host.");
        }
        String newName = user.has("name") ? t.rules.checkUser(Bodies.nonEmptyString(user, "name", "user")) : null;
        String newHost = user.has("host") ? t.rules.checkHost(Bodies.rawString(user, "host", "user", true)) : null;
        String password = user.has("password") ? Bodies.rawString(user, "password", "user", true) : null;
        if (password != null) {
            t.rules.password(password);
        }
        guests.updateUser(t.instance.id(), id.name(), id.host(), new UserAttributes(newName, newHost, password));
        accepted(ctx);
    }

    private void deleteUser(Context ctx) {
        Target t = target(ctx, "delete_user");
        NameRules.UserRef id = t.rules.userId(ctx.pathParam("user"));
        guests.deleteUser(t.instance.id(), id.name(), id.host());
        accepted(ctx);
    }

    private void listAccess(Context ctx) {
        Target t = target(ctx, "list_access");
        NameRules.UserRef id = t.rules.userId(ctx.pathParam("user"));
        ArrayNode out = Json.MAPPER.createArrayNode();
        guests.listAccess(t.instance.id(), id.name(), id.host()).forEach(d -> out.addObject().put("name", d));
        ObjectNode body = Json.object();
        body.set("databases", out);
        ctx.json(body);
    }

    private void grant(Context ctx) {
        JsonNode body = Bodies.object(ctx);
        Target t = target(ctx, "grant_access");
        NameRules.UserRef id = t.rules.userId(ctx.pathParam("user"));
        List<String> dbs = new ArrayList<>();
        for (JsonNode item : Bodies.array(body, "databases", "", true)) {
            Bodies.objectItem(item, "databases[]");
            dbs.add(t.rules.databaseRef(Bodies.nonEmptyString(item, "name", "databases[]")));
        }
        guests.grantAccess(t.instance.id(), id.name(), id.host(), dbs);
        accepted(ctx);
    }

    private void revoke(Context ctx) {
        Target t = target(ctx, "revoke_access");
        NameRules.UserRef id = t.rules.userId(ctx.pathParam("user"));
        String db = t.rules.databaseRef(ctx.pathParam("db"));
        guests.revokeAccess(t.instance.id(), id.name(), id.host(), db);
        accepted(ctx);
    }

    // ---- root ------------------------------------------------------------------------------------------------

    private void rootShow(Context ctx) {
        Target t = target(ctx, null);
        ObjectNode body = Json.object();
        body.put("rootEnabled", guests.isRootEnabled(t.instance.id()));
        ctx.json(body);
    }

    private void rootEnable(Context ctx) {
        String password = null;
        if (!ctx.body().isBlank()) {
            password = Bodies.rawString(Bodies.object(ctx), "password", "", false);
        }
        Target t = target(ctx, null);
        if (password != null) {
            String chosen = password;
            NameRules.find(t.manager).ifPresentOrElse(r -> r.password(chosen), () -> NameRules.checkPassword(chosen));
        }
        RootUser user = guests.enableRoot(t.instance.id(), password);
        ObjectNode body = Json.object();
        body.putObject("user").put("name", user.name()).put("password", user.password());
        ctx.status(200).json(body);
    }

    private void rootDisable(Context ctx) {
        Target t = target(ctx, null);
        if (!guests.isRootEnabled(t.instance.id())) {
            throw JtroveException.notFound("The root user of instance " + t.instance.id() + " is not enabled.");
        }
        guests.disableRoot(t.instance.id());
        ctx.status(204).contentType("application/json");
    }

    // ---- shared ----------------------------------------------------------------------------------------------

    /**
     * A database of a request: its name by the datastore's rules, its character set and collation among those the
     * datastore version's build offers ({@code charsets}, read at registration).
     */
    static DatabaseSpec databaseSpec(JsonNode item, NameRules rules, CharacterSets charsets, String manager, String path) {
        Bodies.objectItem(item, path + "[]");
        Bodies.onlyFields(item, Set.of("name", "character_set", "collate"), path + "[]");
        String name = rules.checkDatabase(Bodies.nonEmptyString(item, "name", path + "[]"));
        String charset = Bodies.rawString(item, "character_set", path, false);
        String collate = Bodies.rawString(item, "collate", path, false);
        return charsets.check(manager, new DatabaseSpec(name, charset, collate));
    }

    static UserSpec userSpec(JsonNode item, NameRules rules, String path) {
        Bodies.objectItem(item, path + "[]");
        Bodies.onlyFields(item, Set.of("name", "password", "host", "databases"), path + "[]");
        String name = rules.checkUser(Bodies.nonEmptyString(item, "name", path + "[]"));
        String password = Bodies.rawString(item, "password", path + "[]", true);
        rules.password(password);
        String host = rules.checkHost(Bodies.rawString(item, "host", path + "[]", false));
        List<String> dbs = new ArrayList<>();
        for (JsonNode db : Bodies.array(item, "databases", path + "[]", false)) {
            Bodies.objectItem(db, path + "[]['databases'][]");
            dbs.add(rules.databaseRef(Bodies.nonEmptyString(db, "name", path + "[]['databases'][]")));
        }
        return new UserSpec(name, host, password, dbs);
    }

    private static ObjectNode userView(JsonNode u) {
        ObjectNode n = Json.object();
        n.put("name", u.path("name").asText()).put("host", u.path("host").asText("%"));
        ArrayNode dbs = n.putArray("databases");
        u.path("databases").forEach(d -> dbs.addObject().put("name", d.asText()));
        return n;
    }

    private static void accepted(Context ctx) {
        ctx.status(202).contentType("application/json");
    }

    /**
     * The instance of the path, ready for {@code operation}: a database or user operation on a datastore without
     * them is refused here, before the guest is asked (null: root, which every datastore has).
     */
    private Target target(Context ctx, String operation) {
        InstanceRecord i = instances.instance(ctx);
        String manager = store.datastores.version(i.datastoreVersionId()).orElseThrow().manager();
        NameRules rules = operation == null ? null : NameRules.find(manager)
                .orElseThrow(() -> Managers.operationNotSupported(operation, manager));
        if (i.task() != InstanceTask.NONE) {
            throw InstanceController.busy(i, "task", i.task().name());
        }
        return new Target(i, manager, rules);
    }

    private final class Target {
        final InstanceRecord instance;
        final String manager;
        final NameRules rules;

        Target(InstanceRecord instance, String manager, NameRules rules) {
            this.instance = instance;
            this.manager = manager;
            this.rules = rules;
        }
    }
}
