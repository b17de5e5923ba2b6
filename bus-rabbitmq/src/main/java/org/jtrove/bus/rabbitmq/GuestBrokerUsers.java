package org.jtrove.bus.rabbitmq;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.jtrove.bus.Topics;
import org.jtrove.model.Json;
import org.jtrove.model.JtroveException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes and removes the broker user of one instance's guest agent through RabbitMQ's HTTP management API, so no
 * guest holds the control plane's credentials (Trove's best-known weakness). The user {@code guestagent.<id>} may:
 * <ul>
 * <li>configure nothing;</li>
 * <li>read (consume) only its own queue {@code guestagent.<id>};</li>
 * <li>write (publish) only to the control exchange, never to the default exchange, which reaches any queue; and
 *     there, by RabbitMQ's topic authorisation, only with routing keys {@code trove-conductor.guestagent.<id>}
 *     (reports) and {@code reply.<caller>.guestagent.<id>} (replies), see {@link Topology}.</li>
 * </ul>
 * Its messages carry its name as the broker-validated {@code user_id}, which the conductor compares with the
 * instance a report is about. Deleting the user also closes its open connections.
 */
public final class GuestBrokerUsers {
    private static final Logger LOG = LoggerFactory.getLogger(GuestBrokerUsers.class);
    private final ManagementEndpoint endpoint;
    private final String vhost;
    private final Topology topology;
    private final HttpClient http;

    /** Uses {@link MessagingConfig#management()}; https trusts {@code ssl_ca_file} when it is set. */
    public GuestBrokerUsers(MessagingConfig config) {
        this.endpoint = config.management();
        this.vhost = encode(config.requireTransportUrl().virtualHost());
        this.topology = new Topology(config.controlExchange(), config.rabbitQuorumQueue());
        HttpClient.Builder b = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10));
        if ("https".equals(endpoint.base().getScheme()) && config.sslCaFile() != null) {
            b.sslContext(BrokerTls.context(config.sslCaFile(), null, null));
        }
        this.http = b.build();
    }

    /** The broker user name of an instance's guest agent. */
    public static String userName(String instanceId) {
        return Topics.guest(Topology.checkInstanceId(instanceId));
    }

    /**
     * Creates (or resets, with a new password) the guest user of an instance and its permissions.
     *
     * @throws JtroveException 503 when the management API cannot be reached or refuses
     */
    public GuestCredentials create(String instanceId) {
        String user = userName(instanceId);
        byte[] random = new byte[24];
        new SecureRandom().nextBytes(random);
        String password = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        ObjectNode body = Json.object().put("password", password).put("tags", "");
        request("PUT", "/api/users/" + user, body);
        request("PUT", "/api/permissions/" + vhost + "/" + user, Json.object()
                .put("configure", Topology.guestConfigurePattern())
                .put("write", topology.guestWritePattern())
                .put("read", Topology.guestReadPattern(instanceId)));
        request("PUT", "/api/topic-permissions/" + vhost + "/" + user, Json.object()
                .put("exchange", topology.exchange())
                .put("write", Topology.guestTopicWritePattern(instanceId))
                .put("read", "^$"));
        LOG.info("broker user {} created for instance {}", user, instanceId);
        return new GuestCredentials(instanceId, user, password);
    }

    /** Deletes an instance's guest user (if any) and closes its connections. Idempotent. */
    public void delete(String instanceId) {
        String user = userName(instanceId);
        request("DELETE", "/api/users/" + user, null);
        // a deleted user's open connections would go on working: close them
        request("DELETE", "/api/connections/username/" + user, null);
        LOG.info("broker user {} of instance {} deleted", user, instanceId);
    }

    /** The instance ids that have a guest user on the broker (to find leftovers). */
    public List<String> instances() {
        List<String> ids = new ArrayList<>();
        String prefix = Topics.guest("");
        for (JsonNode u : request("GET", "/api/users", null)) {
            String name = u.path("name").asText();
            if (name.startsWith(prefix)) {
                ids.add(name.substring(prefix.length()));
            }
        }
        return ids;
    }

    /**
     * One management API request; an idempotent one (GET, DELETE) that the broker answers with a server error is
     * tried again a few times: closing a user's connections while they are already closing answers 500.
     */
    private JsonNode request(String method, String path, JsonNode body) {
        boolean idempotent = "GET".equals(method) || "DELETE".equals(method);
        for (int attempt = 1; ; attempt++) {
            try {
                return requestOnce(method, path, body);
            } catch (ServerError e) {
                if (!idempotent || attempt == SERVER_ERROR_ATTEMPTS) {
                    throw unavailable(method, path, e.getMessage());
                }
                LOG.debug("broker management API: {} {} {}, trying again", method, path, e.getMessage());
                pause();
            }
        }
    }

    private static final int SERVER_ERROR_ATTEMPTS = 5;

    /** A 5xx answer of the management API. */
    private static final class ServerError extends Exception {
        ServerError(String message) {
            super(message, null, false, false);
        }
    }

    private static void pause() {
        try {
            Thread.sleep(250);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private JsonNode requestOnce(String method, String path, JsonNode body) throws ServerError {
        String auth = Base64.getEncoder().encodeToString((endpoint.user() + ":" + endpoint.password())
                .getBytes(StandardCharsets.UTF_8));
        HttpRequest request = HttpRequest.newBuilder(URI.create(endpoint.base() + path))
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", "Basic " + auth)
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(Json.write(body)))
                .build();
        HttpResponse<String> r;
        try {
            r = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw unavailable(method, path, "unreachable (" + e.getMessage() + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw unavailable(method, path, "interrupted");
        }
        int status = r.statusCode();
        if (status == 404 && "DELETE".equals(method)) {
            return Json.object();
        }
        if (status >= 500) {
            throw new ServerError("answered " + status + " " + r.body());
        }
        if (status / 100 != 2) {
            throw unavailable(method, path, "answered " + status + " " + r.body());
        }
        return r.body().isBlank() ? Json.object() : Json.parse(r.body());
    }

    private JtroveException unavailable(String method, String path, String what) {
        return new JtroveException(503, "The broker's management API at " + endpoint.base() + " " + what + " to "
                + method + " " + path + ". Check that rabbitmq_management is enabled, and management_url and its"
                + " credentials (an administrator) in [oslo_messaging_rabbit].");
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
