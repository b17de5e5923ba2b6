package org.jtrove.bus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.jtrove.model.JtroveException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class InProcessBusTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private InProcessBus bus;
    /** Released in tearDown so no handler thread stays blocked. */
    private final CountDownLatch release = new CountDownLatch(1);

    @BeforeEach
    void setUp() {
        bus = new InProcessBus();
    }

    @AfterEach
    void tearDown() {
        release.countDown();
        bus.close();
    }

    private static JtroveException jtrove(Throwable t) {
        assertThat(t).isInstanceOf(JtroveException.class);
        return (JtroveException) t;
    }

    // ---- cast ----------------------------------------------------------------------------------------------

    @Test
    void castDeliversADecodedCopyThatLaterMutationsDoNotReach() throws Exception {
        CountDownLatch handlerMayRun = new CountDownLatch(1);
        AtomicReference<Message> received = new AtomicReference<>();
        bus.subscribe("t", m -> {
            handlerMayRun.await(5, TimeUnit.SECONDS);
            received.set(m);
            return null;
        });

        Map<String, Object> args = new HashMap<>();
        args.put("name", "before");
        args.put("items", new ArrayList<>(List.of("a", "b")));
        Message sent = Message.of("do_it", args);

        bus.cast("t", sent);
        // mutate everything the sender still holds while the handler has not run yet
        ((ObjectNode) sent.args()).put("name", "after").put("extra", true);
        ((ArrayNode) sent.args().get("items")).add("c");
        args.put("name", "after-map");
        handlerMayRun.countDown();

        await().atMost(Duration.ofSeconds(5)).until(() -> received.get() != null);
        Message got = received.get();
        assertThat(got).isNotSameAs(sent);
        assertThat(got.args()).isNotSameAs(sent.args());
        assertThat(got.method()).isEqualTo("do_it");
        assertThat(got.args().get("name").asText()).isEqualTo("before");
        assertThat(got.args().has("extra")).isFalse();
        assertThat(got.args().get("items")).hasSize(2);
        assertThat(got.args().get("items").get(1).asText()).isEqualTo("b");
    }

    @Test
    void handlerMutatingItsMessageDoesNotTouchTheSendersObject() {
        CountDownLatch done = new CountDownLatch(1);
        bus.subscribe("t", m -> {
            ((ObjectNode) m.args()).put("n", 99);
            done.countDown();
            return null;
        });
        Message sent = Message.of("m", Map.of("n", 1));
        bus.cast("t", sent);
        await().atMost(Duration.ofSeconds(5)).until(() -> done.getCount() == 0);
        assertThat(sent.args().get("n").asInt()).isEqualTo(1);
    }

    @Test
    void castWithoutServerIsDroppedQuietly() {
        bus.cast("nobody", Message.of("m", Map.of()));
    }

    @Test
    void castHandlerFailureDoesNotStopTheTopic() {
        List<Integer> seen = Collections.synchronizedList(new ArrayList<>());
        bus.subscribe("t", m -> {
            int n = m.args().get("n").asInt();
            if (n == 1) {
                throw new IllegalStateException("boom");
            }
            seen.add(n);
            return null;
        });
        bus.cast("t", Message.of("m", Map.of("n", 1)));
        bus.cast("t", Message.of("m", Map.of("n", 2)));
        await().atMost(Duration.ofSeconds(5)).until(() -> seen.contains(2));
    }

    // ---- call ----------------------------------------------------------------------------------------------

    @Test
    void callReturnsTheReply() {
        bus.subscribe("t", m -> Map.of("echo", m.args().get("x").asText(), "method", m.method(), "list", List.of(1, 2)));
        JsonNode reply = bus.call("t", Message.of("ping", Map.of("x", "hello")), TIMEOUT);
        assertThat(reply.get("echo").asText()).isEqualTo("hello");
        assertThat(reply.get("method").asText()).isEqualTo("ping");
        assertThat(reply.get("list").get(1).asInt()).isEqualTo(2);
    }

    @Test
    void callWithRecordArgumentsAndReply() {
        record Point(int x, int y) {}
        bus.subscribe("t", m -> {
            Point p = m.args(Point.class);
            return new Point(p.y(), p.x());
        });
        JsonNode reply = bus.call("t", Message.of("swap", new Point(1, 2)), TIMEOUT);
        assertThat(reply.get("x").asInt()).isEqualTo(2);
        assertThat(reply.get("y").asInt()).isEqualTo(1);
    }

    @Test
    void callToHandlerReturningNullGivesNoValue() {
        bus.subscribe("t", m -> null);
        JsonNode reply = bus.call("t", Message.of("m", Map.of()), TIMEOUT);
        assertThat(reply == null || reply.isNull()).isTrue();
    }

    @Test
    void jtroveExceptionFromTheHandlerArrivesWithItsStatusAndMessage() {
        bus.subscribe("t", m -> {
            throw JtroveException.conflict("Instance abc is busy; try later.");
        });
        assertThatThrownBy(() -> bus.call("t", Message.of("m", Map.of()), TIMEOUT))
                .satisfies(t -> {
                    JtroveException e = jtrove(t);
                    assertThat(e.status()).isEqualTo(409);
                    assertThat(e.getMessage()).isEqualTo("Instance abc is busy; try later.");
                });
    }

    @Test
    void allowListedStatusesSurviveToo() {
        bus.subscribe("t", m -> {
            throw new JtroveException(m.args().get("status").asInt(), "status " + m.args().get("status").asInt());
        });
        for (int status : new int[] {400, 404, 409, 422, 501}) {
            assertThatThrownBy(() -> bus.call("t", Message.of("m", Map.of("status", status)), TIMEOUT))
                    .satisfies(t -> {
                        assertThat(jtrove(t).status()).isEqualTo(status);
                        assertThat(t.getMessage()).isEqualTo("status " + status);
                    });
        }
    }

    @Test
    void statusesOffTheAllowListBecome500WithAReference() {
        bus.subscribe("t", m -> {
            throw new JtroveException(m.args().get("status").asInt(), "reason " + m.args().get("status"));
        });
        for (int status : new int[] {401, 403, 413, 418, 500, 503}) {
            assertThatThrownBy(() -> bus.call("t", Message.of("m", Map.of("status", status)), TIMEOUT))
                    .satisfies(t -> {
                        assertThat(jtrove(t).status()).isEqualTo(500);
                        assertThat(t).isNotInstanceOf(UnavailableException.class);
                        assertThat(t.getMessage()).startsWith("reason " + status + " (t failed on m; log reference ");
                    });
        }
        bus.subscribe("long", m -> {
            throw new JtroveException(500, "x".repeat(5000));
        });
        assertThatThrownBy(() -> bus.call("long", Message.of("m", Map.of()), TIMEOUT))
                .satisfies(t -> assertThat(t.getMessage()).hasSizeLessThan(700).contains("x".repeat(500) + "..."));
    }

    @Test
    void unexpectedHandlerExceptionArrivesAs500WithoutItsDetails() {
        bus.subscribe("t", m -> {
            throw new IllegalArgumentException("kaput at /internal/path");
        });
        assertThatThrownBy(() -> bus.call("t", Message.of("m", Map.of()), TIMEOUT))
                .satisfies(t -> {
                    assertThat(jtrove(t).status()).isEqualTo(500);
                    assertThat(t.getMessage()).doesNotContain("kaput", "/internal/path").contains("reference");
                });
    }

    @Test
    void callWithoutServerGives503() {
        assertThatThrownBy(() -> bus.call("nobody", Message.of("m", Map.of()), TIMEOUT))
                .isInstanceOf(UnavailableException.class)
                .satisfies(t -> {
                    assertThat(jtrove(t).status()).isEqualTo(503);
                    assertThat(t.getMessage()).contains("nobody");
                });
    }

    @Test
    void callToAGuestThatDoesNotAnswerNamesTheInstance() {
        bus.declare(Topics.guest("abc"));
        assertThatThrownBy(() -> bus.call(Topics.guest("abc"), Message.of("prepare", Map.of()), Duration.ofMillis(100)))
                .isInstanceOf(UnavailableException.class)
                .hasMessageContaining("guest agent of instance abc")
                .hasMessageContaining("prepare")
                .satisfies(t -> assertThat(((UnavailableException) t).topic()).isEqualTo("guestagent.abc"));
    }

    @Test
    void slowHandlerGives503AfterTheTimeout() {
        bus.subscribe("slow", m -> {
            release.await(10, TimeUnit.SECONDS);
            return "late";
        });
        long start = System.nanoTime();
        assertThatThrownBy(() -> bus.call("slow", Message.of("m", Map.of()), Duration.ofMillis(200)))
                .isInstanceOf(UnavailableException.class)
                .satisfies(t -> assertThat(jtrove(t).status()).isEqualTo(503));
        long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertThat(elapsedMs).isBetween(150L, 5_000L);
    }

    // ---- ordering, subscriptions ---------------------------------------------------------------------------

    @Test
    void messagesToOneTopicAreHandledOneAtATimeInOrder() {
        int count = 200;
        List<Integer> seen = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger maxInside = new AtomicInteger();
        bus.subscribe("t", m -> {
            maxInside.accumulateAndGet(inside.incrementAndGet(), Math::max);
            if (m.args().get("n").asInt() % 20 == 0) {
                Thread.sleep(2);
            }
            seen.add(m.args().get("n").asInt());
            inside.decrementAndGet();
            return null;
        });
        for (int i = 0; i < count; i++) {
            if (i % 50 == 49) {
                bus.call("t", Message.of("m", Map.of("n", i)), TIMEOUT);
            } else {
                bus.cast("t", Message.of("m", Map.of("n", i)));
            }
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> seen.size() == count);
        List<Integer> expected = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            expected.add(i);
        }
        assertThat(seen).containsExactlyElementsOf(expected);
        assertThat(maxInside.get()).isEqualTo(1);
    }

    @Test
    void subscribingATopicTwiceFails() {
        bus.subscribe("t", m -> "first");
        assertThatThrownBy(() -> bus.subscribe("t", m -> "second"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("t");
        // the first server still serves the topic
        assertThat(bus.call("t", Message.of("m", Map.of()), TIMEOUT).asText()).isEqualTo("first");
    }

    @Test
    void topicsAreIndependent() {
        bus.subscribe("a", m -> "A");
        bus.subscribe("b", m -> "B");
        assertThat(bus.call("a", Message.of("m", Map.of()), TIMEOUT).asText()).isEqualTo("A");
        assertThat(bus.call("b", Message.of("m", Map.of()), TIMEOUT).asText()).isEqualTo("B");
    }

    @Test
    void closingTheSubscriptionFreesTheTopic() {
        MessageBus.Subscription sub = bus.subscribe("t", m -> "first");
        sub.close();
        assertThatThrownBy(() -> bus.call("t", Message.of("m", Map.of()), TIMEOUT))
                .satisfies(t -> assertThat(jtrove(t).status()).isEqualTo(503));
        bus.subscribe("t", m -> "second");
        assertThat(bus.call("t", Message.of("m", Map.of()), TIMEOUT).asText()).isEqualTo("second");
    }

    @Test
    void closingTheBusRemovesAllServers() {
        bus.subscribe("t", m -> "x");
        bus.close();
        assertThatThrownBy(() -> bus.call("t", Message.of("m", Map.of()), TIMEOUT))
                .satisfies(t -> assertThat(jtrove(t).status()).isEqualTo(503));
    }

    @Test
    void taskmanagerApiCastsRunTask() {
        AtomicReference<Message> received = new AtomicReference<>();
        bus.subscribe(Topics.TASKMANAGER, m -> {
            received.set(m);
            return null;
        });
        new TaskmanagerApi(bus).runTask("task-1");
        await().atMost(Duration.ofSeconds(5)).until(() -> received.get() != null);
        assertThat(received.get().method()).isEqualTo("run_task");
        assertThat(received.get().args().get("task_id").asText()).isEqualTo("task-1");
    }

    // ---- envelope, request ids ------------------------------------------------------------------------------

    @Test
    void everyMessageArrivesWithAnEnvelope() {
        AtomicReference<Message> received = new AtomicReference<>();
        bus.subscribe("t", m -> {
            received.set(m);
            return null;
        });
        java.time.Instant before = java.time.Instant.now();
        bus.call("t", Message.of("m", Map.of()), TIMEOUT);
        Envelope e = received.get().envelope();
        assertThat(e.version()).isEqualTo(Envelope.VERSION);
        assertThat(e.messageId()).isNotBlank();
        assertThat(e.sender()).isEqualTo("jtrove");
        assertThat(e.sent()).isBetween(before, java.time.Instant.now());
        assertThat(bus.authenticatesSenders()).isFalse();
    }

    @Test
    void theRequestIdOfTheSenderIsSetAroundTheHandler() {
        AtomicReference<String> inHandler = new AtomicReference<>();
        AtomicReference<String> inEnvelope = new AtomicReference<>();
        bus.subscribe("t", m -> {
            inHandler.set(RequestIds.current());
            inEnvelope.set(m.envelope().requestId());
            return null;
        });
        try (RequestIds.Scope ignored = RequestIds.open("req-123")) {
            bus.cast("t", Message.of("m", Map.of()));
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> inHandler.get() != null);
        assertThat(inHandler.get()).isEqualTo("req-123");
        assertThat(inEnvelope.get()).isEqualTo("req-123");
        assertThat(RequestIds.current()).isNull();
        // the next message without a request id does not inherit the previous one
        bus.call("t", Message.of("m", Map.of()), TIMEOUT);
        assertThat(inEnvelope.get()).isNull();
        assertThat(inHandler.get()).isNull();
    }

    @Test
    void messagesOfANewerEnvelopeVersionAreRefused() {
        Message future = Message.of("m", Map.of()).withEnvelope(
                new Envelope(Envelope.VERSION + 1, "id", "x", java.time.Instant.now(), null));
        assertThatThrownBy(() -> Wire.decode(Wire.encode(future)))
                .satisfies(t -> assertThat(jtrove(t).status()).isEqualTo(400))
                .hasMessageContaining("version");
        assertThatThrownBy(() -> Wire.decode("not json")).satisfies(t -> assertThat(jtrove(t).status()).isEqualTo(400));
    }

    // ---- declared topics, batches --------------------------------------------------------------------------

    @Test
    void aDeclaredTopicKeepsMessagesUntilItsServerComes() {
        bus.declare("guestagent.x");
        bus.declare("guestagent.x");   // idempotent
        bus.cast("guestagent.x", Message.of("first", Map.of()));
        bus.cast("guestagent.x", Message.of("second", Map.of()));
        List<String> seen = Collections.synchronizedList(new ArrayList<>());
        MessageBus.Subscription sub = bus.subscribe("guestagent.x", m -> seen.add(m.method()));
        await().atMost(Duration.ofSeconds(5)).until(() -> seen.size() == 2);
        assertThat(seen).containsExactly("first", "second");

        // the queue outlives its server, as a broker's would
        sub.close();
        bus.cast("guestagent.x", Message.of("third", Map.of()));
        bus.subscribe("guestagent.x", m -> seen.add(m.method()));
        await().atMost(Duration.ofSeconds(5)).until(() -> seen.size() == 3);

        bus.delete("guestagent.x");
        bus.delete("guestagent.x");
        assertThatThrownBy(() -> bus.call("guestagent.x", Message.of("m", Map.of()), TIMEOUT))
                .isInstanceOf(UnavailableException.class);
    }

    @Test
    void aCallWaitingInADeclaredTopicIsAnsweredOnceTheServerComes() throws Exception {
        bus.declare("late");
        CompletableFuture<JsonNode> reply = CompletableFuture.supplyAsync(
                () -> bus.call("late", Message.of("m", Map.of("x", 7)), TIMEOUT));
        Thread.sleep(200);
        bus.subscribe("late", m -> m.args().get("x").asInt() * 6);
        assertThat(reply.get(5, TimeUnit.SECONDS).asInt()).isEqualTo(42);
    }

    @Test
    void batchesHoldWhateverArrivedInOrder() throws Exception {
        CountDownLatch firstBatchStarted = new CountDownLatch(1);
        CountDownLatch mayGoOn = new CountDownLatch(1);
        List<List<Integer>> batches = Collections.synchronizedList(new ArrayList<>());
        bus.subscribe("b", 10, messages -> {
            batches.add(messages.stream().map(m -> m.args().get("n").asInt()).toList());
            firstBatchStarted.countDown();
            mayGoOn.await(5, TimeUnit.SECONDS);
            return messages.stream().map(m -> m.args().get("n").asInt() * 2).toList();
        });
        bus.cast("b", Message.of("m", Map.of("n", 0)));
        assertThat(firstBatchStarted.await(5, TimeUnit.SECONDS)).isTrue();
        for (int i = 1; i <= 25; i++) {
            bus.cast("b", Message.of("m", Map.of("n", i)));
        }
        CompletableFuture<JsonNode> reply = CompletableFuture.supplyAsync(
                () -> bus.call("b", Message.of("m", Map.of("n", 26)), TIMEOUT));
        Thread.sleep(100);
        mayGoOn.countDown();
        assertThat(reply.get(5, TimeUnit.SECONDS).asInt()).isEqualTo(52);
        assertThat(batches).allSatisfy(b -> assertThat(b).hasSizeBetween(1, 10));
        assertThat(batches.stream().flatMap(List::stream).toList())
                .containsExactlyElementsOf(java.util.stream.IntStream.rangeClosed(0, 26).boxed().toList());
        assertThat(batches.get(1)).hasSize(10);
    }

    @Test
    void aFailingBatchFailsEachCallInIt() {
        bus.subscribe("b", 5, messages -> {
            throw JtroveException.conflict("busy");
        });
        assertThatThrownBy(() -> bus.call("b", Message.of("m", Map.of()), TIMEOUT))
                .satisfies(t -> assertThat(jtrove(t).status()).isEqualTo(409));
        bus.subscribe("c", 5, messages -> List.of());
        assertThatThrownBy(() -> bus.call("c", Message.of("m", Map.of()), TIMEOUT))
                .satisfies(t -> assertThat(jtrove(t).status()).isEqualTo(500));
    }

    @Test
    void topicNames() {
        assertThat(Topics.CONDUCTOR).isEqualTo("trove-conductor");
        assertThat(Topics.TASKMANAGER).isEqualTo("taskmanager");
        assertThat(Topics.guest("abc")).isEqualTo("guestagent.abc");
    }
}
