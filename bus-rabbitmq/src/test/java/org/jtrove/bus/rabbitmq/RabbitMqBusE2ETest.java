package org.jtrove.bus.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import org.jtrove.bus.Envelope;
import org.jtrove.bus.Message;
import org.jtrove.bus.RequestIds;
import org.jtrove.bus.Topics;
import org.jtrove.bus.UnavailableException;
import org.jtrove.bus.Wire;
import org.jtrove.model.JtroveException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** The RabbitMQ bus against a real broker: calls, casts, envelopes, declared queues, competing consumers, acks. */
@Tag("e2e")
class RabbitMqBusE2ETest {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static RabbitBroker broker;
    private final List<AutoCloseable> closing = new ArrayList<>();
    private RabbitMqBus bus;

    @BeforeAll
    static void startBroker() {
        broker = RabbitBroker.start();
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    @BeforeEach
    void connect() {
        bus = connectNew();
    }

    @AfterEach
    void closeAll() throws Exception {
        Collections.reverse(closing);
        for (AutoCloseable c : closing) {
            c.close();
        }
    }

    private RabbitMqBus connectNew() {
        RabbitMqBus b = RabbitMqBus.connect(broker.config());
        closing.add(b);
        return b;
    }

    private static String topic() {
        return "t-" + UUID.randomUUID();
    }

    private static JtroveException jtrove(Throwable t) {
        assertThat(t).isInstanceOf(JtroveException.class);
        return (JtroveException) t;
    }

    // ---- calls ---------------------------------------------------------------------------------------------

    @Test
    void callReturnsTheReplyFromAnotherConnection() {
        record Point(int x, int y) {}
        String t = topic();
        bus.subscribe(t, m -> {
            Point p = m.args(Point.class);
            return Map.of("swapped", new Point(p.y(), p.x()), "method", m.method());
        });
        JsonNode reply = connectNew().call(t, Message.of("swap", new Point(1, 2)), TIMEOUT);
        assertThat(reply.get("swapped").get("x").asInt()).isEqualTo(2);
        assertThat(reply.get("method").asText()).isEqualTo("swap");
        // a server may call itself, too
        assertThat(bus.call(t, Message.of("swap", new Point(3, 4)), TIMEOUT).get("swapped").get("y").asInt()).isEqualTo(3);
    }

    @Test
    void remoteErrorsPassOnlyTheAllowListedStatuses() {
        String t = topic();
        bus.subscribe(t, m -> {
            int status = m.args().get("status").asInt();
            if (status == 0) {
                throw new IllegalStateException("kaput at /internal/path");
            }
            throw new JtroveException(status, "detail " + status);
        });
        RabbitMqBus caller = connectNew();
        for (int status : new int[] {400, 404, 409, 422, 501}) {
            assertThatThrownBy(() -> caller.call(t, Message.of("m", Map.of("status", status)), TIMEOUT))
                    .satisfies(e -> assertThat(jtrove(e).status()).isEqualTo(status))
                    .hasMessage("detail " + status);
        }
        for (int status : new int[] {413, 503}) {
            assertThatThrownBy(() -> caller.call(t, Message.of("m", Map.of("status", status)), TIMEOUT))
                    .satisfies(e -> assertThat(jtrove(e).status()).isEqualTo(500))
                    .hasMessageStartingWith("detail " + status + " (" + t + " failed on m; log reference ");
        }
        assertThatThrownBy(() -> caller.call(t, Message.of("m", Map.of("status", 0)), TIMEOUT))
                .satisfies(e -> assertThat(jtrove(e).status()).isEqualTo(500))
                .hasMessageContaining("reference")
                .hasMessageNotContaining("kaput");
    }

    @Test
    void aCallNobodyCanReceiveFailsAtOnceAsUnavailable() {
        long start = System.nanoTime();
        assertThatThrownBy(() -> bus.call(topic(), Message.of("m", Map.of()), TIMEOUT))
                .isInstanceOf(UnavailableException.class)
                .satisfies(e -> assertThat(jtrove(e).status()).isEqualTo(503));
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void aGuestThatDoesNotAnswerIsUnavailableAfterTheTimeout() {
        String instance = UUID.randomUUID().toString();
        bus.declare(Topics.guest(instance));
        closing.add(() -> bus.delete(Topics.guest(instance)));
        long start = System.nanoTime();
        assertThatThrownBy(() -> bus.call(Topics.guest(instance), Message.of("prepare", Map.of()), Duration.ofMillis(700)))
                .isInstanceOf(UnavailableException.class)
                .hasMessageContaining("guest agent of instance " + instance)
                .hasMessageContaining("prepare");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(600), Duration.ofSeconds(5));
        // the unanswered call expired in the queue with its caller: a guest starting later does not run it
        await().atMost(WAIT).until(() -> broker.ready(Topics.guest(instance)) == 0);
    }

    @Test
    void aSlowServerIsUnavailableAfterTheTimeoutAndItsLateReplyIsDropped() throws Exception {
        String t = topic();
        CountDownLatch release = new CountDownLatch(1);
        bus.subscribe(t, m -> {
            if (m.method().equals("slow")) {
                release.await(10, TimeUnit.SECONDS);
            }
            return m.method();
        });
        RabbitMqBus caller = connectNew();
        assertThatThrownBy(() -> caller.call(t, Message.of("slow", Map.of()), Duration.ofMillis(300)))
                .isInstanceOf(UnavailableException.class);
        release.countDown();
        assertThat(caller.call(t, Message.of("fast", Map.of()), TIMEOUT).asText()).isEqualTo("fast");
    }

    // ---- envelope, request id, sender ------------------------------------------------------------------------

    @Test
    void theEnvelopeCarriesTheValidatedSenderAndTheRequestIdOnEveryHop() {
        ListAppender<ILoggingEvent> hops = new ListAppender<>();
        Logger hopLog = (Logger) LoggerFactory.getLogger("org.jtrove.bus.hops");
        Level before = hopLog.getLevel();
        hopLog.setLevel(Level.DEBUG);
        hopLog.addAppender(hops);
        hops.start();
        try {
            String t = topic();
            AtomicReference<Message> received = new AtomicReference<>();
            AtomicReference<String> mdc = new AtomicReference<>();
            bus.subscribe(t, m -> {
                received.set(m);
                mdc.set(RequestIds.current());
                return null;
            });
            Instant start = Instant.now();
            try (RequestIds.Scope ignored = RequestIds.open("req-4711")) {
                connectNew().call(t, Message.of("m", Map.of()), TIMEOUT);
            }
            Envelope e = received.get().envelope();
            assertThat(e.version()).isEqualTo(Envelope.VERSION);
            assertThat(e.messageId()).isNotBlank();
            assertThat(e.sender()).isEqualTo(bus.user());
            assertThat(e.sent()).isBetween(start.minusSeconds(1), Instant.now());
            assertThat(e.requestId()).isEqualTo("req-4711");
            assertThat(mdc.get()).isEqualTo("req-4711");
            assertThat(bus.authenticatesSenders()).isTrue();
            List<String> lines = hops.list.stream().map(ILoggingEvent::getFormattedMessage)
                    .filter(l -> l.contains(e.messageId())).toList();
            assertThat(lines).hasSize(3).allSatisfy(l -> assertThat(l).contains("req-4711"));
            assertThat(lines.get(0)).startsWith("sent call m to " + t);
            assertThat(lines.get(1)).startsWith("received m on " + t);
            assertThat(lines.get(2)).startsWith("reply to m from " + t);
        } finally {
            hopLog.detachAppender(hops);
            hopLog.setLevel(before);
        }
    }

    @Test
    void aSenderNamedInTheBodyIsNotBelievedOnlyTheBrokersUserId() throws Exception {
        String t = topic();
        List<String> senders = Collections.synchronizedList(new ArrayList<>());
        bus.subscribe(t, m -> senders.add(String.valueOf(m.sender())));
        Message forged = Message.of("heartbeat", Map.of()).withEnvelope(Envelope.stamp("guestagent.someone-else"));
        try (Connection c = rawConnection(); Channel ch = c.createChannel()) {
            ch.basicPublish("jtrove", t + ".x", new AMQP.BasicProperties.Builder().build(),
                    Wire.encode(forged).getBytes(StandardCharsets.UTF_8));
            ch.basicPublish("jtrove", t + ".x", new AMQP.BasicProperties.Builder().userId(bus.user()).build(),
                    Wire.encode(forged).getBytes(StandardCharsets.UTF_8));
        }
        await().atMost(WAIT).until(() -> senders.size() == 2);
        assertThat(senders).containsExactly("null", bus.user());
    }

    private static Connection rawConnection() throws Exception {
        TransportUrl url = broker.config().transportUrl();
        ConnectionFactory f = new ConnectionFactory();
        f.setPort(broker.amqpPort());
        f.setUsername(url.user());
        f.setPassword(url.password());
        return f.newConnection();
    }

    // ---- casts and declared queues ---------------------------------------------------------------------------

    @Test
    void aCastToATopicWithoutQueueIsDroppedQuietly() {
        bus.cast(topic(), Message.of("m", Map.of()));
    }

    @Test
    void whatIsSentToADeclaredGuestQueueWaitsForTheGuestAgent() throws Exception {
        String guest = Topics.guest(UUID.randomUUID().toString());
        bus.declare(guest);
        bus.declare(guest);   // idempotent
        closing.add(() -> bus.delete(guest));
        for (int i = 0; i < 3; i++) {
            bus.cast(guest, Message.of("cast", Map.of("n", i)));
        }
        CompletableFuture<JsonNode> prepare = CompletableFuture.supplyAsync(
                () -> bus.call(guest, Message.of("prepare", Map.of("n", 3)), Duration.ofSeconds(30)));
        Thread.sleep(1_000);   // the guest agent is still "booting"
        List<Integer> seen = Collections.synchronizedList(new ArrayList<>());
        connectNew().subscribe(guest, m -> {
            seen.add(m.args().get("n").asInt());
            return "prepared";
        });
        assertThat(prepare.get(30, TimeUnit.SECONDS).asText()).isEqualTo("prepared");
        assertThat(seen).containsExactly(0, 1, 2, 3);
    }

    @Test
    void deleteRemovesTheQueueAndIsIdempotent() {
        String guest = Topics.guest(UUID.randomUUID().toString());
        bus.declare(guest);
        assertThat(broker.queues()).contains(guest);
        bus.delete(guest);
        bus.delete(guest);
        assertThat(broker.queues()).doesNotContain(guest);
        assertThat(broker.management("/api/bindings/%2F")).noneMatch(b -> b.path("destination").asText().equals(guest));
    }

    @Test
    void queuesAreDurableAndQuorumWhenConfigured() {
        String classic = topic();
        bus.declare(classic);
        RabbitMqBus quorumBus = RabbitMqBus.connect(broker.config(Map.of(
                MessagingConfig.Key.RABBIT_QUORUM_QUEUE.path(), "true",
                MessagingConfig.Key.CONTROL_EXCHANGE.path(), "jtrove-quorum")));
        closing.add(quorumBus);
        String quorum = topic();
        List<Integer> seen = Collections.synchronizedList(new ArrayList<>());
        quorumBus.subscribe(quorum, m -> seen.add(m.args().get("n").asInt()));
        quorumBus.cast(quorum, Message.of("m", Map.of("n", 1)));
        assertThat(quorumBus.call(quorum, Message.of("m", Map.of("n", 2)), TIMEOUT).asBoolean()).isTrue();
        assertThat(seen).containsExactly(1, 2);

        JsonNode q = broker.management("/api/queues/%2F/" + quorum);
        assertThat(q.path("type").asText()).isEqualTo("quorum");
        assertThat(q.path("durable").asBoolean()).isTrue();
        JsonNode c = broker.management("/api/queues/%2F/" + classic);
        assertThat(c.path("type").asText()).isEqualTo("classic");
        assertThat(c.path("durable").asBoolean()).isTrue();
        assertThat(broker.management("/api/exchanges/%2F/jtrove-quorum").path("type").asText()).isEqualTo("topic");
        bus.delete(classic);
        quorumBus.delete(quorum);
    }

    // ---- servers ---------------------------------------------------------------------------------------------

    @Test
    void competingConsumersOnSeveralConnectionsShareATopicWithoutDuplicates() {
        String t = topic();
        List<Integer> first = Collections.synchronizedList(new ArrayList<>());
        List<Integer> second = Collections.synchronizedList(new ArrayList<>());
        bus.subscribe(t, m -> sleepAndAdd(first, m));
        connectNew().subscribe(t, m -> sleepAndAdd(second, m));
        RabbitMqBus sender = connectNew();
        IntStream.range(0, 100).parallel().forEach(i -> sender.cast(t, Message.of("m", Map.of("n", i))));
        await().atMost(WAIT).until(() -> first.size() + second.size() >= 100);
        assertThat(first).isNotEmpty();
        assertThat(second).isNotEmpty();
        List<Integer> all = new ArrayList<>(first);
        all.addAll(second);
        assertThat(all).containsExactlyInAnyOrderElementsOf(IntStream.range(0, 100).boxed().toList());
        bus.delete(t);
    }

    private static Object sleepAndAdd(List<Integer> into, Message m) throws InterruptedException {
        Thread.sleep(5);
        into.add(m.args().get("n").asInt());
        return null;
    }

    @Test
    void aCastThatFailsForAPassingReasonIsTriedAgainAndOneThatFailsForGoodIsNot() {
        String t = topic();
        List<String> attempts = Collections.synchronizedList(new ArrayList<>());
        bus.subscribe(t, m -> {
            String what = m.args().get("what").asText();
            attempts.add(what);
            if (what.equals("store down once") && Collections.frequency(attempts, what) == 1) {
                throw new JtroveException(503, "The metadata store is unavailable");
            }
            if (what.equals("bad")) {
                throw JtroveException.badRequest("malformed");
            }
            return null;
        });
        bus.cast(t, Message.of("m", Map.of("what", "store down once")));
        bus.cast(t, Message.of("m", Map.of("what", "bad")));
        bus.cast(t, Message.of("m", Map.of("what", "fine")));
        await().atMost(WAIT).until(() -> Collections.frequency(attempts, "store down once") == 2
                && attempts.contains("fine"));
        await().atMost(WAIT).until(() -> broker.management("/api/queues/%2F/" + t).path("messages").asInt() == 0);
        assertThat(Collections.frequency(attempts, "bad")).isEqualTo(1);
        bus.delete(t);
    }

    @Test
    void oneServerPerTopicOnOneBus() {
        String t = topic();
        bus.subscribe(t, m -> "first");
        assertThatThrownBy(() -> bus.subscribe(t, m -> "second")).isInstanceOf(IllegalStateException.class);
        assertThat(connectNew().call(t, Message.of("m", Map.of()), TIMEOUT).asText()).isEqualTo("first");
        bus.delete(t);
    }

    @Test
    void batchesTakeWhatIsWaitingInOrder() {
        String t = topic();
        bus.declare(t);
        for (int i = 0; i < 60; i++) {
            bus.cast(t, Message.of("m", Map.of("n", i)));
        }
        List<List<Integer>> batches = Collections.synchronizedList(new ArrayList<>());
        connectNew().subscribe(t, 25, messages -> {
            batches.add(messages.stream().map(m -> m.args().get("n").asInt()).toList());
            return Collections.nCopies(messages.size(), null);
        });
        await().atMost(WAIT).until(() -> batches.stream().mapToInt(List::size).sum() == 60);
        assertThat(batches).allSatisfy(b -> assertThat(b.size()).isBetween(1, 25));
        assertThat(batches.stream().mapToInt(List::size).max().orElse(0)).isGreaterThan(1);
        assertThat(batches.stream().flatMap(List::stream).toList())
                .containsExactlyElementsOf(IntStream.range(0, 60).boxed().toList());
        await().atMost(WAIT).until(() -> broker.management("/api/queues/%2F/" + t).path("messages").asInt() == 0);
        bus.delete(t);
    }

    @Test
    void aMessageHeldByAConsumerWhoseConnectionIsClosedGoesToAnother() throws Exception {
        String t = topic();
        bus.declare(t);
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        RabbitMqBus doomed = connectNew();
        doomed.subscribe(t, m -> {
            inside.countDown();
            release.await(30, TimeUnit.SECONDS);
            return null;
        });
        bus.cast(t, Message.of("m", Map.of("n", 42)));
        assertThat(inside.await(10, TimeUnit.SECONDS)).isTrue();
        // the broker closes the consumer's connection while the message is being handled
        await().atMost(WAIT).until(() -> broker.closeConnections(
                ch -> ch.path("messages_unacknowledged").asInt() > 0) == 1);
        List<Integer> rescued = Collections.synchronizedList(new ArrayList<>());
        connectNew().subscribe(t, m -> rescued.add(m.args().get("n").asInt()));
        await().atMost(WAIT).until(() -> rescued.contains(42));
        release.countDown();
        bus.delete(t);
    }

    @Test
    void aConsumerProcessKilledMidMessageLosesNothing() throws Exception {
        String t = topic();
        bus.declare(t);
        Process consumer = ConsumerProcess.start(broker.config().transportUrl().format(), t);
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(consumer.getInputStream(), StandardCharsets.UTF_8));
            assertThat(out.readLine()).isEqualTo("READY");
            bus.cast(t, Message.of("m", Map.of("n", 7)));
            assertThat(out.readLine()).isEqualTo("HOLDING 7");
            consumer.destroyForcibly();   // SIGKILL, in the middle of handling the message
            assertThat(consumer.waitFor(30, TimeUnit.SECONDS)).isTrue();
        } finally {
            consumer.destroyForcibly();
        }
        Set<Integer> rescued = Collections.synchronizedSet(new HashSet<>());
        connectNew().subscribe(t, m -> rescued.add(m.args().get("n").asInt()));
        await().atMost(WAIT).until(() -> rescued.contains(7));
        bus.delete(t);
    }

    @Test
    void closingABusLeavesNoQueueOrConnectionBehind() {
        Set<String> before = new HashSet<>(broker.queues());
        int connections = broker.management("/api/connections").size();
        RabbitMqBus b = RabbitMqBus.connect(broker.config());
        String t = topic();
        b.subscribe(t, m -> "x");
        assertThat(b.call(t, Message.of("m", Map.of()), TIMEOUT).asText()).isEqualTo("x");
        Set<String> during = new HashSet<>(broker.queues());
        during.removeAll(before);
        assertThat(during).hasSize(2).contains(t).anyMatch(q -> q.startsWith("reply."));
        b.delete(t);
        b.close();
        await().atMost(WAIT).until(() -> new HashSet<>(broker.queues()).equals(before));
        await().atMost(WAIT).until(() -> broker.management("/api/connections").size() == connections);
    }
}
