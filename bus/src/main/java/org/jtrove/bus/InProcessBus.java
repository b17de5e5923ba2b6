package org.jtrove.bus;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jtrove.model.Json;
import org.jtrove.model.JtroveException;
import org.jtrove.model.RepeatedFailures;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The default bus: one single-threaded queue per topic inside this JVM. Every message and reply is encoded
 * to JSON text and decoded again, so no object is shared between sender and receiver.
 */
public final class InProcessBus implements MessageBus {
    private static final Logger LOG = LoggerFactory.getLogger(InProcessBus.class);
    private static final RepeatedFailures FAILURES = new RepeatedFailures(LOG, java.time.Duration.ofMinutes(5));
    private final Map<String, Server> servers = new ConcurrentHashMap<>();

    @Override
    public void cast(String topic, Message message) {
        String wire = message.encode();
        Server server = servers.get(topic);
        if (server == null) {
            LOG.warn("cast {} to {}: no server on the topic, dropped", message.method(), topic);
            return;
        }
        try {
            server.executor.execute(() -> {
                try {
                    server.handler.handle(Message.decode(wire));
                } catch (Exception e) {
                    LOG.warn("cast {} on {} failed: {}", message.method(), topic, e.toString());
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            LOG.warn("cast {} to {}: the server has stopped, dropped", message.method(), topic);
        }
    }

    @Override
    public JsonNode call(String topic, Message message, Duration timeout) {
        String wire = message.encode();
        Server server = servers.get(topic);
        if (server == null) {
            throw new JtroveException(503, "No server is listening on " + topic + "; is the service running?");
        }
        CompletableFuture<String> reply = new CompletableFuture<>();
        try {
            server.executor.execute(() -> reply.complete(serve(server.handler, wire)));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            throw new JtroveException(503, "The server on " + topic + " has stopped; try again later.");
        }
        try {
            return decodeReply(reply.get(timeout.toMillis(), TimeUnit.MILLISECONDS));
        } catch (TimeoutException e) {
            throw new JtroveException(503, "No reply from " + topic + " to " + message.method()
                    + " within " + timeout.toMillis() / 1000.0 + " s; try again later.");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new JtroveException(503, "Interrupted while waiting for " + topic);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    /** Runs a handler and encodes its outcome as a reply envelope: {"result":...} or {"error":{...}}. */
    static String serve(Handler handler, String wire) {
        ObjectNode envelope = Json.object();
        try {
            Object result = handler.handle(Message.decode(wire));
            envelope.set("result", result == null ? null : Json.tree(result));
        } catch (JtroveException e) {
            envelope.putObject("error").put("status", e.status()).put("message", e.getMessage());
        } catch (Exception | Error e) {
            String ref = java.util.UUID.randomUUID().toString();
            FAILURES.error("bus handler", ref, e);
            envelope.putObject("error").put("status", 500).put("message",
                    "Internal error in the service; the operator can find it in the log under reference " + ref + ".");
        }
        return Json.write(envelope);
    }

    static JsonNode decodeReply(String text) {
        JsonNode envelope = Json.parse(text);
        JsonNode error = envelope.get("error");
        if (error != null && !error.isNull()) {
            throw new JtroveException(error.path("status").asInt(500), error.path("message").asText());
        }
        return envelope.get("result");
    }

    @Override
    public Subscription subscribe(String topic, Handler handler) {
        Server server = new Server(handler, Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "bus-" + topic);
            t.setDaemon(true);
            return t;
        }));
        if (servers.putIfAbsent(topic, server) != null) {
            server.executor.shutdown();
            throw new IllegalStateException("topic " + topic + " already has a server");
        }
        return () -> {
            servers.remove(topic, server);
            stop(server);
        };
    }

    @Override
    public void close() {
        servers.values().forEach(s -> s.executor.shutdownNow());
        servers.values().forEach(InProcessBus::stop);
        servers.clear();
    }

    /** Interrupts the topic's handler and waits for it to finish, so a stopped server does no more work. */
    private static void stop(Server server) {
        server.executor.shutdownNow();
        if (Thread.currentThread().getName().startsWith("bus-")) {
            return;
        }
        try {
            if (!server.executor.awaitTermination(30, TimeUnit.SECONDS)) {
                LOG.warn("a bus handler did not stop within 30 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private record Server(Handler handler, ExecutorService executor) {}
}
