package org.jtrove.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.jtrove.model.Json;

/** Trove's error body: {"<faultName>": {"code": N, "message": "..."}}. */
final class Faults {
    private Faults() {}

    static String name(int status) {
        return switch (status) {
            case 400 -> "badRequest";
            case 401 -> "unauthorized";
            case 403 -> "forbidden";
            case 404 -> "itemNotFound";
            case 405 -> "badMethod";
            case 406 -> "notAcceptable";
            case 409 -> "conflict";
            case 413 -> "overLimit";
            case 415 -> "badMediaType";
            case 422 -> "unprocessableEntity";
            case 500 -> "instanceFault";
            case 501 -> "notImplemented";
            case 503 -> "serviceUnavailable";
            default -> status >= 500 ? "serverError" : "badRequest";
        };
    }

    static ObjectNode body(int status, String message) {
        ObjectNode body = Json.object();
        body.putObject(name(status)).put("code", status).put("message", message);
        return body;
    }
}
