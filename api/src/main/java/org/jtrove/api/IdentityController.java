package org.jtrove.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.time.Instant;
import org.jtrove.identity.BuiltinIdentity;
import org.jtrove.model.AuthContext;
import org.jtrove.model.Json;
import org.jtrove.model.JtroveException;

/**
 * Keystone v3 compatible identity on the API port: version discovery, password authentication with project
 * scope (token in X-Subject-Token, a catalog whose "database" service is this jtrove), validation and revocation.
 */
final class IdentityController {
    private final BuiltinIdentity identity;
    private final ApiSettings settings;

    IdentityController(BuiltinIdentity identity, ApiSettings settings) {
        this.identity = identity;
        this.settings = settings;
    }

    void register(Javalin app) {
        app.get("/v3", this::version);
        app.post("/v3/auth/tokens", this::issue);
        app.get("/v3/auth/tokens", this::check);
        app.head("/v3/auth/tokens", this::check);
        app.delete("/v3/auth/tokens", this::revoke);
        app.get("/v3/projects", this::listProjects);
        app.get("/v3/projects/{id}", this::showProject);
    }

    /** Projects the caller may see: all for an admin, else its own. */
    private java.util.List<org.jtrove.store.IdentityRepository.Project> visibleProjects(Context ctx) {
        AuthContext caller = identity.validate(ctx.header("X-Auth-Token")).orElseThrow(
                () -> new KeystoneError(401, "Unauthorized", "The request you have made requires authentication."));
        return identity.projects().stream().filter(p -> caller.isAdmin() || p.id().equals(caller.projectId())).toList();
    }

    private void listProjects(Context ctx) {
        String name = ctx.queryParam("name");
        ArrayNode out = Json.MAPPER.createArrayNode();
        visibleProjects(ctx).stream().filter(p -> name == null || p.name().equals(name))
                .forEach(p -> out.add(projectView(ctx, p)));
        ObjectNode body = Json.object();
        body.set("projects", out);
        body.putObject("links").put("self", baseUrl(ctx) + "/v3/projects").putNull("next").putNull("previous");
        ctx.json(body);
    }

    private void showProject(Context ctx) {
        String id = ctx.pathParam("id");
        var project = visibleProjects(ctx).stream().filter(p -> p.id().equals(id)).findFirst()
                .orElseThrow(() -> new KeystoneError(404, "Not Found", "Could not find project: " + id.replaceAll("\\p{Cntrl}", "?") + "."));
        ObjectNode body = Json.object();
        body.set("project", projectView(ctx, project));
        ctx.json(body);
    }

    private ObjectNode projectView(Context ctx, org.jtrove.store.IdentityRepository.Project p) {
        ObjectNode n = Json.object();
        n.put("id", p.id()).put("name", p.name()).put("domain_id", "default").put("enabled", p.enabled())
                .put("is_domain", false).put("parent_id", "default").put("description", "");
        n.putArray("tags");
        n.putObject("links").put("self", baseUrl(ctx) + "/v3/projects/" + p.id());
        return n;
    }

    private void version(Context ctx) {
        ObjectNode v = Json.object();
        ObjectNode version = v.putObject("version");
        version.put("id", "v3.14").put("status", "stable").put("updated", "2020-04-07T00:00:00Z");
        version.putArray("links").addObject().put("rel", "self").put("href", baseUrl(ctx) + "/v3/");
        version.putArray("media-types").addObject().put("base", "application/json")
                .put("type", "application/vnd.openstack.identity-v3+json");
        ctx.json(v);
    }

    private void issue(Context ctx) {
        JsonNode body;
        try {
            body = Bodies.parseStrict(ctx.body());
        } catch (JtroveException e) {
            throw new KeystoneError(400, "Bad Request", e.getMessage());
        }
        JsonNode identityNode = body == null ? null : body.path("auth").path("identity");
        if (identityNode == null || !identityNode.path("methods").isArray()) {
            throw new KeystoneError(400, "Bad Request", "auth.identity.methods is required.");
        }
        boolean password = false;
        for (JsonNode m : identityNode.path("methods")) {
            password |= "password".equals(m.asText());
        }
        JsonNode user = identityNode.path("password").path("user");
        if (!password || !user.isObject() || !user.path("password").isTextual()) {
            throw new KeystoneError(400, "Bad Request", "Only the password method is supported: give auth.identity.password.user.");
        }
        String userRef = user.hasNonNull("name") ? user.path("name").asText() : user.path("id").asText();
        JsonNode project = body.path("auth").path("scope").path("project");
        if (!project.isObject()) {
            throw new KeystoneError(401, "Unauthorized", "A project scope is required (auth.scope.project).");
        }
        String projectRef = project.hasNonNull("name") ? project.path("name").asText() : project.path("id").asText();
        BuiltinIdentity.Issued issued;
        try {
            issued = identity.authenticate(userRef, user.path("password").asText(), projectRef);
        } catch (BuiltinIdentity.AuthenticationFailed e) {
            throw new KeystoneError(401, "Unauthorized", e.getMessage());
        }
        ctx.header("X-Subject-Token", issued.token());
        ctx.status(201).json(tokenBody(ctx, issued.context(), issued.issuedAt()));
    }

