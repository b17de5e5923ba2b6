package org.jtrove.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.json.JavalinJackson;
import org.eclipse.jetty.http.UriCompliance;
import java.util.UUID;
import org.jtrove.bus.MessageBus;
import org.jtrove.bus.RequestIds;
import org.jtrove.identity.BuiltinIdentity;
import org.jtrove.identity.TokenValidator;
import org.jtrove.model.Json;
import org.jtrove.model.JtroveException;
import org.jtrove.model.RepeatedFailures;
import org.jtrove.store.MetadataStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The Trove v1.0 REST API. Until identity arrives (no-auth mode) the project id in the URL is trusted and
 * scopes every query.
 */
public final class ApiServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ApiServer.class);
    private static final String BASE = "/v1.0/{project}";
    private final Javalin app;
    private final ApiSettings settings;
    private final RepeatedFailures failures = new RepeatedFailures(LOG, java.time.Duration.ofMinutes(5));

    /**
     * @param validator checks X-Auth-Token on every /v1.0 request; null means no-auth mode
     * @param builtinIdentity served on /v3 when jtrove is its own identity service; may be null
     */
    public ApiServer(MetadataStore store, MessageBus bus, ApiSettings settings, TokenValidator validator,
                     BuiltinIdentity builtinIdentity) {
        this.settings = settings;
        this.app = Javalin.create(cfg -> {
            cfg.showJavalinBanner = false;
            cfg.http.maxRequestSize = settings.maxBodyBytes();
            cfg.jsonMapper(new JavalinJackson(Json.MAPPER, false));
            cfg.router.ignoreTrailingSlashes = true;
            cfg.router.treatMultipleSlashesAsSingleSlash = true;
            cfg.jetty.modifyServer(server -> {
                server.setErrorHandler(new JsonErrorHandler());
                server.setRequestLog(new AccessLog());
            });
            // A user host may be an IP network ("netuser@10.0.0.0%2F255.255.255.0"): an encoded slash stays inside
            // its path segment (routes match the raw path), while dot segments and the like are still refused.
            cfg.jetty.modifyHttpConfiguration(http -> http.setUriCompliance(
                    UriCompliance.DEFAULT.with("jtrove", UriCompliance.Violation.AMBIGUOUS_PATH_SEPARATOR)));
            if (settings.tls()) {
                // With a connector of our own, Javalin adds no plain HTTP one: the API is HTTPS only.
                cfg.jetty.addConnector((server, http) -> Tls.connector(server, http, settings.bindHost(), settings.port(),
                        java.nio.file.Path.of(settings.tlsCertFile()), java.nio.file.Path.of(settings.tlsKeyFile())));
            }
        });
        app.before(ctx -> {
            AccessLog.assignRequestId(ctx.req(), ctx.res());
            // logged with every line of this request, and sent along with every bus message it causes
            MDC.put(RequestIds.MDC_KEY, (String) ctx.req().getAttribute(AccessLog.REQUEST_ID));
            ctx.contentType("application/json");
        });
        app.after(ctx -> MDC.remove(RequestIds.MDC_KEY));
        Auth auth = new Auth(validator);
        RateLimiter rateLimiter = new RateLimiter(settings.rateLimitPerMinute());
        Quotas quotas = new Quotas(store, settings.defaultQuotas());
        // An answer to a change means it is on disk: the embedded store syncs here (server databases sync at commit).
        app.after(ctx -> {
            if (!"GET".equals(ctx.method().name()) && !"HEAD".equals(ctx.method().name()) && ctx.statusCode() < 500) {
                store.syncDurably();
            }
        });
        app.before(BASE + "/*", ctx -> {
            checkProject(ctx);
            auth.check(ctx);
            rateLimiter.check(ctx, Auth.of(ctx).projectId());
        });
        app.exception(RateLimiter.RateLimited.class, (e, ctx) ->
                ctx.status(413).contentType("application/json").result(e.body));
        if (builtinIdentity != null) {
            new IdentityController(builtinIdentity, settings).register(app);
        }
        app.exception(IdentityController.KeystoneError.class, (e, ctx) ->
                ctx.status(e.status).contentType("application/json").result(Json.write(e.body())));
        app.get("/", this::versions);
        app.get("/v1.0", this::version);
        ConfigurationApplier configurationApplier = new ConfigurationApplier(store, new org.jtrove.bus.TaskmanagerApi(bus));
        InstanceController instances = new InstanceController(store, bus, settings, quotas, configurationApplier);
        new LimitsController(store, quotas, rateLimiter).register(app, BASE);
        new MgmtController(store).register(app, BASE);
        new DatastoreController(store).register(app, BASE);
        new ParameterController(store).register(app, BASE);
        instances.register(app, BASE);
        new DatabaseUserController(store, bus, instances, settings.pageSize()).register(app, BASE);
        new MgmtInstanceController(store, bus, instances, settings.pageSize()).register(app, BASE);
        new BackupController(store, new org.jtrove.bus.TaskmanagerApi(bus), instances, quotas, settings.pageSize())
                .register(app, BASE);
        new ConfigurationController(store, instances, configurationApplier, settings.pageSize()).register(app, BASE);
        app.exception(JtroveException.class, (e, ctx) -> fault(ctx, e.status(), e.getMessage()));
        app.exception(HttpResponseException.class, (e, ctx) -> fault(ctx, e.getStatus(), switch (e.getStatus()) {
            case 404 -> "The resource could not be found.";
            case 405 -> "The method is not allowed for this resource.";
            case 413 -> "The request body is larger than " + settings.maxBodyBytes() + " bytes.";
            default -> e.getMessage();
        }));
        app.exception(Exception.class, (e, ctx) -> {
            String ref = UUID.randomUUID().toString();
            failures.error(ctx.method() + " " + ctx.matchedPath(), ref, e);
            fault(ctx, 500, "Internal Server Error. Please keep this ID to help us figure out what went wrong: (" + ref + ").");
        });
        app.error(404, ctx -> {
            if (ctx.result() == null || ctx.result().isEmpty() || !ctx.result().startsWith("{")) {
                fault(ctx, 404, "The resource could not be found.");
            }
        });
        app.error(405, ctx -> fault(ctx, 405, "The method is not allowed for this resource."));
    }

    public ApiServer start() {
        if (settings.tls()) {
            app.start();
        } else {
            app.start(settings.bindHost(), settings.port());
        }
        LOG.info("Trove v1.0 API listening on {}://{}:{}/", settings.tls() ? "https" : "http", settings.bindHost(), port());
        return this;
    }

    public int port() {
        return ((org.eclipse.jetty.server.ServerConnector) app.jettyServer().server().getConnectors()[0]).getLocalPort();
    }

    public boolean tls() {
        return settings.tls();
    }

    private static void checkProject(Context ctx) {
        String project = ctx.pathParamMap().get("project");
        if (project != null && !project.matches("[A-Za-z0-9_-]{1,64}")) {
            throw JtroveException.notFound("The resource could not be found.");
        }
    }

    private void versions(Context ctx) {
        ObjectNode body = Json.object();
        body.putArray("versions").add(versionNode(ctx));
        ctx.json(body);
    }

    private void version(Context ctx) {
        ObjectNode body = Json.object();
        body.set("version", versionNode(ctx));
        ctx.json(body);
    }

    private static ObjectNode versionNode(Context ctx) {
        ObjectNode v = Json.object();
        v.put("id", "v1.0").put("status", "CURRENT").put("updated", "2012-08-01T00:00:00Z");
        v.putArray("links").addObject().put("rel", "self").put("href", "http://" + ctx.host() + "/v1.0/");
        return v;
    }

    private static void fault(Context ctx, int status, String message) {
        ctx.status(status).contentType("application/json").result(Json.write(Faults.body(status, message)));
    }

    @Override
    public void close() {
        app.stop();
    }
}
