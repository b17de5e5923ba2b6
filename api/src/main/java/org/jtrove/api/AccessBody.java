package org.jtrove.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.jtrove.model.Cidr;
import org.jtrove.model.InstanceAccess;
import org.jtrove.model.JtroveException;

/**
 * Reads an instance's {@code access} object ({@code {"is_public": bool, "allowed_cidrs": ["a.b.c.d/n", ...]}}, as in
 * Trove's create and update schemas, IPv6 networks accepted too). Every fault is a 400 before anything changes.
 */
final class AccessBody {
    /** More networks than this would make the rules and the stored value unwieldy; a wider network covers them. */
    static final int MAX_CIDRS = 64;

    private AccessBody() {}

    /**
     * The access that {@code spec} asks for. A key it leaves out keeps its value in {@code current} (Trove resets it
     * instead; keeping it means {@code --is-public} alone does not lift a source restriction). {@code canPublish}:
     * whether this installation has a public address.
     */
    static InstanceAccess parse(JsonNode spec, InstanceAccess current, boolean canPublish) {
        String path = "instance['access']";
        if (spec == null || !spec.isObject()) {
            throw JtroveException.badRequest("Validation error: " + path + " must be an object such as"
                    + " {\"is_public\": true, \"allowed_cidrs\": [\"203.0.113.0/24\"]}.");
        }
        Bodies.onlyFields(spec, Set.of("is_public", "allowed_cidrs"), path);
        boolean isPublic = current.isPublic();
        if (spec.has("is_public")) {
            if (!spec.get("is_public").isBoolean()) {
                throw JtroveException.badRequest("Validation error: " + path + "['is_public'] must be true or false.");
            }
            isPublic = spec.get("is_public").asBoolean();
        }
        List<String> cidrs = spec.has("allowed_cidrs") ? cidrs(spec.get("allowed_cidrs"), path + "['allowed_cidrs']")
                : current.allowedCidrs();
        if (isPublic && !canPublish) {
            throw JtroveException.badRequest("This jtrove has no public address (its public_address setting is empty),"
                    + " so instances cannot be public; leave is_public false, or ask the operator to set public_address.");
        }
        return new InstanceAccess(isPublic, cidrs);
    }

    private static List<String> cidrs(JsonNode items, String path) {
        if (!items.isArray()) {
            throw JtroveException.badRequest("Validation error: " + path + " must be an array of IPv4 or IPv6 networks.");
        }
        if (items.size() > MAX_CIDRS) {
            throw JtroveException.badRequest("Validation error: " + path + " has " + items.size() + " networks; at most "
                    + MAX_CIDRS + " are allowed (use wider networks).");
        }
        List<String> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (JsonNode item : items) {
            if (!item.isTextual()) {
                throw JtroveException.badRequest("Validation error: " + path + " must hold strings such as \"203.0.113.0/24\".");
            }
            Cidr cidr = Cidr.parse(item.asText(), path);
            if (!seen.add(cidr.canonical())) {
                throw JtroveException.badRequest("Validation error: " + path + " names " + cidr.canonical()
                        + " more than once.");
            }
            out.add(cidr.text());
        }
        return out;
    }
}
