package org.jtrove.model.config;

import java.math.BigDecimal;
import java.util.List;

/**
 * One parameter a configuration group may set: Trove's validation rule. {@code min}/{@code max} apply to integer
 * and float parameters (null when unbounded); {@code allowed} lists the only accepted strings (empty: any string
 * of {@link ConfigValues#SAFE_STRING}).
 */
public record ConfigParameter(String name, String type, BigDecimal min, BigDecimal max, boolean restartRequired,
                              List<String> allowed) {
    public static final List<String> TYPES = List.of("integer", "string", "boolean", "float");

    public ConfigParameter {
        if (name == null || !name.matches("[a-z][a-z0-9_.-]{0,127}")) {
            throw new IllegalArgumentException("invalid parameter name: " + name);
        }
        if (!TYPES.contains(type)) {
            throw new IllegalArgumentException("parameter " + name + " has unknown type " + type);
        }
        allowed = allowed == null ? List.of() : List.copyOf(allowed);
    }
}