    private void check(Context ctx) {
        ctx.json(tokenBody(ctx, subject(ctx), null));
    }

    private void revoke(Context ctx) {
        subject(ctx);
        identity.revoke(ctx.header("X-Subject-Token"));
        ctx.status(204);
    }

    /** The token named by X-Subject-Token, which the caller (X-Auth-Token) must own or be an admin to see. */
    private AuthContext subject(Context ctx) {
        AuthContext caller = identity.validate(ctx.header("X-Auth-Token")).orElseThrow(
                () -> new KeystoneError(401, "Unauthorized", "The request you have made requires authentication."));
        AuthContext subject = identity.validate(ctx.header("X-Subject-Token")).orElseThrow(
                () -> new KeystoneError(404, "Not Found", "Could not find token."));
        if (!caller.isAdmin() && !caller.userId().equals(subject.userId())) {
            throw new KeystoneError(403, "Forbidden", "You are not authorized to perform the requested action.");
        }
        return subject;
    }

    private ObjectNode tokenBody(Context ctx, AuthContext auth, Instant issuedAt) {
        ObjectNode body = Json.object();
        ObjectNode token = body.putObject("token");
        token.putArray("methods").add("password");
        token.put("expires_at", auth.expiresAt().toString().replace("Z", ".000000Z"));
        token.put("issued_at", (issuedAt != null ? issuedAt : Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS))
                .toString().replace("Z", ".000000Z"));
        token.putArray("audit_ids").add(auth.userId().substring(0, Math.min(22, auth.userId().length())));
        ObjectNode user = token.putObject("user");
        user.put("id", auth.userId()).put("name", auth.userName()).put("password_expires_at", (String) null);
        domain(user);
        ObjectNode project = token.putObject("project");
        project.put("id", auth.projectId()).put("name", auth.projectName());
        domain(project);
        token.put("is_domain", false);
        ArrayNode roles = token.putArray("roles");
        auth.roles().forEach(r -> roles.addObject().put("id", r).put("name", r));
        ArrayNode catalog = token.putArray("catalog");
        ObjectNode database = catalog.addObject();
        database.put("type", "database").put("name", "trove").put("id", "jtrove-database");
        ArrayNode endpoints = database.putArray("endpoints");
        ObjectNode identityService = catalog.addObject();
        identityService.put("type", "identity").put("name", "keystone").put("id", "jtrove-identity");
        ArrayNode identityEndpoints = identityService.putArray("endpoints");
        for (String iface : new String[] {"public", "internal", "admin"}) {
            endpoints.addObject().put("id", "database-" + iface).put("interface", iface)
                    .put("region", settings.region()).put("region_id", settings.region())
                    .put("url", baseUrl(ctx) + "/v1.0/" + auth.projectId());
            identityEndpoints.addObject().put("id", "identity-" + iface).put("interface", iface)
                    .put("region", settings.region()).put("region_id", settings.region())
                    .put("url", baseUrl(ctx) + "/v3");
        }
        return body;
    }

    private static void domain(ObjectNode owner) {
        owner.putObject("domain").put("id", "default").put("name", "Default");
    }

    private String baseUrl(Context ctx) {
        if (settings.publicEndpoint() != null && !settings.publicEndpoint().isBlank()) {
            return settings.publicEndpoint().replaceAll("/+$", "");
        }
        return ctx.scheme() + "://" + ctx.host();
    }

    /** An error in Keystone's format: {"error": {"code", "title", "message"}}. */
    static final class KeystoneError extends RuntimeException {
        final int status;
        final String title;

        KeystoneError(int status, String title, String message) {
            super(message);
            this.status = status;
            this.title = title;
        }

        ObjectNode body() {
            ObjectNode b = Json.object();
            b.putObject("error").put("code", status).put("title", title).put("message", getMessage());
            return b;
        }
    }
}
