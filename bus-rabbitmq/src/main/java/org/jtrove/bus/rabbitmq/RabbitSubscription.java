package org.jtrove.bus.rabbitmq;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.AlreadyClosedException;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.jtrove.bus.Hops;
import org.jtrove.bus.Message;
import org.jtrove.bus.MessageBus;
import org.jtrove.bus.Replies;
import org.jtrove.bus.TopicServer;
import org.jtrove.bus.Wire;
import org.jtrove.model.JtroveException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One consumer of a topic's queue on a channel of its own, with one thread that handles its deliveries in order
 * (in batches of up to the server's maxBatch) and acknowledges them only afterwards: a process killed
 * mid-message leaves the message unacknowledged and the broker gives it to another consumer. Deliveries taken before a lost connection
 * are skipped once it is lost (the broker delivers them again after recovery). A handler's failure on a cast is
 * logged and the message acknowledged (as the in-process bus drops it), so one bad message cannot loop forever;
 * a 503 failure (the store or a service unavailable for a while) puts the message back to be tried again.
 */
final class RabbitSubscription implements MessageBus.Subscription {
    private static final Logger LOG = LoggerFactory.getLogger(RabbitSubscription.class);
    private static final Duration RETRY_PAUSE = Duration.ofSeconds(1);
    private final String topic;
    private final Channel channel;
    private final TopicServer server;
    private final RabbitMqBus bus;
    private final LinkedBlockingQueue<Delivery> deliveries = new LinkedBlockingQueue<>();
    /** Counts the channel's shutdowns; a delivery of an older generation will come again. */
    private final AtomicInteger generation = new AtomicInteger();
    private final Thread worker;
    private final String consumerTag;
    private volatile boolean open = true;

    private record Delivery(int generation, long tag, AMQP.BasicProperties props, byte[] body) {}

    RabbitSubscription(RabbitMqBus bus, Channel channel, String topic, int prefetch, TopicServer server)
            throws IOException {
        this.bus = bus;
        this.channel = channel;
        this.topic = topic;
        this.server = server;
        channel.addShutdownListener(cause -> generation.incrementAndGet());
        channel.basicQos(prefetch);
        worker = new Thread(this::work, "bus-" + topic);
        worker.setDaemon(true);
        consumerTag = channel.basicConsume(topic, false, new DefaultConsumer(channel) {
            @Override
            public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties props, byte[] body) {
                deliveries.add(new Delivery(generation.get(), envelope.getDeliveryTag(), props, body));
            }

            @Override
            public void handleCancel(String tag) {
                LOG.warn("the broker cancelled the consumer of {} (queue deleted?)", topic);
            }
        });
        worker.start();
    }

    private void work() {
        List<Delivery> batch = new ArrayList<>(server.maxBatch());
        while (open) {
            try {
                batch.add(deliveries.take());
            } catch (InterruptedException e) {
                return;
            }
            deliveries.drainTo(batch, server.maxBatch() - 1);
            int current = generation.get();
            batch.removeIf(d -> d.generation() != current);
            if (!batch.isEmpty()) {
                handle(batch);
            }
            batch.clear();
        }
    }

    private void handle(List<Delivery> batch) {
        List<Delivery> accepted = new ArrayList<>(batch.size());
        List<Message> messages = new ArrayList<>(batch.size());
        for (Delivery d : batch) {
            try {
                Message m = Wire.decode(new String(d.body(), StandardCharsets.UTF_8));
                // the sender is who the broker says published it, not what the message claims
                m = m.withEnvelope(m.envelope().withSender(d.props().getUserId()));
                Hops.received(topic, m);
                messages.add(m);
                accepted.add(d);
            } catch (JtroveException e) {
                LOG.warn("{}: refused a message from {}: {}", topic, d.props().getUserId(), e.getMessage());
                if (d.props().getReplyTo() != null) {
                    bus.reply(d.props(), Replies.refusal(e).text());
                }
            }
        }
        List<Delivery> retry = new ArrayList<>();
        if (!messages.isEmpty()) {
            List<Replies.Reply> replies = server.serve(messages);
            if (!open) {
                return;   // stopped mid-batch: the handler may have been interrupted; the broker delivers again
            }
            for (int i = 0; i < accepted.size(); i++) {
                AMQP.BasicProperties props = accepted.get(i).props();
                Replies.Reply r = replies.get(i);
                if (props.getReplyTo() != null) {
                    bus.reply(props, r.text());
                } else if (r.transientFailure()) {
                    retry.add(accepted.get(i));
                } else if (r.error() != null) {
                    LOG.warn("cast {} on {} failed: {}", messages.get(i).method(), topic, r.error());
                }
            }
        }
        try {
            if (retry.isEmpty()) {
                channel.basicAck(batch.get(batch.size() - 1).tag(), true);
            } else {
                settleWithRetries(batch, retry);
            }
        } catch (IOException | AlreadyClosedException e) {
            LOG.info("{}: could not acknowledge ({}); the broker will deliver again", topic, e.getMessage());
        }
    }

    /**
     * Acknowledges the batch except the casts that failed for a passing reason (503: the store or a service is
     * unavailable), which go back to the queue after a pause, to be tried again rather than lost.
     */
    private void settleWithRetries(List<Delivery> batch, List<Delivery> retry) throws IOException {
        LOG.warn("{}: {} message(s) failed for a passing reason; trying them again in {} ms", topic, retry.size(),
                RETRY_PAUSE.toMillis());
        try {
            Thread.sleep(RETRY_PAUSE.toMillis());
        } catch (InterruptedException e) {
            return;   // closing: the channel's close requeues them
        }
        for (Delivery d : batch) {
            if (retry.contains(d)) {
                channel.basicNack(d.tag(), false, true);
            } else {
                channel.basicAck(d.tag(), false);
            }
        }
    }

    @Override
    public void close() {
        open = false;
        try {
            channel.basicCancel(consumerTag);
        } catch (IOException | AlreadyClosedException e) {
            LOG.debug("cancelling the consumer of {}: {}", topic, e.toString());
        }
        worker.interrupt();
        if (Thread.currentThread() != worker) {
            try {
                worker.join(30_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try {
            channel.close();   // unacknowledged deliveries go back to the queue
        } catch (IOException | AlreadyClosedException | TimeoutException e) {
            LOG.debug("closing the channel of {}: {}", topic, e.toString());
        }
        bus.forget(topic, this);
    }
}
