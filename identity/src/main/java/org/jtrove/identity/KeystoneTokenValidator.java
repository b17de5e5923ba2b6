package org.jtrove.identity;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.jtrove.model.AuthContext;
import org.jtrove.model.Json;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Validates tokens with an external Keystone v3 (deployments inside an OpenStack cloud): jtrove authenticates as
 * its service user, asks Keystone about each token (GET /v3/auth/tokens), and caches answers briefly.
 */
public final class KeystoneTokenValidator implements TokenValidator {
    private static final Logger LOG = LoggerFactory.getLogger(KeystoneTokenValidator.class);
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String url;
    private final String serviceUser;
    private final String servicePassword;
    private final String serviceProject;
    private final Duration cacheFor;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();
    private volatile String serviceToken;
    private volatile Instant serviceTokenExpires = Instant.EPOCH;

    private record Cached(AuthContext context, Instant until) {}

    public KeystoneTokenValidator(String url, String serviceUser, String servicePassword, String serviceProject,
                                  Duration cacheFor) {
        if (url == null || serviceUser == null || servicePassword == null || serviceProject == null) {
            throw new IllegalArgumentException("auth = keystone needs keystone_url, keystone_service_user,"
                    + " keystone_service_password and keystone_service_project");
        }
        this.url = url.replaceAll("/+$", "").replaceAll("/v3$", "");
        this.serviceUser = serviceUser;
        this.servicePassword = servicePassword;
        this.serviceProject = serviceProject;
        this.cacheFor = cacheFor;
    }

    @Override
    public Optional<AuthContext> validate(String token) {
        if (token == null || token.isEmpty() || token.length() > 4096) {
            return Optional.empty();
        }
        String key = BuiltinIdentity.hash(token);
        Cached hit = cache.get(key);
        Instant now = Instant.now();
        if (hit != null && hit.until.isAfter(now) && hit.context.expiresAt().isAfter(now)) {
            return Optional.of(hit.context);
        }
        Optional<AuthContext> fresh = ask(token, true);
        fresh.ifPresentOrElse(c -> cache.put(key, new Cached(c, now.plus(cacheFor))), () -> cache.remove(key));
        if (cache.size() > 10_000) {
            cache.entrySet().removeIf(e -> e.getValue().until.isBefore(now));
        }
        return fresh;
    }

    private Optional<AuthContext> ask(String token, boolean retry) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url + "/v3/auth/tokens"))
                    .timeout(Duration.ofSeconds(10)).header("X-Auth-Token", serviceToken())
                    .header("X-Subject-Token", token).GET().build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() == 401 && retry) {
                serviceTokenExpires = Instant.EPOCH;
                return ask(token, false);
            }
            if (r.statusCode() != 200) {
                return Optional.empty();
            }
            JsonNode t = Json.parse(r.body()).path("token");
            if (!t.path("project").isObject()) {
                return Optional.empty();
            }
            List<String> roles = new ArrayList<>();
            t.path("roles").forEach(role -> roles.add(role.path("name").asText()));
            return Optional.of(new AuthContext(t.at("/user/id").asText(), t.at("/user/name").asText(),
                    t.at("/project/id").asText(), t.at("/project/name").asText(), roles,
                    Instant.parse(t.path("expires_at").asText())));
        } catch (Exception e) {
            LOG.warn("cannot validate a token with Keystone at {}: {}", url, e.toString());
            return Optional.empty();
        }
    }

    private synchronized String serviceToken() throws Exception {
        if (serviceToken != null && serviceTokenExpires.isAfter(Instant.now().plusSeconds(60))) {
            return serviceToken;
        }
        String body = Json.write(Map.of("auth", Map.of(
                "identity", Map.of("methods", List.of("password"), "password", Map.of("user", Map.of(
                        "name", serviceUser, "domain", Map.of("id", "default"), "password", servicePassword))),
                "scope", Map.of("project", Map.of("name", serviceProject, "domain", Map.of("id", "default"))))));
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url + "/v3/auth/tokens"))
                .timeout(Duration.ofSeconds(10)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 201) {
            throw new IllegalStateException("Keystone refused jtrove's service credentials (HTTP " + r.statusCode() + ")");
        }
        serviceToken = r.headers().firstValue("X-Subject-Token").orElseThrow();
        serviceTokenExpires = Instant.parse(Json.parse(r.body()).at("/token/expires_at").asText());
        return serviceToken;
    }
}
