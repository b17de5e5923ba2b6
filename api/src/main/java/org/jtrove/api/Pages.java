package org.jtrove.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.jtrove.model.JtroveException;

/**
 * Trove's pagination: items ordered by a key, {@code marker} = the last key of the previous page, page size
 * min(limit, page_size); a "links" entry with rel "next" only when another page follows.
 */
final class Pages {
    private Pages() {}

    record Page<T>(List<T> items, String nextMarker) {}

    static <T> Page<T> page(Context ctx, List<T> all, Function<T, String> key, int pageSize) {
        int limit = pageSize;
        String rawLimit = ctx.queryParam("limit");
        if (rawLimit != null) {
            if (!rawLimit.matches("[0-9]{1,9}") || Integer.parseInt(rawLimit) < 1) {
                throw JtroveException.badRequest("limit must be a positive integer.");
            }
            limit = Math.min(Integer.parseInt(rawLimit), pageSize);
        }
        String marker = ctx.queryParam("marker");
        List<T> sorted = all.stream().sorted(Comparator.comparing(key)).toList();
        int start = 0;
        if (marker != null) {
            while (start < sorted.size() && key.apply(sorted.get(start)).compareTo(marker) <= 0) {
                start++;
            }
        }
        int end = Math.min(sorted.size(), start + limit);
        List<T> items = sorted.subList(start, end);
        String next = end < sorted.size() && !items.isEmpty() ? key.apply(items.get(items.size() - 1)) : null;
        return new Page<>(items, next);
    }

    /** Adds {"links": [{"rel": "next", "href": ...}]} when there is a next page. */
    static void addNextLink(Context ctx, ObjectNode body, String nextMarker) {
        if (nextMarker == null) {
            return;
        }
        Map<String, List<String>> query = new java.util.LinkedHashMap<>(ctx.queryParamMap());
        query.put("marker", List.of(nextMarker));
        String qs = query.entrySet().stream().flatMap(e -> e.getValue().stream().map(v ->
                        enc(e.getKey()) + "=" + enc(v))).collect(Collectors.joining("&"));
        ArrayNode links = body.putArray("links");
        links.addObject().put("rel", "next").put("href", "https://" + ctx.host() + ctx.path() + "?" + qs);
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
