package org.jtrove.bus.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jtrove.bus.Envelope;
import org.jtrove.bus.Message;
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

/**
 * Per-guest broker users on a real broker: a guest may consume its own queue, answer calls and report to the
 * conductor under its own name, and nothing else.
 */
@Tag("e2e")
class GuestBrokerUsersE2ETest {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static RabbitBroker broker;
    private static GuestBrokerUsers users;
    private final List<AutoCloseable> closing = new ArrayList<>();
    private RabbitMqBus control;
    private String a;
    private String b;
    private GuestCredentials credsA;
    private final List<Message> atConductor = Collections.synchronizedList(new ArrayList<>());
    private final List<Message> atTaskmanager = Collections.synchronizedList(new ArrayList<>());
    private final List<Message> atGuestB = Collections.synchronizedList(new ArrayList<>());

    @BeforeAll
    static void startBroker() {
        broker = RabbitBroker.start();
        users = new GuestBrokerUsers(broker.config());
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    @BeforeEach
    void twoGuests() {
        control = RabbitMqBus.connect(broker.config());
        closing.add(control);
        a = UUID.randomUUID().toString();
        b = UUID.randomUUID().toString();
        control.declare(Topics.guest(a));
        control.declare(Topics.guest(b));
        credsA = users.create(a);
        users.create(b);
        closing.add(control.subscribe(Topics.CONDUCTOR, atConductor::add));
        closing.add(control.subscribe(Topics.TASKMANAGER, atTaskmanager::add));
        closing.add(control.subscribe(Topics.guest(b), atGuestB::add));
    }

    @AfterEach
    void cleanUp() throws Exception {
        Collections.reverse(closing);
        for (AutoCloseable c : closing) {
            c.close();
        }
        for (String id : new String[] {a, b}) {
            users.delete(id);
            try (RabbitMqBus admin = RabbitMqBus.connect(broker.config())) {
                admin.delete(Topics.guest(id));
            }
        }
        assertThat(users.instances()).doesNotContain(a, b);
    }

    private MessagingConfig guestConfig(GuestCredentials c) {
        return MessagingConfig.from(Map.of(MessagingConfig.Key.TRANSPORT_URL.path(),
                c.transportUrl(broker.config().transportUrl()).format()));
    }

    private RabbitMqBus guestBus(GuestCredentials c) {
        RabbitMqBus bus = RabbitMqBus.connectGuest(guestConfig(c));
        closing.add(bus);
        return bus;
    }

    private Connection rawGuestConnection(GuestCredentials c) throws Exception {
        ConnectionFactory f = new ConnectionFactory();
        f.setPort(broker.amqpPort());
        f.setUsername(c.user());
        f.setPassword(c.password());
        Connection conn = f.newConnection();
        closing.add(() -> {
            if (conn.isOpen()) {
                conn.close();
            }
        });
        return conn;
    }

    /** Publishes on a confirm channel and returns the broker's refusal, or null when it took the message. */
    private static String publish(Connection conn, String exchange, String routingKey, String userId) throws Exception {
        Channel ch = conn.createChannel();
        ch.confirmSelect();
        Message m = Message.of("heartbeat", Map.of("instanceId", "x", "serviceStatus", "healthy", "sent", 1.0))
                .withEnvelope(Envelope.stamp(userId));
        try {
            ch.basicPublish(exchange, routingKey, new AMQP.BasicProperties.Builder().userId(userId).build(),
                    Wire.encode(m).getBytes(StandardCharsets.UTF_8));
            ch.waitForConfirmsOrDie(10_000);
            ch.close();
            return null;
        } catch (IOException | RuntimeException e) {
            return String.valueOf(e.getCause() == null ? e.getMessage() : e.getCause().getMessage())
                    + String.valueOf(e.getMessage());
        }
    }

    @Test
    void aGuestServesItsOwnQueueAndReportsUnderItsOwnName() {
        assertThat(credsA.user()).isEqualTo("guestagent." + a);
        assertThat(credsA.toString()).doesNotContain(credsA.password());
        RabbitMqBus guest = guestBus(credsA);
        guest.subscribe(Topics.guest(a), m -> "pong from " + a);
        assertThat(control.call(Topics.guest(a), Message.of("ping", Map.of()), TIMEOUT).asText()).isEqualTo("pong from " + a);
        guest.cast(Topics.CONDUCTOR, Message.of("heartbeat", Map.of("instanceId", a)));
        await().atMost(WAIT).until(() -> !atConductor.isEmpty());
        assertThat(atConductor.get(0).sender()).isEqualTo("guestagent." + a);
        assertThat(guest.authenticatesSenders()).isTrue();
    }

    @Test
    void aGuestCannotConsumeTheTaskmanagerQueueOrAnotherGuestsQueue() {
        RabbitMqBus guest = guestBus(credsA);
        for (String queue : new String[] {Topics.TASKMANAGER, Topics.CONDUCTOR, Topics.guest(b)}) {
            assertThatThrownBy(() -> guest.subscribe(queue, m -> null))
                    .as(queue).hasMessageContaining("ACCESS_REFUSED");
        }
    }

    @Test
    void aGuestCannotPublishToAnyOtherQueue() throws Exception {
        RabbitMqBus guest = guestBus(credsA);
        for (String topic : new String[] {Topics.TASKMANAGER, Topics.guest(b), Topics.guest(a)}) {
            assertThatThrownBy(() -> guest.cast(topic, Message.of("m", Map.of())))
                    .as(topic)
                    .satisfies(e -> assertThat(((JtroveException) e).status()).isEqualTo(403))
                    .hasMessageContaining("ACCESS_REFUSED");
        }
        Connection raw = rawGuestConnection(credsA);
        String me = credsA.user();
        // the default exchange reaches any queue by name: refused whichever queue is named
        assertThat(publish(raw, "", Topics.TASKMANAGER, me)).contains("ACCESS_REFUSED");
        assertThat(publish(raw, "", Topics.guest(b), me)).contains("ACCESS_REFUSED");
        assertThat(publish(raw, "", Topics.CONDUCTOR, me)).contains("ACCESS_REFUSED");
        // other exchanges, even the broker's own topic exchange
        assertThat(publish(raw, "amq.topic", Topics.TASKMANAGER, me)).contains("ACCESS_REFUSED");
        assertThat(publish(raw, "amq.direct", Topics.TASKMANAGER, me)).contains("ACCESS_REFUSED");
        // the control exchange with a routing key that does not end in its own name
        assertThat(publish(raw, "jtrove", "taskmanager.jtrove-admin", me)).contains("ACCESS_REFUSED");
        assertThat(publish(raw, "jtrove", "taskmanager." + me, me)).contains("ACCESS_REFUSED");
        assertThat(publish(raw, "jtrove", "trove-conductor.guestagent." + b, me)).contains("ACCESS_REFUSED");
        assertThat(publish(raw, "jtrove", "trove-conductor.#", me)).contains("ACCESS_REFUSED");
        // nor can it make queues or bindings of its own to reroute anything
        Channel ch = raw.createChannel();
        assertThatThrownBy(() -> ch.queueDeclare("sneaky", true, false, false, null)).hasStackTraceContaining("ACCESS_REFUSED");
        Channel ch2 = raw.createChannel();
        assertThatThrownBy(() -> ch2.queueBind(Topics.guest(a), "jtrove", "taskmanager.#")).hasStackTraceContaining("ACCESS_REFUSED");
        // what it may do still works on the same connection
        assertThat(publish(raw, "jtrove", "trove-conductor." + me, me)).isNull();

        await().atMost(WAIT).until(() -> atConductor.size() == 1);
        Thread.sleep(500);
        assertThat(atTaskmanager).isEmpty();
        assertThat(atGuestB).isEmpty();
        assertThat(broker.queues()).doesNotContain("sneaky");
    }

    @Test
    void aGuestCannotReportAsAnotherInstance() throws Exception {
        Connection raw = rawGuestConnection(credsA);
        // claiming the other guest's user id is refused by the broker, which validates user_id
        assertThat(publish(raw, "jtrove", "trove-conductor." + credsA.user(), "guestagent." + b))
                .contains("PRECONDITION_FAILED");
        // so is the other guest's routing key
        assertThat(publish(raw, "jtrove", "trove-conductor.guestagent." + b, "guestagent." + b))
                .contains("ACCESS_REFUSED");
        // a report about another instance under its own name arrives with its own name as the sender, for the
        // conductor to drop (see the conductor's tests)
        guestBus(credsA).cast(Topics.CONDUCTOR, Message.of("heartbeat", Map.of("instanceId", b)));
        await().atMost(WAIT).until(() -> atConductor.size() == 1);
        assertThat(atConductor.get(0).sender()).isEqualTo("guestagent." + a);
        assertThat(atConductor.get(0).args().get("instanceId").asText()).isEqualTo(b);
    }

    @Test
    void deletingTheUserClosesItsConnectionsAndLocksItOut() {
        RabbitMqBus guest = guestBus(credsA);
        guest.subscribe(Topics.guest(a), m -> "here");
        assertThat(control.call(Topics.guest(a), Message.of("m", Map.of()), TIMEOUT).asText()).isEqualTo("here");
        assertThat(users.instances()).contains(a, b);
        users.delete(a);
        users.delete(a);   // idempotent
        assertThat(broker.users()).doesNotContain("guestagent." + a).contains("guestagent." + b);
        await().atMost(WAIT).until(() -> {
            for (JsonNode c : broker.management("/api/connections")) {
                if (c.path("user").asText().equals(credsA.user())) {
                    return false;
                }
            }
            return true;
        });
        assertThatThrownBy(() -> control.call(Topics.guest(a), Message.of("m", Map.of()), Duration.ofSeconds(2)))
                .isInstanceOf(UnavailableException.class);
        assertThatThrownBy(() -> RabbitMqBus.connectGuest(guestConfig(credsA)))
                .hasMessageContaining("Cannot connect");
    }

    @Test
    void creatingAgainGivesANewPasswordAndTheOldOneStopsWorking() {
        GuestCredentials again = users.create(a);
        assertThat(again.password()).isNotEqualTo(credsA.password());
        assertThatThrownBy(() -> RabbitMqBus.connectGuest(guestConfig(credsA))).hasMessageContaining("Cannot connect");
        guestBus(again).subscribe(Topics.guest(a), m -> "new");
        assertThat(control.call(Topics.guest(a), Message.of("m", Map.of()), TIMEOUT).asText()).isEqualTo("new");
    }

    @Test
    void instanceIdsThatCouldBreakOutOfTheirPatternsAreRefused() {
        for (String bad : new String[] {"a.b", "a*", ".*", "a|b", "", "x/y"}) {
            assertThatThrownBy(() -> users.create(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
        assertThat(broker.users()).noneMatch(u -> u.startsWith("guestagent.") && !u.endsWith(a) && !u.endsWith(b));
    }

    @Test
    void aWrongManagementPasswordSaysWhatToCheck() {
        MessagingConfig wrong = broker.config(Map.of(MessagingConfig.Key.MANAGEMENT_URL.path(),
                "http://jtrove-admin:wrong@127.0.0.1:" + broker.managementPort()));
        assertThatThrownBy(() -> new GuestBrokerUsers(wrong).create(UUID.randomUUID().toString()))
                .satisfies(e -> assertThat(((JtroveException) e).status()).isEqualTo(503))
                .hasMessageContaining("answered 401")
                .hasMessageContaining("management_url")
                .hasMessageNotContaining("wrong@");
    }
}
