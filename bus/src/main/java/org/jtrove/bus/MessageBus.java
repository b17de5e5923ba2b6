package org.jtrove.bus;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;

/**
 * The channel between api, taskmanager, conductor and guest agents. Messages are serialised to JSON text
 * ({@link Wire}) on every hop, so an in-process bus and a broker-backed one behave alike. Every message gets an
 * {@link Envelope} when it is sent; the API request id of the sending thread ({@link RequestIds}) goes with it and
 * is set again around its handler.
 */
public interface MessageBus extends AutoCloseable {
    /**
     * Fire and forget. Over a broker it returns once the broker has taken the message; a message to a topic with
     * neither a server nor a declared queue is dropped with a warning.
     *
     * @throws UnavailableException when the message could not be handed over (bus closed, broker gone too long)
     */
    void cast(String topic, Message message);

    /**
     * Request and reply. A remote refusal comes back as a {@link org.jtrove.model.JtroveException} with its status
     * when that is one {@link Replies#PASSED} lets through, else as a 500 with a log reference.
     *
     * @throws UnavailableException (503) when nobody serves the topic or no reply came within the timeout
     */
    JsonNode call(String topic, Message message, Duration timeout);

    /**
     * Makes a topic hold its messages until a server subscribes (a durable queue on a broker). The taskmanager
     * declares a guest's topic before the guest agent runs, so nothing sent to a booting guest is lost. Idempotent.
     */
    void declare(String topic);

    /** Removes a declared topic and any messages waiting in it (an instance is deleted). Idempotent. */
    void delete(String topic);

    /**
     * Serves a topic: messages are handled one at a time, in order, and (over a broker) acknowledged only after
     * their handler returned. One server per topic on this bus; over a broker, servers of the same topic in
     * several processes compete for its messages.
     *
     * @throws IllegalStateException when this bus already serves the topic
     */
    Subscription subscribe(String topic, Handler handler);

    /**
     * Serves a topic in batches of up to {@code maxBatch} messages, whatever has arrived, in order; otherwise as
     * {@link #subscribe(String, Handler)}.
     */
    Subscription subscribe(String topic, int maxBatch, BatchHandler handler);

    /**
     * Whether {@link Envelope#sender()} of a received message was verified by something the sender cannot forge
     * (the broker's validated user id). False for the in-process bus, where every part shares one process and is
     * trusted.
     */
    boolean authenticatesSenders();

    @Override
    void close();

    interface Subscription extends AutoCloseable {
        @Override
        void close();
    }
}
