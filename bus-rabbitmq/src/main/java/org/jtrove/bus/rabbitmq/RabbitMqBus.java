package org.jtrove.bus.rabbitmq;

import com.fasterxml.jackson.databind.JsonNode;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Address;
import com.rabbitmq.client.AlreadyClosedException;
import com.rabbitmq.client.BlockedListener;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.Recoverable;
import com.rabbitmq.client.RecoveryListener;
import com.rabbitmq.client.ShutdownSignalException;
import com.rabbitmq.client.impl.recovery.RecordedBinding;
import com.rabbitmq.client.impl.recovery.RecordedQueue;
import com.rabbitmq.client.impl.recovery.TopologyRecoveryFilter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import org.jtrove.bus.BatchHandler;
import org.jtrove.bus.Envelope;
import org.jtrove.bus.Handler;
import org.jtrove.bus.Hops;
import org.jtrove.bus.Message;
import org.jtrove.bus.MessageBus;
import org.jtrove.bus.Replies;
import org.jtrove.bus.TopicServer;
import org.jtrove.bus.UnavailableException;
import org.jtrove.bus.Wire;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The message bus over RabbitMQ (AMQP 0-9-1, the RabbitMQ Java client), laid out as {@link Topology} describes:
 * durable queues and persistent messages, publisher confirms (a cast returns once the broker has the message),
 * acknowledgements only after a message is handled, calls with a reply queue, correlation ids and a per-message
 * expiry equal to the call's timeout, automatic reconnection with topology recovery, and TLS. Every message is
 * published with the broker-validated {@code user_id} of this connection, which the receiving side puts in the
 * envelope as the sender.
 *
 * <p>{@link #connect} is for the control plane (it declares the exchange and queues); {@link #connectGuest} for a
 * guest agent with its own broker user, which may only consume its queue (declared for it by the taskmanager) and
 * publish reports and replies. Delivery is at-least-once: a message whose confirm or acknowledgement was lost in a
 * reconnect can arrive twice, so handlers must be idempotent (Trove's are).
 */
public final class RabbitMqBus implements MessageBus {
    private static final Logger LOG = LoggerFactory.getLogger(RabbitMqBus.class);
    /** How long a cast may wait for the broker (reconnecting included) before it fails. */
    static final Duration CAST_DEADLINE = Duration.ofSeconds(60);
    private static final Duration TOPOLOGY_DEADLINE = Duration.ofSeconds(30);
    private final Topology topology;
    private final Connection connection;
    private final Publisher publisher;
    private final String user;
    private final boolean declaresTopology;
    private final int prefetch;
    private final Map<String, RabbitSubscription> subscriptions = new ConcurrentHashMap<>();
    private ReplyQueue replies;   // guarded by this
    private Channel topologyChannel;   // guarded by this
    private volatile boolean closed;

    private RabbitMqBus(MessagingConfig config, boolean declaresTopology) {
        TransportUrl url = config.requireTransportUrl();
        this.topology = new Topology(config.controlExchange(), config.rabbitQuorumQueue());
        this.user = url.user();
        this.declaresTopology = declaresTopology;
        this.prefetch = config.rabbitQosPrefetchCount();
        this.connection = open(config, url, this::recovers);
        this.publisher = new Publisher(connection);
        if (declaresTopology) {
            try {
                topologyOp("declare the exchange " + topology.exchange(), topology::declareExchange);
            } catch (RuntimeException e) {
                close();
                throw e;
            }
        }
    }

    /** A control-plane bus (api, taskmanager, conductor): declares the exchange, the queues it serves or declares. */
    public static RabbitMqBus connect(MessagingConfig config) {
        return new RabbitMqBus(config, true);
    }

    /**
     * A guest agent's bus, connected with the guest's own broker user ({@link GuestBrokerUsers}): declares nothing,
     * consumes its own queue and publishes only to the conductor and to callers' reply queues.
     */
    public static RabbitMqBus connectGuest(MessagingConfig config) {
        return new RabbitMqBus(config, false);
    }

    /**
     * Whether topology recovery declares a queue again after a reconnect: this bus's reply queue and the queues it
     * serves, not the guest queues it declared for others (durable, they outlive a broker restart; declaring one
     * again after another taskmanager deleted it would leave an orphan).
     */
    private boolean recovers(String queue) {
        return queue.startsWith(Topology.REPLY_PREFIX) || subscriptions.containsKey(queue);
    }

    private static Connection open(MessagingConfig config, TransportUrl url, Predicate<String> recoverQueue) {
        ConnectionFactory f = new ConnectionFactory();
        f.setUsername(url.user());
        f.setPassword(url.password());
        f.setVirtualHost(url.virtualHost());
        f.setRequestedHeartbeat((int) config.heartbeatTimeoutThreshold().toSeconds());
        f.setConnectionTimeout(10_000);
        f.setAutomaticRecoveryEnabled(true);
        f.setTopologyRecoveryEnabled(true);
        f.setNetworkRecoveryInterval(1_000);
        f.setTopologyRecoveryFilter(new TopologyRecoveryFilter() {
            @Override
            public boolean filterQueue(RecordedQueue queue) {
                return recoverQueue.test(queue.getName());
            }

            @Override
            public boolean filterBinding(RecordedBinding binding) {
                return recoverQueue.test(binding.getDestination());
            }
        });
        if (config.ssl()) {
            f.useSslProtocol(BrokerTls.context(config.sslCaFile(), config.sslCertFile(), config.sslKeyFile()));
            f.enableHostnameVerification();
        }
        List<Address> addresses = new ArrayList<>();
        url.hosts().forEach(h -> addresses.add(new Address(h.host(), config.port(h))));
        try {
            Connection c = f.newConnection(addresses, "jtrove " + url.user() + " pid " + ProcessHandle.current().pid());
            watch(c, url);
            return c;
        } catch (IOException | TimeoutException e) {
            throw new IllegalStateException("Cannot connect to the message broker at " + url + ": " + cause(e)
                    + ". Is RabbitMQ running there, and are transport_url's user, password and virtual host"
                    + " (and the [oslo_messaging_rabbit] TLS settings) right?", e);
        }
    }

    private static void watch(Connection c, TransportUrl url) {
        c.addShutdownListener(cause -> {
            if (!cause.isInitiatedByApplication()) {
                LOG.warn("lost the connection to the broker {} ({}); reconnecting", url, Publisher.reason(cause));
            }
        });
        ((Recoverable) c).addRecoveryListener(new RecoveryListener() {
            @Override
            public void handleRecovery(Recoverable recoverable) {
                LOG.info("reconnected to the broker {}", url);
            }

            @Override
            public void handleRecoveryStarted(Recoverable recoverable) {
                LOG.debug("reconnecting to the broker {}", url);
            }
        });
        c.addBlockedListener(new BlockedListener() {
            @Override
            public void handleBlocked(String reason) {
                LOG.warn("the broker {} blocks publishers: {} (memory or disk alarm)", url, reason);
            }

            @Override
            public void handleUnblocked() {
                LOG.info("the broker {} accepts publishers again", url);
            }
        });
    }

    private static String cause(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getMessage() == null) {
            t = t.getCause();
        }
        return t instanceof ShutdownSignalException s ? Publisher.reason(s) : String.valueOf(t.getMessage());
    }

    /** The broker user this bus publishes as (every message's validated sender). */
    public String user() {
        return user;
    }

    @Override
    public void cast(String topic, Message message) {
        Message m = message.withEnvelope(Envelope.stamp(user));
        Hops.sent("cast", topic, m);
        Instant deadline = Instant.now().plus(CAST_DEADLINE);
        if (publish(topic, m, properties(m).build(), deadline) == Publisher.Outcome.UNROUTABLE) {
            LOG.warn("cast {} to {}: no queue for the topic, dropped", m.method(), topic);
        }
    }

    @Override
    public JsonNode call(String topic, Message message, Duration timeout) {
        Message m = message.withEnvelope(Envelope.stamp(user));
        Instant deadline = Instant.now().plus(timeout);
        ReplyQueue queue = replyQueue();
        String id = m.envelope().messageId();
        CompletableFuture<String> reply = queue.expect(id);
        try {
            Hops.sent("call", topic, m);
            AMQP.BasicProperties props = properties(m).replyTo(queue.name()).correlationId(id)
                    .expiration(String.valueOf(Math.max(1, timeout.toMillis()))).build();
            if (publish(topic, m, props, deadline) == Publisher.Outcome.UNROUTABLE) {
                throw UnavailableException.noServer(topic);
            }
            String text = reply.get(Math.max(0, Duration.between(Instant.now(), deadline).toMillis()),
                    TimeUnit.MILLISECONDS);
            Hops.replied(topic, m);
            return Replies.decode(text, topic, m.method());
        } catch (TimeoutException e) {
            throw UnavailableException.noReply(topic, m.method(), timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw UnavailableException.notSent(topic, m.method(), "interrupted while waiting for the reply");
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        } finally {
            queue.forget(id);
        }
    }

    private AMQP.BasicProperties.Builder properties(Message m) {
        return new AMQP.BasicProperties.Builder()
                .messageId(m.envelope().messageId())
                .userId(user)
                .timestamp(Date.from(m.envelope().sent()))
                .contentType("application/json")
                .deliveryMode(2);
    }

    private Publisher.Outcome publish(String topic, Message m, AMQP.BasicProperties props, Instant deadline) {
        if (closed) {
            throw UnavailableException.notSent(topic, m.method(), "the bus is closed");
        }
        try {
            return publisher.publish(topology.exchange(), Topology.routingKey(topic, user), true, props,
                    Wire.encode(m).getBytes(StandardCharsets.UTF_8), deadline);
        } catch (TimeoutException e) {
            throw UnavailableException.notSent(topic, m.method(), "the broker did not take it in time: "
                    + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw UnavailableException.notSent(topic, m.method(), "interrupted");
        }
    }

    /** Sends a handler's reply to the caller named in the request's reply_to (called by subscriptions). */
    void reply(AMQP.BasicProperties request, String text) {
        if (!request.getReplyTo().startsWith(Topology.REPLY_PREFIX)) {
            LOG.warn("a call from {} asks for its reply on {}, which is no reply queue; not answered",
                    request.getUserId(), request.getReplyTo());
            return;
        }
        AMQP.BasicProperties props = new AMQP.BasicProperties.Builder()
                .messageId(UUID.randomUUID().toString())
                .correlationId(request.getCorrelationId())
                .userId(user)
                .contentType("application/json")
                .deliveryMode(1)
                .build();
        try {
            publisher.publishNoWait(topology.exchange(), Topology.routingKey(request.getReplyTo(), user), props,
                    text.getBytes(StandardCharsets.UTF_8));
        } catch (IOException | AlreadyClosedException e) {
            LOG.info("the reply to {} was lost ({}); the caller will time out", request.getReplyTo(), e.getMessage());
        }
    }

    private synchronized ReplyQueue replyQueue() {
        if (replies == null) {
            try {
                replies = new ReplyQueue(connection, topology);
            } catch (IOException | AlreadyClosedException e) {
                throw new IllegalStateException("cannot declare a reply queue on the broker: " + cause(e), e);
            }
        }
        return replies;
    }

    @Override
    public void declare(String topic) {
        topologyOp("declare the queue " + topic, ch -> topology.declareQueue(ch, topic));
    }

    @Override
    public void delete(String topic) {
        topologyOp("delete the queue " + topic, ch -> ch.queueDelete(topic));
    }

    @FunctionalInterface
    private interface ChannelAction {
        void run(Channel ch) throws IOException;
    }

    /** Runs a declaration on the long-lived topology channel; waits out a reconnect, not a refusal. */
    private synchronized void topologyOp(String what, ChannelAction action) {
        Instant deadline = Instant.now().plus(TOPOLOGY_DEADLINE);
        while (true) {
            try {
                if (topologyChannel == null || !topologyChannel.isOpen() && connection.isOpen()) {
                    topologyChannel = connection.createChannel();
                }
                action.run(topologyChannel);
                return;
            } catch (IOException | AlreadyClosedException e) {
                boolean channelError = e.getCause() instanceof ShutdownSignalException s && !s.isHardError();
                if (channelError || Instant.now().isAfter(deadline) || closed) {
                    throw new IllegalStateException("cannot " + what + " on the broker: " + cause(e), e);
                }
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while trying to " + what);
            }
        }
    }

    @Override
    public Subscription subscribe(String topic, Handler handler) {
        return serve(topic, TopicServer.of(handler));
    }

    @Override
    public Subscription subscribe(String topic, int maxBatch, BatchHandler handler) {
        return serve(topic, TopicServer.of(maxBatch, handler));
    }

    private synchronized Subscription serve(String topic, TopicServer server) {
        if (subscriptions.containsKey(topic)) {
            throw new IllegalStateException("topic " + topic + " already has a server on this bus");
        }
        if (declaresTopology) {
            declare(topic);
        }
        try {
            RabbitSubscription s = new RabbitSubscription(this, connection.createChannel(), topic, prefetch, server);
            subscriptions.put(topic, s);
            return s;
        } catch (IOException | AlreadyClosedException e) {
            throw new IllegalStateException("cannot consume " + topic + " on the broker: " + cause(e)
                    + (declaresTopology ? "" : " (the taskmanager declares a guest's queue before its agent starts)"),
                    e);
        }
    }

    void forget(String topic, RabbitSubscription s) {
        subscriptions.remove(topic, s);
    }

    @Override
    public boolean authenticatesSenders() {
        return true;
    }

    @Override
    public void close() {
        closed = true;
        new ArrayList<>(subscriptions.values()).forEach(RabbitSubscription::close);
        synchronized (this) {
            if (replies != null) {
                replies.close();
            }
        }
        try {
            connection.close(10_000);
        } catch (IOException | AlreadyClosedException e) {
            LOG.debug("closing the broker connection: {}", e.toString());
        }
    }
}
