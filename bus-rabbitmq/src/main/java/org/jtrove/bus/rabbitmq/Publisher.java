package org.jtrove.bus.rabbitmq;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.AlreadyClosedException;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ShutdownSignalException;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jtrove.model.JtroveException;

/**
 * Publishes on one channel in confirm mode and lets each caller wait for the broker's confirm of its own message
 * (concurrent callers share the round trips). A message the broker could not route (mandatory, no queue bound)
 * comes back {@link Outcome#UNROUTABLE}. While the connection is down and being recovered, a publish is retried
 * until its deadline, so a message may reach the broker twice (at-least-once; handlers are idempotent). A refusal
 * of the broker (a permission, a forged user id) fails at once.
 */
final class Publisher {
    enum Outcome { CONFIRMED, UNROUTABLE }

    private static final Duration RETRY_PAUSE = Duration.ofMillis(200);
    private final Connection connection;
    private final ConcurrentNavigableMap<Long, Pending> pending = new ConcurrentSkipListMap<>();
    private final Set<String> returned = ConcurrentHashMap.newKeySet();
    private Channel channel;   // guarded by this
    private boolean channelBroken;   // guarded by this: closed by a channel error, which recovery does not repair

    private record Pending(String messageId, CompletableFuture<Outcome> outcome) {}

    /** The connection was lost before the confirm came; the message may or may not have arrived. */
    private static final class ConnectionLost extends Exception {
        ConnectionLost(String why) {
            super(why, null, false, false);
        }
    }

    Publisher(Connection connection) {
        this.connection = connection;
    }

    /**
     * Publishes and waits for the confirm.
     *
     * @throws TimeoutException when the broker did not confirm before the deadline (retries included)
     * @throws JtroveException  403 when the broker denied the message (permissions), 500 when it refused it otherwise
     */
    Outcome publish(String exchange, String routingKey, boolean mandatory, AMQP.BasicProperties props, byte[] body,
                    Instant deadline) throws TimeoutException, InterruptedException {
        String lastProblem = "no confirm";
        while (true) {
            long left = Duration.between(Instant.now(), deadline).toMillis();
            ShutdownSignalException closed = connection.getCloseReason();
            if (closed != null && closed.isInitiatedByApplication()) {
                throw new TimeoutException("the connection was closed");
            }
            if (left <= 0) {
                throw new TimeoutException(lastProblem);
            }
            try {
                return send(exchange, routingKey, mandatory, props, body).get(left, TimeUnit.MILLISECONDS);
            } catch (IOException | AlreadyClosedException e) {
                lastProblem = "broker unreachable (" + e.getMessage() + ")";
            } catch (ExecutionException e) {
                if (e.getCause() instanceof JtroveException refused) {
                    throw refused;
                }
                lastProblem = e.getCause().getMessage();
            }
            Thread.sleep(Math.min(RETRY_PAUSE.toMillis(), Math.max(1, left)));
        }
    }

    /** Publishes without waiting for the confirm (a reply: nobody retries it, the caller's timeout covers it). */
    void publishNoWait(String exchange, String routingKey, AMQP.BasicProperties props, byte[] body) throws IOException {
        send(exchange, routingKey, false, props, body);
    }

    private synchronized CompletableFuture<Outcome> send(String exchange, String routingKey, boolean mandatory,
                                                         AMQP.BasicProperties props, byte[] body) throws IOException {
        Channel ch = channel();
        long seq = ch.getNextPublishSeqNo();
        CompletableFuture<Outcome> outcome = new CompletableFuture<>();
        pending.put(seq, new Pending(props.getMessageId(), outcome));
        try {
            ch.basicPublish(exchange, routingKey, mandatory, props, body);
        } catch (IOException | RuntimeException e) {
            pending.remove(seq);
            throw e;
        }
        return outcome;
    }

    private Channel channel() throws IOException {
        if (channel == null || channelBroken) {
            Channel ch = connection.createChannel();
            ch.confirmSelect();
            ch.addConfirmListener((seq, multiple) -> settle(seq, multiple, null), (seq, multiple) ->
                    settle(seq, multiple, new ConnectionLost("the broker refused to take it (nack)")));
            ch.addReturnListener(r -> returned.add(String.valueOf(r.getProperties().getMessageId())));
            ch.addShutdownListener(this::shutdown);
            channel = ch;
            channelBroken = false;
        }
        return channel;
    }

    private void settle(long seq, boolean multiple, Exception failure) {
        Map<Long, Pending> done = multiple ? pending.headMap(seq, true) : pending.subMap(seq, true, seq, true);
        for (Map.Entry<Long, Pending> e : done.entrySet()) {
            Pending p = e.getValue();
            boolean unroutable = p.messageId() != null && returned.remove(p.messageId());
            if (failure != null) {
                p.outcome().completeExceptionally(failure);
            } else {
                p.outcome().complete(unroutable ? Outcome.UNROUTABLE : Outcome.CONFIRMED);
            }
        }
        done.clear();
    }

    private void shutdown(ShutdownSignalException cause) {
        Exception failure;
        if (!cause.isHardError() && !cause.isInitiatedByApplication()) {
            synchronized (this) {
                channelBroken = true;
            }
            boolean denied = cause.getReason() instanceof AMQP.Channel.Close c && c.getReplyCode() == 403;
            failure = new JtroveException(denied ? 403 : 500, "The broker refused the message: " + reason(cause));
        } else {
            failure = new ConnectionLost("connection lost (" + reason(cause) + ")");
        }
        for (Long seq : pending.keySet()) {
            Pending p = pending.remove(seq);
            if (p != null) {
                p.outcome().completeExceptionally(failure);
            }
        }
        returned.clear();
    }

    static String reason(ShutdownSignalException cause) {
        Object reason = cause.getReason();
        if (reason instanceof AMQP.Channel.Close c) {
            return c.getReplyCode() + " " + c.getReplyText();
        }
        if (reason instanceof AMQP.Connection.Close c) {
            return c.getReplyCode() + " " + c.getReplyText();
        }
        return String.valueOf(cause.getMessage());
    }
}
