package org.jtrove.conductor;

import org.jtrove.bus.Message;
import org.jtrove.bus.MessageBus;
import org.jtrove.bus.Topics;
import org.jtrove.model.ServiceStatus;
import org.jtrove.model.guest.Heartbeat;
import org.jtrove.store.MetadataStore;
import org.jtrove.store.ServiceStatusRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes the guest agents' reports and writes them to the metadata store. It owns the service status only; it
 * never touches an instance's task status.
 */
public final class Conductor implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Conductor.class);
    private final MetadataStore store;
    private final MessageBus bus;
    private MessageBus.Subscription subscription;

    public Conductor(MetadataStore store, MessageBus bus) {
        this.store = store;
        this.bus = bus;
    }

    public void start() {
        subscription = bus.subscribe(Topics.CONDUCTOR, this::handle);
    }

    Object handle(Message m) {
        if ("heartbeat".equals(m.method())) {
            heartbeat(m.args(Heartbeat.class));
            return null;
        }
        LOG.warn("conductor: unknown method {}", m.method());
        return null;
    }

    /** Stores a heartbeat unless an equal or newer one was stored already. */
    public boolean heartbeat(Heartbeat h) {
        ServiceStatus status = ServiceStatus.fromDescription(h.serviceStatus());
        if (store.instances.find(h.instanceId()).isEmpty()) {
            return false;
        }
        ServiceStatus before = store.serviceStatuses.find(h.instanceId()).map(ServiceStatusRecord::serviceStatus)
                .orElse(null);
        boolean stored = store.serviceStatuses.saveHeartbeat(h.instanceId(), status, h.sent());
        if (stored && before != status) {
            LOG.info("instance {}: service status {} -> {}", h.instanceId(), before, status);
        }
        return stored;
    }

    @Override
    public void close() {
        if (subscription != null) {
            subscription.close();
        }
    }
}
