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

    private static final java.util.regex.Pattern SAVE = java.util.regex.Pattern.compile("(\\d{1,10} \\d{1,10})( \\d{1,10} \\d{1,10})*|");
    private static final java.util.regex.Pattern KEYSPACE_EVENTS = java.util.regex.Pattern.compile("[KEg$lshzxetdmAn]{0,20}");

    /** Free-form strings the catalogue cannot check: a value the server would refuse at start is refused here. */
    static void check(String name, String value) {
        if (name.equals("save") && !SAVE.matcher(value).matches()) {
            throw org.jtrove.model.JtroveException.unprocessable("The value of save must be pairs of seconds and"
                    + " changes, e.g. \"3600 1 300 100\", or empty to turn snapshots off.");
        }
        if (name.equals("notify-keyspace-events") && !KEYSPACE_EVENTS.matcher(value).matches()) {
            throw org.jtrove.model.JtroveException.unprocessable("The value of notify-keyspace-events must be made of"
                    + " the letters K E g $ l s h z x e t d m A n.");
        }
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
