package org.jtrove.bus;

import com.fasterxml.jackson.databind.JsonNode;
import org.jtrove.model.Json;

/** One message on the bus: a method name and its JSON arguments. Only plain data travels. */
public record Message(String method, JsonNode args) {
    public static Message of(String method, Object args) {
        return new Message(method, Json.tree(args));
    }

    public <T> T args(Class<T> type) {
        return Json.convert(args, type);
    }

    String encode() {
        return Json.write(this);
    }

    static Message decode(String text) {
        JsonNode node = Json.parse(text);
        return new Message(node.path("method").asText(), node.path("args"));
    }
}
