package org.jtrove.server;

import org.jtrove.bus.MessageBus;
import org.jtrove.conductor.Conductor;
import org.jtrove.store.MetadataStore;

/** The conductor service ({@code jtrove conductor}): stores what guest agents and hosts report. */
final class ConductorService implements AutoCloseable {
    private final Conductor conductor;

    ConductorService(MetadataStore store, MessageBus bus) {
        this.conductor = new Conductor(store, bus);
    }

    ConductorService start() {
        conductor.start();
        return this;
    }

    @Override
    public void close() {
        conductor.close();
    }
}
