package org.jtrove.bus.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** A JVM killed with its broker running leaves nothing behind: the fixture's watchdog cleans up. */
@Tag("e2e")
class RabbitBrokerCleanupE2ETest {
    /** Starts a broker, prints its directory and waits to be killed. */
    public static void main(String[] args) throws Exception {
        RabbitBroker broker = RabbitBroker.start();
        System.out.println(broker.directory() + " " + broker.epmdPort());
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }

    @Test
    void aKilledTestJvmLeavesNoBrokerEpmdOrDirectory() throws Exception {
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "-cp", System.getProperty("java.class.path"), RabbitBrokerCleanupE2ETest.class.getName()));
        Process jvm = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(jvm.getInputStream(), StandardCharsets.UTF_8));
            String[] started = brokerLine(out).split(" ");
            Path dir = Path.of(started[0]);
            int epmdPort = Integer.parseInt(started[1]);
            assertThat(listening(epmdPort)).isTrue();
            assertThat(dir.resolve("pid")).exists();
            long beam = Long.parseLong(Files.readString(dir.resolve("pid")).trim());
            List<ProcessHandle> broker = new ArrayList<>(ProcessHandle.of(beam).orElseThrow().descendants().toList());
            broker.add(ProcessHandle.of(beam).orElseThrow());
            jvm.destroyForcibly();   // SIGKILL: no shutdown hook, no close()
            assertThat(jvm.waitFor(30, TimeUnit.SECONDS)).isTrue();
            await().atMost(Duration.ofSeconds(60)).until(() -> !Files.exists(dir)
                    && broker.stream().noneMatch(ProcessHandle::isAlive) && !listening(epmdPort));
        } finally {
            jvm.destroyForcibly();
        }
    }

    /** The line that names the broker's directory and epmd port (logging may come before it). */
    private static String brokerLine(BufferedReader out) throws Exception {
        for (String line = out.readLine(); line != null; line = out.readLine()) {
            if (line.startsWith("/") && line.contains("jtrove-rabbit-")) {
                return line.trim();
            }
        }
        throw new IllegalStateException("the child JVM ended without starting a broker");
    }

    private static boolean listening(int port) {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
