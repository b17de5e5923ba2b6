package org.jtrove.bus;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;

/**
 * The channel between api, taskmanager, conductor and guest agents. Messages are serialised to JSON text
 * on every hop, so an in-process bus and a broker-backed one behave alike.
 */
public interface MessageBus extends AutoCloseable {
    /** Fire and forget. */
    void cast(String topic, Message message);

    /**
     * Request and reply. A {@link org.jtrove.model.JtroveException} thrown by the server is rethrown here with
     * its status; no server or no reply within the timeout gives a 503-style JtroveException.
     */
    JsonNode call(String topic, Message message, Duration timeout);

    /** Serve a topic; one server per topic. Messages to the topic are handled one at a time, in order. */
    Subscription subscribe(String topic, Handler handler);

    @Override
    void close();

    interface Subscription extends AutoCloseable {
        @Override
        void close();
    }
}
