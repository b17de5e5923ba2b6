package org.jtrove.server.config;

import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.RecordComponent;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Where configuration values come from, lowest first: each key's declared default, the INI files in order (a later
 * file wins), environment variables, then explicit overrides (command-line flags, tests). {@link #bind} builds a
 * typed record from its {@link Key}-annotated components.
 */
public final class ConfigSource {
    /** A value and where it came from (for error messages). */
    record Value(String text, String origin) {}

    private final Map<String, Map<String, Value>> files = new LinkedHashMap<>();
    private final Map<String, String> env;
    private final Map<String, Value> overrides = new LinkedHashMap<>();

    private ConfigSource(Map<String, String> env) {
        this.env = env;
    }

    /**
     * Reads {@code files} (later ones win) and keeps {@code env} for overrides.
     *
     * @throws IllegalArgumentException if a file cannot be read or is malformed
     */
    public static ConfigSource load(List<Path> configFiles, Map<String, String> env) {
        ConfigSource source = new ConfigSource(env);
        for (Path file : configFiles) {
            try {
                IniFile.read(file).forEach((section, keys) -> keys.forEach((key, text) ->
                        source.files.computeIfAbsent(section, s -> new LinkedHashMap<>())
                                .put(key, new Value(text, file + " [" + section + "] " + key))));
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read the configuration file " + file + ": " + e.getMessage(), e);
            }
        }
        return source;
    }

    /** The same sources with {@code name} (a legacy flat name, {@code section/key}, or a key of DEFAULT) set. */
    public ConfigSource with(String name, Object value) {
        ConfigSource copy = new ConfigSource(env);
        copy.files.putAll(files);
        copy.overrides.putAll(overrides);
        KeySpec ref = ConfigRecords.resolve(name).orElseThrow(() -> new IllegalArgumentException(
                "unknown configuration key '" + name + "'"));
        copy.overrides.put(ref.id(), new Value(value == null ? null : String.valueOf(value), "override of " + name));
        return copy;
    }

    /** The record {@code type} bound from these sources. */
    public <R extends Record> R bind(Class<R> type) {
        RecordComponent[] components = type.getRecordComponents();
        Object[] args = new Object[components.length];
        for (int i = 0; i < components.length; i++) {
            RecordComponent c = components[i];
            Key key = c.getAnnotation(Key.class);
            if (key == null) {
                throw new IllegalStateException(type.getSimpleName() + "." + c.getName() + " has no @Key");
            }
            Value v = lookup(KeySpec.of(key));
            try {
                args[i] = v == null ? null : convert(v.text(), c.getGenericType(), key);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("invalid value for [" + key.section() + "] " + key.name() + " ("
                        + v.origin() + "): " + (key.secret() ? "(secret)" : "'" + v.text() + "'") + ": " + e.getMessage(), e);
            }
        }
        try {
            Constructor<R> constructor = type.getDeclaredConstructor(
                    Arrays.stream(components).map(RecordComponent::getType).toArray(Class<?>[]::new));
            return constructor.newInstance(args);
        } catch (ReflectiveOperationException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            if (cause instanceof IllegalArgumentException iae) {
                throw iae;
            }
            throw new IllegalStateException("cannot build " + type.getSimpleName() + ": " + cause, cause);
        }
    }

    /**
     * The raw value of each of {@code keys} that is set (file, environment or override), keyed {@code section/name};
     * defaults are left to the caller (for modules that build their own settings from raw values).
     */
    public Map<String, String> raw(List<KeySpec> keys) {
        Map<String, String> out = new LinkedHashMap<>();
        for (KeySpec k : keys) {
            Value v = lookup(new KeySpec(k.section(), k.name(), null, k.description(), k.secret(), k.legacy(), k.unit()));
            if (v != null) {
                out.put(k.id(), v.text());
            }
        }
        return out;
    }

    private Value lookup(KeySpec key) {
        Value v = overrides.get(key.id());
        if (v != null) {
            return v;
        }
        for (String name : envNames(key)) {
            if (env.containsKey(name)) {
                return new Value(env.get(name), "environment variable " + name);
            }
        }
        v = Optional.ofNullable(files.get(key.section())).map(s -> s.get(key.name())).orElse(null);
        if (v != null) {
            return v;
        }
        return key.defaultValue() == null ? null : new Value(key.defaultValue(), "default");
    }

    /** The environment variables that set {@code key}, most specific first. */
    static List<String> envNames(KeySpec key) {
        List<String> names = new ArrayList<>();
        names.add("JTROVE_" + key.section().toUpperCase(Locale.ROOT) + "__" + key.name().toUpperCase(Locale.ROOT));
        if ("DEFAULT".equals(key.section())) {
            names.add("JTROVE_" + key.name().toUpperCase(Locale.ROOT));
        }
        if (!key.legacy().isEmpty()) {
            names.add("JTROVE_" + key.legacy().toUpperCase(Locale.ROOT));
        }
        return names;
    }

    /** Keys in the files that no jtrove record knows: [section, key, origin]. */
    List<Value> fileKeys() {
        List<Value> out = new ArrayList<>();
        files.forEach((section, keys) -> keys.forEach((k, v) -> out.add(new Value(section + "/" + k, v.origin()))));
        return out;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Object convert(String text, java.lang.reflect.Type type, Key key) {
        String t = text.strip();
        if (type == String.class) {
            return text;
        }
        if (type == int.class || type == Integer.class) {
            return Integer.parseInt(t);
        }
        if (type == long.class || type == Long.class) {
            return Long.parseLong(t);
        }
        if (type == double.class || type == Double.class) {
            return Double.parseDouble(t);
        }
        if (type == boolean.class || type == Boolean.class) {
            return switch (t.toLowerCase(Locale.ROOT)) {
                case "true", "yes", "on", "1" -> true;
                case "false", "no", "off", "0" -> false;
                default -> throw new IllegalArgumentException("not a boolean (true/false)");
            };
        }
        if (type == Duration.class) {
            double amount = Double.parseDouble(t);
            if (amount < 0) {
                throw new IllegalArgumentException("must not be negative");
            }
            return Duration.ofNanos(Math.round(amount * key.unit().getDuration().toNanos()));
        }
        if (type == Path.class) {
            return Path.of(t);
        }
        if (type instanceof Class<?> c && c.isEnum()) {
            for (Object constant : c.getEnumConstants()) {
                if (((Enum<?>) constant).name().equalsIgnoreCase(t)) {
                    return constant;
                }
            }
            throw new IllegalArgumentException("must be one of " + Arrays.stream(c.getEnumConstants())
                    .map(e -> ((Enum<?>) e).name().toLowerCase(Locale.ROOT)).toList());
        }
        if (type instanceof java.lang.reflect.ParameterizedType p && p.getRawType() == List.class
                && p.getActualTypeArguments()[0] == String.class) {
            return t.isEmpty() ? List.of() : Arrays.stream(t.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
        }
        throw new IllegalStateException("unsupported configuration type " + type);
    }
}
