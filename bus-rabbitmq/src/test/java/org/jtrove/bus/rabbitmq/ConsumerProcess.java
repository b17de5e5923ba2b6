package org.jtrove.bus.rabbitmq;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A consumer in a JVM of its own, for tests that kill a consumer for real: reads the transport URL from its
 * standard input (so no password shows in a process listing), serves the topic named by its argument, prints
 * {@code HOLDING <n>} for each message and never finishes handling it.
 */
public final class ConsumerProcess {
    private ConsumerProcess() {}

    public static void main(String[] args) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        MessagingConfig config = MessagingConfig.from(Map.of(MessagingConfig.Key.TRANSPORT_URL.path(), in.readLine()));
        RabbitMqBus bus = RabbitMqBus.connect(config);
        bus.subscribe(args[0], m -> {
            System.out.println("HOLDING " + m.args().path("n").asInt());
            System.out.flush();
            Thread.sleep(Long.MAX_VALUE);
            return null;
        });
        System.out.println("READY");
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }

    /** Starts one, with this JVM's java and class path; returns once it serves the topic. */
    static Process start(String transportUrl, String topic) throws IOException {
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "-cp", System.getProperty("java.class.path"), ConsumerProcess.class.getName(), topic));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getOutputStream().write((transportUrl + "\n").getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().flush();
        return p;
    }
}
