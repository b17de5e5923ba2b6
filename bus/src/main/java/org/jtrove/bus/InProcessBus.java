package org.jtrove.bus;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jtrove.model.JtroveException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The default bus: one queue and one handler thread per topic inside this JVM. Every message and reply is encoded
 * to JSON text and decoded again, so no object is shared between sender and receiver. Senders are not
 * authenticated: everything in the process is trusted, and every envelope names this bus's sender.
 */
public final class InProcessBus implements MessageBus {
    private static final Logger LOG = LoggerFactory.getLogger(InProcessBus.class);
    private static final String THREAD_PREFIX = "bus-";
    private final String sender;
    private final Map<String, Topic> topics = new ConcurrentHashMap<>();

    /** A bus whose messages name {@code jtrove} as their sender. */
    public InProcessBus() {
        this("jtrove");
    }

    public InProcessBus(String sender) {
        this.sender = sender;
    }

    @Override
    public void cast(String topic, Message message) {
        Message m = message.withEnvelope(Envelope.stamp(sender));
        String wire = Wire.encode(m);
        Hops.sent("cast", topic, m);
        Topic t = topics.get(topic);
        if (t == null || !t.offer(new Delivery(wire, null))) {
            LOG.warn("cast {} to {}: no server on the topic, dropped", m.method(), topic);
        }
    }

    @Override
    public JsonNode call(String topic, Message message, Duration timeout) {
        Message m = message.withEnvelope(Envelope.stamp(sender));
        String wire = Wire.encode(m);
        Hops.sent("call", topic, m);
        CompletableFuture<String> reply = new CompletableFuture<>();
        Topic t = topics.get(topic);
        if (t == null || !t.offer(new Delivery(wire, reply))) {
            throw UnavailableException.noServer(topic);
        }
        try {
            String text = reply.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            Hops.replied(topic, m);
            return Replies.decode(text, topic, m.method());
        } catch (TimeoutException e) {
            throw UnavailableException.noReply(topic, m.method(), timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw UnavailableException.notSent(topic, m.method(), "interrupted while waiting for the reply");
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    @Override
    public void declare(String topic) {
        topics.computeIfAbsent(topic, Topic::new).declared = true;
    }

    @Override
    public void delete(String topic) {
        Topic t = topics.remove(topic);
        if (t != null) {
            t.stop();
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

    private Subscription serve(String topic, TopicServer server) {
        Topic t = topics.computeIfAbsent(topic, Topic::new);
        Thread worker = t.start(server);
        return () -> {
            if (!t.declared) {
                topics.remove(topic, t);
            }
            t.stop(worker);
        };
    }

    @Override
    public boolean authenticatesSenders() {
        return false;
    }

    /** Interrupts every topic's server first, then waits for each, as a stopped server does no more work. */
    @Override
    public void close() {
        List<Topic> all = new ArrayList<>(topics.values());
        topics.clear();
        all.forEach(Topic::interrupt);
        all.forEach(Topic::stop);
    }

    private record Delivery(String wire, CompletableFuture<String> reply) {}

    /** One topic: its waiting messages and the thread of its server, if any. */
    private static final class Topic {
        private final String name;
        private final LinkedBlockingQueue<Delivery> queue = new LinkedBlockingQueue<>();
        private volatile boolean declared;
        private Thread worker;

        Topic(String name) {
            this.name = name;
        }

        /** Queues a message when the topic has a server or was declared. */
        synchronized boolean offer(Delivery d) {
            if (worker == null && !declared) {
                return false;
            }
            queue.add(d);
            return true;
        }

        synchronized Thread start(TopicServer server) {
            if (worker != null) {
                throw new IllegalStateException("topic " + name + " already has a server");
            }
            worker = new Thread(() -> work(server), THREAD_PREFIX + name);
            worker.setDaemon(true);
            worker.start();
            return worker;
        }

        synchronized void interrupt() {
            if (worker != null) {
                worker.interrupt();
            }
        }

        void stop() {
            Thread w;
            synchronized (this) {
                w = worker;
            }
            if (w != null) {
                stop(w);
            }
        }

        /** Interrupts the server's thread and waits for it to finish, so a stopped server does no more work. */
        void stop(Thread w) {
            synchronized (this) {
                if (worker == w) {
                    worker = null;
                }
                if (!declared) {
                    queue.clear();
                }
            }
            w.interrupt();
            if (Thread.currentThread() == w || Thread.currentThread().getName().startsWith(THREAD_PREFIX)) {
                return;
            }
            try {
                w.join(30_000);
                if (w.isAlive()) {
                    LOG.warn("the server of {} did not stop within 30 s", name);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        private synchronized boolean serving(Thread t) {
            return worker == t;
        }

        private void work(TopicServer server) {
            Thread self = Thread.currentThread();
            List<Delivery> batch = new ArrayList<>(server.maxBatch());
            while (serving(self)) {
                try {
                    batch.add(queue.take());
                } catch (InterruptedException e) {
                    return;
                }
                queue.drainTo(batch, server.maxBatch() - 1);
                handle(batch, server);
                batch.clear();
            }
        }

        private void handle(List<Delivery> batch, TopicServer server) {
            List<Delivery> accepted = new ArrayList<>(batch.size());
            List<Message> messages = new ArrayList<>(batch.size());
            for (Delivery d : batch) {
                try {
                    Message m = Wire.decode(d.wire());
                    Hops.received(name, m);
                    messages.add(m);
                    accepted.add(d);
                } catch (JtroveException e) {
                    LOG.warn("{}: refused a message: {}", name, e.getMessage());
                    if (d.reply() != null) {
                        d.reply().complete(Replies.refusal(e).text());
                    }
                }
            }
            if (messages.isEmpty()) {
                return;
            }
            List<Replies.Reply> replies = server.serve(messages);
            for (int i = 0; i < accepted.size(); i++) {
                Delivery d = accepted.get(i);
                Replies.Reply r = replies.get(i);
                if (d.reply() != null) {
                    d.reply().complete(r.text());
                } else if (r.error() != null) {
                    LOG.warn("cast {} on {} failed: {}", messages.get(i).method(), name, r.error());
                }
            }
        }
    }
}
