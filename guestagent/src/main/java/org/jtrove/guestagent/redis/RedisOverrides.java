package org.jtrove.guestagent.redis;

import java.util.Map;
import java.util.TreeMap;

/**
 * A configuration group as Redis config-file lines, included at the end of redis.conf so that its values win
 * over jtrove's defaults. Values were checked against the catalogue (numbers, or strings of a safe character set).
 */
final class RedisOverrides {
    static final String FILE = "overrides.conf";

    private RedisOverrides() {}

    static String render(Map<String, Object> values) {
        StringBuilder out = new StringBuilder("# written by jtrove: the instance's configuration group\n");
        for (Map.Entry<String, Object> e : new TreeMap<>(values).entrySet()) {
            String name = e.getKey();
            String value = asText(e.getValue());
            if (name.equals("save")) {
                // save lines add up; an empty one first drops jtrove's defaults
                out.append("save \"\"\n");
                if (!value.isBlank()) {
                    out.append("save ").append(value).append('\n');
                }
            } else {
                out.append(name).append(" \"").append(value).append("\"\n");
            }
        }
        return out.toString();
    }

    /** The value as CONFIG SET and the config file take it. */
    static String asText(Object value) {
        if (value instanceof Boolean b) {
            return b ? "yes" : "no";
        }
        if (value instanceof Double d) {
            return java.math.BigDecimal.valueOf(d).toPlainString();
        }
        return String.valueOf(value);
    }
}
