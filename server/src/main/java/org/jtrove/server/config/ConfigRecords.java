package org.jtrove.server.config;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.jtrove.bus.rabbitmq.MessagingConfig;

/**
 * Every configuration record jtrove has, and so every key it knows (plus the messaging keys {@code bus-rabbitmq}
 * declares in its own {@code MessagingConfig.Key}). A key in a file that no record declares stops
 * start-up (a typo must not run silently with a default), unless it is an oslo key that deployment tools write
 * for every OpenStack service (puppet-oslo's messaging, db and log defines, keystonemiddleware's options): those
 * are accepted with a warning that jtrove does not use them.
 */
public final class ConfigRecords {
    /** One record per concern. */
    public static final List<Class<? extends Record>> ALL = List.of(HostConfig.class, ApiConfig.class,
            QuotaConfig.class, IdentityConfig.class, KeystoneAuthtokenConfig.class, DatabaseConfig.class,
            TaskmanagerConfig.class, GuestAgentConfig.class, BackupConfig.class);

    private static final Map<String, KeySpec> KEYS = new LinkedHashMap<>();
    private static final Set<String> OSLO_UNUSED = readOsloKeys();

    static {
        for (Class<? extends Record> type : ALL) {
            for (RecordComponent c : type.getRecordComponents()) {
                declare(KeySpec.of(c.getAnnotation(Key.class)));
            }
        }
        for (MessagingConfig.Key k : MessagingConfig.Key.values()) {
            declare(KeySpec.of(k));
        }
    }

    private ConfigRecords() {}

    private static void declare(KeySpec k) {
        if (KEYS.put(k.id(), k) != null) {
            throw new IllegalStateException("configuration key " + k.id() + " is declared twice");
        }
    }

    /** Every declared key, by {@code section/name}: the records' and the messaging keys of {@code bus-rabbitmq}. */
    public static Map<String, KeySpec> keys() {
        return KEYS;
    }

    /** The messaging keys ({@code bus-rabbitmq}'s own list). */
    public static List<KeySpec> messagingKeys() {
        return java.util.Arrays.stream(MessagingConfig.Key.values()).map(KeySpec::of).toList();
    }

    /** A key named by its legacy flat name, by {@code section/name}, or by its name in {@code DEFAULT}. */
    static Optional<KeySpec> resolve(String name) {
        String n = name.replace('-', '_');
        if (KEYS.containsKey(n)) {
            return Optional.of(KEYS.get(n));
        }
        for (KeySpec k : KEYS.values()) {
            if (k.legacy().equals(n) || (k.section().equals("DEFAULT") && k.name().equals(n))) {
                return Optional.of(k);
            }
        }
        return Optional.empty();
    }

    /**
     * Checks the files' keys: throws naming every unknown key; returns a warning for each known oslo key jtrove
     * does not use.
     */
    public static List<String> check(ConfigSource source) {
        List<String> unknown = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        for (ConfigSource.Value v : source.fileKeys()) {
            String id = v.text();
            if (KEYS.containsKey(id)) {
                continue;
            }
            String lower = id.toLowerCase(Locale.ROOT);
            if (OSLO_UNUSED.contains(lower) || OSLO_UNUSED.contains(lower.substring(0, lower.indexOf('/')) + "/*")) {
                warnings.add(v.origin() + " is an oslo option jtrove does not use; it has no effect");
            } else {
                unknown.add(v.origin());
            }
        }
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("unknown configuration key(s): " + String.join(", ", unknown)
                    + ". Check the spelling; `jtrove config-keys` lists every key jtrove knows.");
        }
        return warnings;
    }

    private static Set<String> readOsloKeys() {
        Set<String> keys = new TreeSet<>();
        try (InputStream in = ConfigRecords.class.getResourceAsStream("oslo-accepted-keys.txt")) {
            if (in == null) {
                throw new IllegalStateException("oslo-accepted-keys.txt is missing from the jar");
            }
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            String section = "default";
            for (String line; (line = r.readLine()) != null; ) {
                line = line.strip();
                if (line.isEmpty() || line.startsWith("#")) {
                    continue;
                }
                if (line.startsWith("[")) {
                    section = line.substring(1, line.length() - 1).toLowerCase(Locale.ROOT);
                } else {
                    keys.add(section + "/" + line.toLowerCase(Locale.ROOT));
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return keys;
    }
}
