package org.jtrove.api;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import io.javalin.http.Context;
import java.util.Iterator;
import java.util.Set;
import org.jtrove.model.Json;
import org.jtrove.model.JtroveException;

/** Reading and checking request bodies; every failure is a 400 in Trove's format before anything changes. */
final class Bodies {
    /**
     * Request bodies are read strictly: one JSON value and nothing after it (Jackson's FAIL_ON_TRAILING_TOKENS),
     * and no key twice in one object (STRICT_DUPLICATE_DETECTION), so what is executed is exactly what was sent.
     */
    private static final ObjectReader STRICT = Json.MAPPER.reader()
            .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .with(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private Bodies() {}

    /** {@code text} as one JSON value; a 400 in Trove's format says what is wrong with it. */
    static JsonNode parseStrict(String text) {
        try {
            return STRICT.readTree(text);
        } catch (JsonParseException e) {
            String detail = e.getOriginalMessage();
            if (detail != null && detail.startsWith("Duplicate field")) {
                throw JtroveException.badRequest("Malformed request body: " + printable(detail)
                        + "; send each key once.");
            }
            throw JtroveException.badRequest("Malformed request body: it is not valid JSON.");
        } catch (MismatchedInputException e) {
            throw JtroveException.badRequest("Malformed request body: there is more after the JSON value;"
                    + " send exactly one JSON object.");
        } catch (Exception e) {
            throw JtroveException.badRequest("Malformed request body: it is not valid JSON.");
        }
    }

    private static String printable(String s) {
        String cut = s.length() > 120 ? s.substring(0, 120) + "..." : s;
        return cut.replaceAll("\\p{Cntrl}", "?");
    }

    /** The body parsed as a JSON object holding {@code wrapper} as an object, and nothing else. */
    static JsonNode wrapped(Context ctx, String wrapper) {
        JsonNode body = object(ctx);
        onlyFields(body, Set.of(wrapper), "");
        JsonNode inner = body.get(wrapper);
        if (inner == null || !inner.isObject()) {
            throw JtroveException.badRequest("Validation error: '" + wrapper + "' is a required property and must be an object.");
        }
        return inner;
    }

    static JsonNode object(Context ctx) {
        String text = ctx.body();
        if (text.isBlank()) {
            throw JtroveException.badRequest("The request body is empty; a JSON object is required.");
        }
        JsonNode body = parseStrict(text);
        if (body == null || !body.isObject()) {
            throw JtroveException.badRequest("The request body must be a JSON object.");
        }
        return body;
    }

    /** A required non-empty string of at most 255 characters with at least one letter or digit. */
    static String nonEmptyString(JsonNode parent, String field, String path) {
        JsonNode v = parent.get(field);
        if (v == null || v.isNull()) {
            throw JtroveException.badRequest("Validation error: " + path + " '" + field + "' is a required property.");
        }
        return checkString(v, path + "['" + field + "']");
    }

    static String optionalString(JsonNode parent, String field, String path) {
        JsonNode v = parent.get(field);
        return v == null || v.isNull() ? null : checkString(v, path + "['" + field + "']");
    }

    private static String checkString(JsonNode v, String path) {
        if (!v.isTextual()) {
            throw JtroveException.badRequest("Validation error: " + path + " must be a string.");
        }
        String s = v.asText();
        if (s.isEmpty() || s.length() > 255 || s.chars().noneMatch(Character::isLetterOrDigit)) {
            throw JtroveException.badRequest("Validation error: " + path
                    + " must be 1 to 255 characters with at least one letter or digit.");
        }
        if (s.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            throw JtroveException.badRequest("Validation error: " + path + " must not contain control characters.");
        }
        return s;
    }

    /** A raw string field (passwords): must be a JSON string if present. */
    static String rawString(JsonNode parent, String field, String path, boolean required) {
        JsonNode v = parent.get(field);
        if (v == null || v.isNull()) {
            if (required) {
                throw JtroveException.badRequest("Validation error: " + path + " '" + field + "' is a required property.");
            }
            return null;
        }
        if (!v.isTextual()) {
            throw JtroveException.badRequest("Validation error: " + path + "['" + field + "'] must be a string.");
        }
        return v.asText();
    }

    static JsonNode array(JsonNode parent, String field, String path, boolean required) {
        JsonNode v = parent.get(field);
        if (v == null || v.isNull()) {
            if (required) {
                throw JtroveException.badRequest("Validation error: " + path + " '" + field + "' is a required property.");
            }
            return Json.MAPPER.createArrayNode();
        }
        if (!v.isArray()) {
            throw JtroveException.badRequest("Validation error: " + path + "['" + field + "'] must be an array.");
        }
        return v;
    }

    static JsonNode objectItem(JsonNode item, String path) {
        if (!item.isObject()) {
            throw JtroveException.badRequest("Validation error: " + path + " must be an object.");
        }
        return item;
    }

    static void onlyFields(JsonNode node, Set<String> allowed, String path) {
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!allowed.contains(f)) {
                throw JtroveException.badRequest("Validation error: " + path
                        + " Additional properties are not allowed ('" + f.replaceAll("\\p{Cntrl}", "?") + "' was unexpected).");
            }
        }
    }

    /** Trove's volume size: an integer >= 1 or a string of digits not starting with 0. */
    static int volumeSize(JsonNode volume) {
        JsonNode size = volume.get("size");
        if (size == null || size.isNull()) {
            throw JtroveException.badRequest("Validation error: instance['volume'] 'size' is a required property.");
        }
        if (size.isIntegralNumber() && size.canConvertToInt() && size.asInt() >= 1) {
            return size.asInt();
        }
        if (size.isTextual() && size.asText().matches("^0*[1-9][0-9]{0,8}$")) {
            return Integer.parseInt(size.asText());
        }
        throw JtroveException.badRequest("Validation error: instance['volume']['size'] must be an integer of at least 1.");
    }
}
