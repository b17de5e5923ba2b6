package org.jtrove.bus;

import java.time.Instant;
import java.util.UUID;

/**
 * What travels with every message besides its method and arguments: the envelope's version, a unique message id,
 * the sender's identity, the time it was sent and the API request id it serves (Trove's request context carries the
 * same id). Over a broker the sender is the broker-validated user id of the publishing connection, never a value
 * the publisher wrote itself (see {@link MessageBus#authenticatesSenders()}).
 *
 * @param requestId the {@code X-Openstack-Request-Id} of the API request that caused the message, or null
 */
public record Envelope(int version, String messageId, String sender, Instant sent, String requestId) {
    /** The envelope version this code writes and understands. */
    public static final int VERSION = 1;

    /** A new envelope for a message about to be sent: fresh id, now, the request id of the current thread. */
    public static Envelope stamp(String sender) {
        return new Envelope(VERSION, UUID.randomUUID().toString(), sender, Instant.now(), RequestIds.current());
    }

    /** The same envelope with another sender (a receiving bus puts the identity it verified here). */
    public Envelope withSender(String verifiedSender) {
        return new Envelope(version, messageId, verifiedSender, sent, requestId);
    }
}
