package org.jtrove.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import io.javalin.http.Context;
import org.jtrove.model.Json;

/** Trove's self/bookmark links (scheme forced to https, host from the request). */
final class Links {
    private Links() {}

    static ArrayNode of(Context ctx, String project, String resourcePath, String id) {
        String host = ctx.host() == null ? "localhost" : ctx.host();
        ArrayNode links = Json.MAPPER.createArrayNode();
        links.addObject().put("href", "https://" + host + "/v1.0/" + project + "/" + resourcePath + "/" + id).put("rel", "self");
        links.addObject().put("href", "https://" + host + "/" + resourcePath + "/" + id).put("rel", "bookmark");
        return links;
    }
}
