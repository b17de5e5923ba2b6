package org.jtrove.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jtrove.model.AuthContext;
import org.jtrove.model.Json;
import org.jtrove.model.JtroveException;
import org.jtrove.store.MetadataStore;
import org.jtrove.store.QuotaRepository;

/** GET /limits, and the management quota routes (read: the project itself or an admin; change: admin only). */
final class LimitsController {
    private final MetadataStore store;
    private final Quotas quotas;
    private final RateLimiter rateLimiter;

    LimitsController(MetadataStore store, Quotas quotas, RateLimiter rateLimiter) {
        this.store = store;
        this.quotas = quotas;
        this.rateLimiter = rateLimiter;
    }

    void register(Javalin app, String base) {
        app.get(base + "/limits", this::limits);
        app.get(base + "/mgmt/quotas/{target}", this::showQuotas);
        app.put(base + "/mgmt/quotas/{target}", this::updateQuotas);
    }

    private void limits(Context ctx) {
        String project = ctx.pathParam("project");
        Map<String, Integer> limits = quotas.limits(project);
        ObjectNode body = Json.object();
        ArrayNode list = body.putArray("limits");
        list.addObject().put("verb", "ABSOLUTE").put("max_instances", limits.get("instances"))
                .put("max_ram", limits.get("ram")).put("max_backups", limits.get("backups"))
                .put("max_volumes", limits.get("volumes"));
        rateLimiter.describe(project, list);
        ctx.json(body);
    }

    private void showQuotas(Context ctx) {
        String target = ctx.pathParam("target");
        AuthContext auth = Auth.of(ctx);
        if (!auth.isAdmin() && !target.equals(auth.projectId())) {
            throw new JtroveException(403, "Policy doesn't allow quota:show to be performed.");
        }
        Map<String, Integer> limits = quotas.limits(target);
        Map<String, Integer> usage = store.quotas.usage(target);
        ObjectNode body = Json.object();
        ArrayNode list = body.putArray("quotas");
        for (String r : QuotaRepository.RESOURCES) {
            list.addObject().put("resource", r).put("in_use", usage.getOrDefault(r, 0)).put("reserved", 0)
                    .put("limit", limits.get(r));
        }
        ctx.json(body);
    }

    private void updateQuotas(Context ctx) {
        if (!Auth.of(ctx).isAdmin()) {
            throw new JtroveException(401, "User does not have admin privileges.");
        }
        String target = ctx.pathParam("target");
        JsonNode wanted = Bodies.wrapped(ctx, "quotas");
        Map<String, Integer> changes = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = wanted.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!QuotaRepository.RESOURCES.contains(e.getKey())) {
                throw JtroveException.notFound("Quota resource " + e.getKey().replaceAll("\\p{Cntrl}", "?") + " cannot be found.");
            }
            if (!e.getValue().isIntegralNumber() || !e.getValue().canConvertToInt() || e.getValue().asInt() < -1) {
                throw JtroveException.badRequest("Quota limit for " + e.getKey() + " must be an integer of at least -1.");
            }
            changes.put(e.getKey(), e.getValue().asInt());
        }
        changes.forEach((r, l) -> store.quotas.set(target, r, l));
        ObjectNode body = Json.object();
        ObjectNode out = body.putObject("quotas");
        changes.forEach(out::put);
        ctx.json(body);
    }
}
