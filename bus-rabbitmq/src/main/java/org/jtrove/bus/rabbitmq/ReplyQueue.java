package org.jtrove.bus.rabbitmq;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A caller's own exclusive queue for the replies to its calls, matched to the waiting call by correlation id. The
 * client's topology recovery declares it again after a reconnect; replies sent meanwhile are lost and the calls
 * waiting for them time out ("unavailable"), as a call to a dead server would.
 */
final class ReplyQueue implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ReplyQueue.class);
    private final String name = Topology.REPLY_PREFIX + UUID.randomUUID();
    private final Map<String, CompletableFuture<String>> waiting = new ConcurrentHashMap<>();
    private final Channel channel;

    ReplyQueue(Connection connection, Topology topology) throws IOException {
        channel = connection.createChannel();
        topology.declareReplyQueue(channel, name);
        channel.basicConsume(name, true, new DefaultConsumer(channel) {
            @Override
            public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties props, byte[] body) {
                CompletableFuture<String> call = props.getCorrelationId() == null ? null
                        : waiting.remove(props.getCorrelationId());
                if (call == null) {
                    LOG.debug("a reply from {} to no waiting call ({}), dropped", props.getUserId(),
                            props.getCorrelationId());
                } else {
                    call.complete(new String(body, StandardCharsets.UTF_8));
                }
            }
        });
    }

    /** The value of a call's reply_to property. */
    String name() {
        return name;
    }

    /** Registers a call before it is published, so its reply cannot arrive first. */
    CompletableFuture<String> expect(String correlationId) {
        CompletableFuture<String> reply = new CompletableFuture<>();
        waiting.put(correlationId, reply);
        return reply;
    }

    void forget(String correlationId) {
        waiting.remove(correlationId);
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException | RuntimeException | TimeoutException e) {
            LOG.debug("closing the reply channel: {}", e.toString());
        }
    }
}
