package org.jtrove.bus;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import org.jtrove.model.Json;
import org.jtrove.model.JtroveException;

/**
 * The JSON text of a message on every bus: {@code {"version":1,"message_id":...,"sender":...,"sent":"<ISO-8601>",
 * "request_id":...,"method":...,"args":{...}}}. A message of a newer envelope version than {@link Envelope#VERSION}
 * is refused, so an old receiver never half-understands a new sender.
 */
public final class Wire {
    private Wire() {}

    /** Encodes a message whose envelope has been stamped. */
    public static String encode(Message m) {
        Envelope e = m.envelope();
        ObjectNode n = Json.object();
        n.put("version", e.version());
        n.put("message_id", e.messageId());
        n.put("sender", e.sender());
        n.put("sent", e.sent().toString());
        if (e.requestId() != null) {
            n.put("request_id", e.requestId());
        }
        n.put("method", m.method());
        n.set("args", m.args());
        return Json.write(n);
    }

    /**
     * Decodes a message.
     *
     * @throws JtroveException 400 when the text is not a message or its envelope version is newer than this code's
     */
    public static Message decode(String text) {
        JsonNode n;
        try {
            n = Json.parse(text);
        } catch (IllegalArgumentException e) {
            throw JtroveException.badRequest("The bus message is not JSON.");
        }
        int version = n.path("version").asInt(0);
        if (version < 1 || version > Envelope.VERSION || !n.path("method").isTextual()) {
            throw JtroveException.badRequest("The bus message has envelope version " + n.path("version")
                    + " or no method; this service understands version " + Envelope.VERSION + ". Upgrade it.");
        }
        Instant sent;
        try {
            sent = Instant.parse(n.path("sent").asText());
        } catch (RuntimeException e) {
            throw JtroveException.badRequest("The bus message has no valid sent time.");
        }
        Envelope envelope = new Envelope(version, n.path("message_id").asText(null), n.path("sender").asText(null),
                sent, n.path("request_id").asText(null));
        return new Message(n.get("method").asText(), n.path("args"), envelope);
    }
}
