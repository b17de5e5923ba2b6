package org.jtrove.bus.rabbitmq;

import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import java.io.IOException;
import java.util.Map;
import java.util.regex.Pattern;
import org.jtrove.bus.Topics;

/**
 * How jtrove's topics map onto the broker, in one place so the bus and the guest users' permissions agree.
 * <ul>
 * <li>one durable topic exchange, {@code control_exchange};</li>
 * <li>a topic is a durable queue of the same name (a quorum queue with {@code rabbit_quorum_queue}), bound with
 *     {@code <topic>.#};</li>
 * <li>every message is published with routing key {@code <topic>.<sender's broker user>}, so topic permissions
 *     can limit a guest to keys ending in its own name;</li>
 * <li>a caller's replies come to its own exclusive queue {@code reply.<id>}, bound with {@code reply.<id>.#}; the
 *     replier publishes them to the exchange with key {@code <reply_to>.<its user>}.</li>
 * </ul>
 * Nothing is published to the default exchange, which would reach any queue.
 */
final class Topology {
    static final String REPLY_PREFIX = "reply.";
    private static final Pattern SAFE_ID = Pattern.compile("[A-Za-z0-9-]{1,64}");
    private final String exchange;
    private final boolean quorum;

    Topology(String exchange, boolean quorum) {
        this.exchange = exchange;
        this.quorum = quorum;
    }

    String exchange() {
        return exchange;
    }

    static String routingKey(String topic, String sender) {
        return topic + "." + sender;
    }

    void declareExchange(Channel ch) throws IOException {
        ch.exchangeDeclare(exchange, BuiltinExchangeType.TOPIC, true);
    }

    /** Declares a topic's durable queue and binds it; idempotent. */
    void declareQueue(Channel ch, String topic) throws IOException {
        ch.queueDeclare(topic, true, false, false, quorum ? Map.of("x-queue-type", "quorum") : Map.of());
        ch.queueBind(topic, exchange, topic + ".#");
    }

    /** Declares a caller's exclusive reply queue (gone with its connection) and binds it. */
    void declareReplyQueue(Channel ch, String queue) throws IOException {
        ch.queueDeclare(queue, false, true, true, Map.of());
        ch.queueBind(queue, exchange, queue + ".#");
    }

    /** An instance id as it may appear in a broker user name and a permission pattern. */
    static String checkInstanceId(String instanceId) {
        if (instanceId == null || !SAFE_ID.matcher(instanceId).matches()) {
            throw new IllegalArgumentException("instance id '" + instanceId + "' must be 1-64 letters, digits or -");
        }
        return instanceId;
    }

    /** A guest may configure nothing. */
    static String guestConfigurePattern() {
        return "^$";
    }

    /** A guest may publish to the control exchange only (never to the default exchange). */
    String guestWritePattern() {
        return "^" + escape(exchange) + "$";
    }

    /** A guest may consume its own queue only. */
    static String guestReadPattern(String instanceId) {
        return "^" + escape(Topics.guest(checkInstanceId(instanceId))) + "$";
    }

    /**
     * On the control exchange a guest may publish only reports to the conductor and replies, both with its own
     * name as the last words of the routing key.
     */
    static String guestTopicWritePattern(String instanceId) {
        return "^(" + escape(Topics.CONDUCTOR) + "|" + escape(REPLY_PREFIX) + "[^.]+)\\."
                + escape(Topics.guest(checkInstanceId(instanceId))) + "$";
    }

    private static String escape(String literal) {
        StringBuilder b = new StringBuilder();
        for (char c : literal.toCharArray()) {
            if (!Character.isLetterOrDigit(c) && c != '_' && c != '-') {
                b.append('\\');
            }
            b.append(c);
        }
        return b.toString();
    }
}
