package org.jtrove.server;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code jtrove server} as a separate OS process on a state directory, so that a test can kill it with SIGKILL
 * at any moment and start it again on the same state. It runs with the test's own classpath, no identity
 * ({@code noauth}), and its output goes to {@code STATE/../server-N.log}.
 */
final class JtroveProcess implements AutoCloseable {
    private final Path state;
    private final int addressBase;
    private final Map<String, String> extraEnv;
    private final int port;
    private Process process;
    private int starts;

    JtroveProcess(Path state, int addressBase, Map<String, String> extraEnv) throws IOException {
        this.state = state;
        this.addressBase = addressBase;
        this.extraEnv = extraEnv;
        try (ServerSocket s = new ServerSocket(0)) {
            this.port = s.getLocalPort();
        }
    }

    int port() {
        return port;
    }

    Path state() {
        return state;
    }

    /** Starts the server and waits until its API answers. */
    JtroveProcess start() throws Exception {
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-cp", classpath, "org.jtrove.server.Main", "server"));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(state.resolveSibling("server-" + (++starts) + ".log").toFile()));
        Map<String, String> env = pb.environment();
        env.put("JTROVE_STATE_DIR", state.toString());
        env.put("JTROVE_PORT", Integer.toString(port));
        env.put("JTROVE_BIND_HOST", "127.0.0.1");
        env.put("JTROVE_AUTH", "noauth");
        env.put("JTROVE_RATE_LIMIT_PER_MINUTE", "0");
        env.put("JTROVE_ADDRESS_BASE", Integer.toString(addressBase));
        env.putAll(extraEnv);
        process = pb.start();
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("jtrove exited at start (exit " + process.exitValue() + "); see " + log());
            }
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return this;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("jtrove did not answer within 120 s; see " + log());
    }

    /** SIGKILL, as a crash or an OOM killer would: nothing runs after it. Waits until the process is gone. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("jtrove did not die from SIGKILL");
        }
    }

    /** SIGTERM: the server shuts down cleanly (database servers keep running). */
    void stop() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                kill();
            }
        }
    }

    boolean running() {
        return process != null && process.isAlive();
    }

    long pid() {
        return process.pid();
    }

    Path log() {
        return state.resolveSibling("server-" + starts + ".log");
    }

    String logTail(int lines) {
        try {
            List<String> all = Files.readAllLines(log());
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }
}
