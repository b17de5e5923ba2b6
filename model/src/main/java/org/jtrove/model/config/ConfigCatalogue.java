package org.jtrove.model.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.jtrove.model.Json;

/**
 * Reads a datastore's parameter catalogue (its plugin's parameters.json, like Trove's validation-rules.json):
 * {@code {"parameters": [{"name", "type", "min"?, "max"?, "restart_required", "values"?, "since"?}]}}. An entry
 * with {@code since} only exists from that server version on.
 */
public final class ConfigCatalogue {
    private ConfigCatalogue() {}

    public static List<ConfigParameter> parse(InputStream in, String serverVersion) throws IOException {
        JsonNode root = Json.MAPPER.readTree(in);
        List<ConfigParameter> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (JsonNode p : root.path("parameters")) {
            if (p.hasNonNull("since") && compareVersions(serverVersion, p.get("since").asText()) < 0) {
                continue;
            }
            List<String> allowed = new ArrayList<>();
            p.path("values").forEach(v -> allowed.add(v.asText()));
            ConfigParameter parameter = new ConfigParameter(p.path("name").asText(), p.path("type").asText(),
                    p.hasNonNull("min") ? p.get("min").decimalValue() : null,
                    p.hasNonNull("max") ? p.get("max").decimalValue() : null,
                    p.path("restart_required").asBoolean(), allowed);
            if (!seen.add(parameter.name())) {
                throw new IllegalArgumentException("parameter " + parameter.name() + " appears twice in the catalogue");
            }
            out.add(parameter);
        }
        return out;
    }

    /** Compares dotted versions numerically ("10.11" > "10.6"); a non-numeric part compares as text. */
    static int compareVersions(String a, String b) {
        String[] x = a.split("\\.");
        String[] y = b.split("\\.");
        for (int i = 0; i < Math.max(x.length, y.length); i++) {
            String p = i < x.length ? x[i] : "0";
            String q = i < y.length ? y[i] : "0";
            int c = p.matches("\\d{1,9}") && q.matches("\\d{1,9}")
                    ? Integer.compare(Integer.parseInt(p), Integer.parseInt(q)) : p.compareTo(q);
            if (c != 0) {
                return c;
            }
        }
        return 0;
    }
}
