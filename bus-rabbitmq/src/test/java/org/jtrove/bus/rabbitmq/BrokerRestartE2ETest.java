package org.jtrove.bus.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.IntStream;
import org.jtrove.bus.Message;
import org.jtrove.bus.Topics;
import org.jtrove.bus.UnavailableException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The broker is killed (SIGKILL) and started again while messages flow: buses reconnect by themselves with their
 * queues, bindings and consumers, and no message the broker confirmed is lost.
 */
@Tag("e2e")
class BrokerRestartE2ETest {
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static RabbitBroker broker;

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

    @Test
    void aBrokerRestartMidTrafficLosesNoConfirmedMessageAndEveryoneReconnects() throws Exception {
        String topic = Topics.TASKMANAGER;
        String waitingGuest = Topics.guest("restart-" + System.nanoTime());
        try (RabbitMqBus server = RabbitMqBus.connect(broker.config());
             RabbitMqBus producer = RabbitMqBus.connect(broker.config());
             RabbitMqBus caller = RabbitMqBus.connect(broker.config())) {
            Set<Integer> received = Collections.synchronizedSet(new HashSet<>());
            server.subscribe(topic, m -> {
                received.add(m.args().get("n").asInt());
                return m.args().get("n").asInt();
            });
            assertThat(caller.call(topic, Message.of("m", Map.of("n", -1)), Duration.ofSeconds(10)).asInt()).isEqualTo(-1);
            // messages waiting for a guest that is not there yet must survive the restart too
            producer.declare(waitingGuest);
            for (int i = 0; i < 20; i++) {
                producer.cast(waitingGuest, Message.of("m", Map.of("n", i)));
            }

            List<Integer> confirmed = Collections.synchronizedList(new ArrayList<>());
            List<Integer> failed = Collections.synchronizedList(new ArrayList<>());
            AtomicBoolean stop = new AtomicBoolean();
            CompletableFuture<Void> traffic = CompletableFuture.runAsync(() -> {
                for (int n = 0; !stop.get(); n++) {
                    try {
                        producer.cast(topic, Message.of("m", Map.of("n", n)));
                        confirmed.add(n);
                    } catch (UnavailableException e) {
                        failed.add(n);
                    }
                }
            });
            await().atMost(WAIT).until(() -> confirmed.size() > 200);
            broker.kill();
            int beforeRestart = confirmed.size();
            broker.restart();
            await().atMost(WAIT).until(() -> confirmed.size() > beforeRestart + 200);
            stop.set(true);
            traffic.get(WAIT.toSeconds(), TimeUnit.SECONDS);

            await().atMost(WAIT).until(() -> received.containsAll(confirmed));
            assertThat(failed).as("casts wait for the broker to come back").isEmpty();
            // calls work again: the caller's exclusive reply queue was declared anew
            await().atMost(WAIT).ignoreExceptions().until(() ->
                    caller.call(topic, Message.of("m", Map.of("n", -2)), Duration.ofSeconds(5)).asInt() == -2);

            Set<Integer> guestGot = Collections.synchronizedSet(new HashSet<>());
            try (RabbitMqBus guest = RabbitMqBus.connect(broker.config())) {
                guest.subscribe(waitingGuest, m -> guestGot.add(m.args().get("n").asInt()));
                await().atMost(WAIT).until(() -> guestGot.size() == 20);
            }
            assertThat(guestGot).containsExactlyInAnyOrderElementsOf(IntStream.range(0, 20).boxed().toList());
            producer.delete(waitingGuest);
            producer.delete(topic);
        }
    }
}
