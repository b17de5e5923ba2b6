package org.jtrove.api;

import java.time.Duration;
import java.util.Map;
import org.jtrove.bus.Message;
import org.jtrove.bus.MessageBus;
import org.jtrove.bus.Topics;
import org.jtrove.model.InstanceTask;
import org.jtrove.store.InstanceRecord;
import org.jtrove.store.MetadataStore;

/**
 * Pushes a configuration group's values to an instance's guest agent, which applies them on the real server;
 * when some only take effect after a restart the instance goes to RESTART_REQUIRED until it is restarted.
 */
final class ConfigurationApplier {
    private static final Duration GUEST_TIMEOUT = Duration.ofSeconds(90);
    private final MetadataStore store;
    private final MessageBus bus;

    ConfigurationApplier(MetadataStore store, MessageBus bus) {
        this.store = store;
        this.bus = bus;
    }

    /** Applies {@code values} (all of them: an empty map resets the instance to its defaults). */
    void apply(InstanceRecord i, Map<String, Object> values) {
        boolean restart = bus.call(Topics.guest(i.id()), Message.of("apply_configuration", Map.of("values", values)),
                GUEST_TIMEOUT).path("restart_required").asBoolean();
        if (restart) {
            store.instances.compareAndSetTask(i.id(), InstanceTask.NONE, InstanceTask.RESTART_REQUIRED);
        }
    }

    /** Whether the instance can take a configuration change now (Trove: ACTIVE, task NONE or RESTART_REQUIRED). */
    boolean canApply(InstanceRecord i) {
        return (i.task() == InstanceTask.NONE || i.task() == InstanceTask.RESTART_REQUIRED)
                && store.serviceStatuses.find(i.id()).map(s -> s.serviceStatus().isUp()).orElse(false);
    }
}
