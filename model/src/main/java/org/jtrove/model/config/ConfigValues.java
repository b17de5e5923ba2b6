package org.jtrove.model.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.jtrove.model.JtroveException;

/**
 * Checks configuration values against a catalogue as Trove does (422 for an unknown name, a wrong JSON type or a
 * value out of range) and returns them as plain Java values: Long, Double, Boolean or String. Only catalogue
 * names and values of these shapes ever reach a server, so the guest's renderers never see anything else.
 */
public final class ConfigValues {
    /** Strings without an enumerated list: printable ASCII without quotes, backslashes, '#' or ';'. */
    public static final Pattern SAFE_STRING = Pattern.compile("[A-Za-z0-9 _.,:/%+*=@$-]{0,255}");

    private ConfigValues() {}

    public static Map<String, Object> validate(JsonNode values, List<ConfigParameter> catalogue) {
        if (catalogue.isEmpty()) {
            throw JtroveException.unprocessable("Configuration groups are not supported for this datastore.");
        }
        if (values == null || !values.isObject()) {
            throw JtroveException.badRequest("Validation error: configuration['values'] must be an object.");
        }
        // Server parameter names are case-insensitive (PostgreSQL GUCs, MariaDB variables): Max_Connections is
        // max_connections, stored under the catalogue's spelling.
        Map<String, ConfigParameter> byName = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        catalogue.forEach(p -> byName.put(p.name(), p));
        Map<String, Object> out = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = values.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            ConfigParameter p = byName.get(e.getKey());
            if (p == null) {
                throw JtroveException.unprocessable("The configuration parameter "
                        + e.getKey().replaceAll("\\p{Cntrl}", "?") + " is not supported for this datastore version.");
            }
            if (out.put(p.name(), value(p, e.getValue())) != null) {
                throw JtroveException.badRequest("The configuration parameter " + p.name()
                        + " is given more than once (names are case-insensitive).");
            }
        }
        return out;
    }

    private static Object value(ConfigParameter p, JsonNode v) {
        return switch (p.type()) {
            case "integer" -> {
                requireType(p, v.isIntegralNumber());
                checkRange(p, new BigDecimal(v.bigIntegerValue()));
                if (!v.canConvertToLong()) {
                    throw JtroveException.unprocessable("The value provided for the configuration parameter "
                            + p.name() + " is above the maximum allowed value " + Long.MAX_VALUE + ".");
                }
                yield v.longValue();
            }
            case "float" -> {
                requireType(p, v.isNumber());
                checkRange(p, v.decimalValue());
                yield v.doubleValue();
            }
            case "boolean" -> {
                requireType(p, v.isBoolean());
                yield v.booleanValue();
            }
            default -> {
                requireType(p, v.isTextual());
                yield string(p, v.textValue());
            }
        };
    }

    private static String string(ConfigParameter p, String s) {
        if (!p.allowed().isEmpty()) {
            return p.allowed().stream().filter(a -> a.equalsIgnoreCase(s)).findFirst().orElseThrow(() ->
                    JtroveException.unprocessable("The value provided for the configuration parameter " + p.name()
                            + " is not one of " + String.join(", ", p.allowed()) + "."));
        }
        if (!SAFE_STRING.matcher(s).matches()) {
            throw JtroveException.unprocessable("The value provided for the configuration parameter " + p.name()
                    + " must be at most 255 letters, digits, spaces or _.,:/%+*=@$- characters.");
        }
        return s;
    }

    private static void requireType(ConfigParameter p, boolean ok) {
        if (!ok) {
            throw JtroveException.unprocessable("The value provided for the configuration parameter " + p.name()
                    + " is not of type " + p.type() + ".");
        }
    }

    private static void checkRange(ConfigParameter p, BigDecimal v) {
        if (p.min() != null && v.compareTo(p.min()) < 0) {
            throw JtroveException.unprocessable("The value provided for the configuration parameter " + p.name()
                    + " is below the minimum allowed value " + p.min().toPlainString() + ".");
        }
        if (p.max() != null && v.compareTo(p.max()) > 0) {
            throw JtroveException.unprocessable("The value provided for the configuration parameter " + p.name()
                    + " is above the maximum allowed value " + p.max().toPlainString() + ".");
        }
    }
}
