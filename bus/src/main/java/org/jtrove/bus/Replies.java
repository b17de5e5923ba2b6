package org.jtrove.bus;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.jtrove.model.Json;
import org.jtrove.model.JtroveException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs handlers and turns their outcome into reply text ({@code {"result":...}} or
 * {@code {"error":{"status":...,"message":...}}}), and turns reply text back into a value or an exception on the
 * caller's side. The caller trusts only the statuses in {@link #PASSED}: any other remote error (a guest's 500, or
 * a status a remote side should not decide, such as 401, 413 or 503) becomes a 500 that keeps the remote message
 * (at most {@value #MAX_REMOTE_MESSAGE} characters: a guest's reason for a failed build is what the user needs to
 * see) and adds a reference to the caller's log line with the remote status. An unexpected exception on the remote
 * side never travels: {@link #serve} replaces it by a reference to the remote log.
 */
public final class Replies {
    /** Remote refusals that reach the caller unchanged: bad request, not found, conflict, unprocessable, 501. */
    public static final Set<Integer> PASSED = Set.of(400, 404, 409, 422, 501);
    static final int MAX_REMOTE_MESSAGE = 500;
    private static final Logger LOG = LoggerFactory.getLogger(Replies.class);

    private Replies() {}

    /**
     * The outcome of handling one message.
     *
     * @param text   the reply text sent back to a caller
     * @param status 0 when the handler succeeded, else the error's status (503: worth another try later)
     * @param error  the error's message when the handler failed, else null (a bus logs it for casts)
     */
    public record Reply(String text, int status, String error) {
        /** The handler failed for a passing reason (its store or a service unavailable): try it again later. */
        public boolean transientFailure() {
            return status == 503;
        }
    }

    /** Runs a handler on one message, with the message's request id in the MDC. */
    public static Reply serve(Handler handler, Message m) {
        try (RequestIds.Scope ignored = RequestIds.open(m.envelope().requestId())) {
            return result(handler.handle(m));
        } catch (Exception | Error e) {
            return error(e, m.method());
        }
    }

    /** Runs a batch handler; one reply per message (all errors when the handler throws). */
    public static List<Reply> serve(BatchHandler handler, List<Message> messages) {
        List<Reply> replies = new ArrayList<>(messages.size());
        try {
            List<?> results = handler.handle(messages);
            if (results == null || results.size() != messages.size()) {
                throw new IllegalStateException("batch handler returned " + (results == null ? "null" : results.size())
                        + " replies for " + messages.size() + " messages");
            }
            results.forEach(r -> replies.add(result(r)));
        } catch (Exception | Error e) {
            Reply error = error(e, messages.isEmpty() ? "?" : messages.get(0).method() + " (batch)");
            messages.forEach(m -> replies.add(error));
        }
        return replies;
    }

    /** The error reply to a message refused before it reached a handler (say, an unknown envelope version). */
    public static Reply refusal(JtroveException e) {
        return error(e, "?");
    }

    private static Reply result(Object value) {
        ObjectNode envelope = Json.object();
        envelope.set("result", value == null ? null : Json.tree(value));
        return new Reply(Json.write(envelope), 0, null);
    }

    private static Reply error(Throwable e, String method) {
        ObjectNode envelope = Json.object();
        if (e instanceof JtroveException j) {
            envelope.putObject("error").put("status", j.status()).put("message", j.getMessage());
            return new Reply(Json.write(envelope), j.status(), j.getMessage());
        }
        String ref = UUID.randomUUID().toString();
        LOG.error("handler of {} failed (reference {})", method, ref, e);
        envelope.putObject("error").put("status", 500).put("message",
                "Internal error in the service; the operator can find it in the log under reference " + ref + ".");
        return new Reply(Json.write(envelope), 500, e + " (reference " + ref + ")");
    }

    /**
     * The value of a reply, or the remote error as a {@link JtroveException}: its own status when that is in
     * {@link #PASSED}, else 500 with a reference to a log line holding the remote status and message.
     */
    public static JsonNode decode(String text, String topic, String method) {
        JsonNode envelope;
        try {
            envelope = Json.parse(text);
        } catch (IllegalArgumentException e) {
            throw internal(topic, method, 500, "the reply is not JSON");
        }
        JsonNode error = envelope.get("error");
        if (error == null || error.isNull()) {
            return envelope.get("result");
        }
        int status = error.path("status").asInt(500);
        String message = error.path("message").asText("");
        if (PASSED.contains(status)) {
            throw new JtroveException(status, message);
        }
        throw internal(topic, method, status, message);
    }

    private static JtroveException internal(String topic, String method, int status, String message) {
        String ref = UUID.randomUUID().toString();
        LOG.warn("{} answered {} with status {}: {} (reference {})", topic, method, status, message, ref);
        String shown = message.length() > MAX_REMOTE_MESSAGE ? message.substring(0, MAX_REMOTE_MESSAGE) + "..." : message;
        return new JtroveException(500, shown + " (" + topic + " failed on " + method + "; log reference " + ref + ")");
    }
}
