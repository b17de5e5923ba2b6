package org.jtrove.bench;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jtrove.bus.InProcessBus;
import org.jtrove.bus.Message;
import org.jtrove.bus.MessageBus;
import org.jtrove.bus.rabbitmq.RabbitBroker;
import org.jtrove.bus.rabbitmq.RabbitMqBus;

/**
 * Bus benchmark: call round trips (p50, p99) and casts per second over RabbitMQ beside the in-process bus in the
 * same run, then the heartbeats per second one conductor stores with each report's sender checked
 * ({@link HeartbeatBench}). Starts its own private RabbitMQ broker (Debian rabbitmq-server) and removes it at the
 * end. Usage: {@code BusBench [--calls=N] [--casts=N] [--instances=N] [--rounds=N]}.
 */
public final class BusBench {
    private static final int SENDERS = 8;

    private BusBench() {}

    public static void main(String[] args) {
        Map<String, Integer> opts = new HashMap<>(Map.of("calls", 2000, "casts", 20000, "instances", 1000,
                "rounds", 100));
        for (String a : args) {
            String[] kv = a.replaceFirst("^--", "").split("=", 2);
            if (kv.length != 2 || !opts.containsKey(kv[0])) {
                System.err.println("usage: BusBench [--calls=N] [--casts=N] [--instances=N] [--rounds=N]");
                System.exit(2);
            }
            opts.put(kv[0], Integer.parseInt(kv[1]));
        }
        int exit = 0;
        Path tmp = null;
        try (RabbitBroker broker = RabbitBroker.start()) {
            tmp = Files.createTempDirectory("jtrove-bench-bus-");
            run(broker, tmp, opts);
        } catch (Throwable e) {
            System.err.println("BENCHMARK FAILED: " + e);
            e.printStackTrace();
            exit = 1;
        }
        try {
            if (tmp != null) {
                Commands.exec("rm", "-rf", tmp.toString());
            }
        } catch (Exception e) {
            System.err.println("could not remove " + tmp + ": " + e.getMessage());
        }
        System.exit(exit);
    }

    private static void run(RabbitBroker broker, Path tmp, Map<String, Integer> o) throws Exception {
        int calls = o.get("calls");
        int casts = o.get("casts");
        System.out.printf("bus benchmark: %d calls, %d casts per figure; %d cores, load average %.1f at the start;"
                        + " RabbitMQ %s on loopback%n", calls, casts, Runtime.getRuntime().availableProcessors(),
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(), rabbitVersion(broker));
        double[] inProcessCalls;
        double[] rabbitCalls;
        double[] inProcessCasts;
        double[] rabbitCasts;
        try (InProcessBus bus = new InProcessBus()) {
            castRate(bus, bus, casts, SENDERS);   // warm-up
            inProcessCalls = roundTrips(bus, bus, calls);
            inProcessCasts = new double[] {castRate(bus, bus, casts, 1), castRate(bus, bus, casts, SENDERS)};
        }
        try (RabbitMqBus server = RabbitMqBus.connect(broker.config());
             RabbitMqBus client = RabbitMqBus.connect(broker.config())) {
            castRate(server, client, casts / 4, SENDERS);   // warm-up
            rabbitCalls = roundTrips(server, client, calls);
            rabbitCasts = new double[] {castRate(server, client, casts / 4, 1), castRate(server, client, casts, SENDERS)};
        }
        System.out.println();
        System.out.printf("%-44s %14s %14s%n", "", "in-process", "RabbitMQ");
        System.out.printf("%-44s %11.3f ms %11.3f ms%n", "call round trip p50", inProcessCalls[0], rabbitCalls[0]);
        System.out.printf("%-44s %11.3f ms %11.3f ms%n", "call round trip p99", inProcessCalls[1], rabbitCalls[1]);
        System.out.printf("%-44s %12.0f/s %12.0f/s%n", "casts handled, 1 sender", inProcessCasts[0], rabbitCasts[0]);
        System.out.printf("%-44s %12.0f/s %12.0f/s%n", "casts handled, " + SENDERS + " senders", inProcessCasts[1],
                rabbitCasts[1]);
        System.out.println("(over RabbitMQ each cast waits for the broker's confirm of its persistent message)");
        System.out.println();
        new HeartbeatBench(broker, tmp, o.get("instances"), o.get("rounds")).run();
    }

    private static String rabbitVersion(RabbitBroker broker) {
        return broker.management("/api/overview").path("rabbitmq_version").asText("?");
    }

    /** Sequential calls to an echo server; returns {p50, p99} in milliseconds (after a warm-up). */
    static double[] roundTrips(MessageBus server, MessageBus client, int n) {
        String topic = "bench-echo-" + UUID.randomUUID();
        try (MessageBus.Subscription ignored = server.subscribe(topic, Message::args)) {
            Message m = Message.of("echo", Map.of("payload", "x".repeat(200)));
            for (int i = 0; i < Math.min(500, n); i++) {
                client.call(topic, m, Duration.ofSeconds(30));
            }
            long[] ns = new long[n];
            for (int i = 0; i < n; i++) {
                long t = System.nanoTime();
                client.call(topic, m, Duration.ofSeconds(30));
                ns[i] = System.nanoTime() - t;
            }
            Arrays.sort(ns);
            return new double[] {ns[n / 2] / 1e6, ns[Math.min(n - 1, (int) (n * 0.99))] / 1e6};
        } finally {
            server.delete(topic);
        }
    }

    /**
     * Casts from {@code senders} threads to one server, counted when handled; returns casts per second from the
     * first send to the last one handled.
     */
    static double castRate(MessageBus server, MessageBus client, int n, int senders) throws Exception {
        String topic = "bench-cast-" + UUID.randomUUID();
        CountDownLatch all = new CountDownLatch(n);
        server.declare(topic);
        try (MessageBus.Subscription ignored = server.subscribe(topic, m -> {
            all.countDown();
            return null;
        })) {
            Message m = Message.of("heartbeat", Map.of("instanceId", UUID.randomUUID().toString(),
                    "serviceStatus", "healthy", "sent", 1.0));
            AtomicInteger left = new AtomicInteger(n);
            long t = System.nanoTime();
            List<Thread> threads = new ArrayList<>();
            for (int s = 0; s < senders; s++) {
                Thread th = new Thread(() -> {
                    while (left.getAndDecrement() > 0) {
                        client.cast(topic, m);
                    }
                });
                th.start();
                threads.add(th);
            }
            for (Thread th : threads) {
                th.join();
            }
            if (!all.await(5, TimeUnit.MINUTES)) {
                throw new IllegalStateException(all.getCount() + " casts never arrived");
            }
            return n / ((System.nanoTime() - t) / 1e9);
        } finally {
            server.delete(topic);
        }
    }
}
