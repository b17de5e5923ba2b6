package org.jtrove.bus;

import com.fasterxml.jackson.databind.JsonNode;
import org.jtrove.model.Json;

/**
 * One message on the bus: a method name, its JSON arguments and, once sent, its {@link Envelope}. Only plain data
 * travels. Callers build messages with {@link #of}; the bus stamps the envelope when it sends one, and handlers
 * receive the envelope as it arrived.
 *
 * @param envelope null on a message not sent yet
 */
public record Message(String method, JsonNode args, Envelope envelope) {
    public static Message of(String method, Object args) {
        return new Message(method, Json.tree(args), null);
    }

    public <T> T args(Class<T> type) {
        return Json.convert(args, type);
    }

    /** The sender named in the envelope, or null when there is none. */
    public String sender() {
        return envelope == null ? null : envelope.sender();
    }

    public Message withEnvelope(Envelope e) {
        return new Message(method, args, e);
    }
}
