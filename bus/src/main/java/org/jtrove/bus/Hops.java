package org.jtrove.bus;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One log line per hop of a message (sent, received, replied), with its message id and API request id, on the
 * logger {@code org.jtrove.bus.hops} at DEBUG (heartbeats make INFO too loud; switch it on to follow a request).
 */
public final class Hops {
    private static final Logger LOG = LoggerFactory.getLogger("org.jtrove.bus.hops");

    private Hops() {}

    /** A message leaves this process: kind is cast, call or reply. */
    public static void sent(String kind, String topic, Message m) {
        if (LOG.isDebugEnabled()) {
            Envelope e = m.envelope();
            LOG.debug("sent {} {} to {} (message {}, request {}, sender {})", kind, m.method(), topic,
                    e.messageId(), e.requestId(), e.sender());
        }
    }

    /** A message arrives on a topic this process serves. */
    public static void received(String topic, Message m) {
        if (LOG.isDebugEnabled()) {
            Envelope e = m.envelope();
            LOG.debug("received {} on {} (message {}, request {}, sender {}, sent {})", m.method(), topic,
                    e.messageId(), e.requestId(), e.sender(), e.sent());
        }
    }

    /** The reply to a call arrives back at the caller. */
    public static void replied(String topic, Message call) {
        if (LOG.isDebugEnabled()) {
            LOG.debug("reply to {} from {} (message {}, request {})", call.method(), topic,
                    call.envelope().messageId(), call.envelope().requestId());
        }
    }
}
