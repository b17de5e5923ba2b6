package org.jtrove.server.config;

import java.time.temporal.ChronoUnit;
import org.jtrove.bus.rabbitmq.MessagingConfig;

/**
 * One configuration key as the loader sees it, whoever declared it: a {@link Key} on a record component, or a
 * module's own key list (the messaging keys of {@code bus-rabbitmq}).
 *
 * @param defaultValue the default as a file would spell it; null for none
 * @param legacy       the key's flat name in jtrove's earlier configuration; "" for none
 */
public record KeySpec(String section, String name, String defaultValue, String description, boolean secret,
                      String legacy, ChronoUnit unit) {

    public static KeySpec of(Key k) {
        return new KeySpec(k.section(), k.name(), Key.UNSET.equals(k.value()) ? null : k.value(), k.description(),
                k.secret(), k.legacy(), k.unit());
    }

    public static KeySpec of(MessagingConfig.Key k) {
        return new KeySpec(k.section, k.name, k.defaultValue, k.help, k.secret, "", ChronoUnit.SECONDS);
    }

    /** {@code section/name}. */
    public String id() {
        return section + "/" + name;
    }
}
