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
 * A jtrove command as a separate OS process, so that a test can kill it with SIGKILL at any moment and start it
 * again on the same state: the all-in-one {@code jtrove server} on a state directory ({@link #server}), or one
 * service with its configuration files ({@link #service}). It runs with the test's own classpath and writes its
 * output to {@code <log dir>/<name>-N.log}.
 */
final class JtroveProcess implements AutoCloseable {
    private final String name;
    private final List<String> arguments;
    private final Map<String, String> env;
    private final Path logDir;
    private final int port;
    private final String readyLine;
    private Process process;
    private int starts;

    private JtroveProcess(String name, List<String> arguments, Map<String, String> env, Path logDir, int port,
                          String readyLine) {
        this.name = name;
        this.arguments = arguments;
        this.env = env;
        this.logDir = logDir;
        this.port = port;
        this.readyLine = readyLine;
    }

    /** {@code jtrove server} on {@code state} (noauth, loopback, instances at 127.{addressBase}.y.z). */
    JtroveProcess(Path state, int addressBase, Map<String, String> extraEnv) throws IOException {
        this("server", List.of("server"), serverEnv(state, addressBase, extraEnv), state.getParent(), freePort(), null);
    }

    private static Map<String, String> serverEnv(Path state, int addressBase, Map<String, String> extra)
            throws IOException {
        Map<String, String> env = new java.util.HashMap<>(Map.of("JTROVE_STATE_DIR", state.toString(),
                "JTROVE_BIND_HOST", "127.0.0.1", "JTROVE_AUTH", "noauth", "JTROVE_RATE_LIMIT_PER_MINUTE", "0",
                "JTROVE_ADDRESS_BASE", Integer.toString(addressBase)));
        env.putAll(extra);
        return env;
    }

    /**
     * A service ({@code api}, {@code taskmanager}, {@code conductor}, {@code guestagent}) reading {@code configFiles};
     * it counts as started when its API answers on {@code apiPort} (api) or when it logs that it is running.
     */
    static JtroveProcess service(String name, String command, List<Path> configFiles, Path logDir, int apiPort) {
        List<String> args = new ArrayList<>(List.of(command));
        configFiles.forEach(f -> args.addAll(List.of("--config-file", f.toString())));
        return new JtroveProcess(name, args, Map.of(), logDir, apiPort,
                "api".equals(command) ? null : "jtrove " + command + " is running");
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    int port() {
        return port;
    }

    String name() {
        return name;
    }

    /** The state directory of {@code jtrove server} (from its environment). */
    Path state() {
        return Path.of(env.get("JTROVE_STATE_DIR"));
    }

    /** Starts the process and waits until it is ready. */
    JtroveProcess start() throws Exception {
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx384m", "-cp", classpath, "org.jtrove.server.Main"));
        command.addAll(arguments);
        starts++;
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log().toFile()));
        pb.environment().putAll(env);
        if (readyLine == null) {
            pb.environment().put("JTROVE_PORT", Integer.toString(port));
        }
        process = pb.start();
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited at start (exit " + process.exitValue() + "): "
                        + logTail(20));
            }
            if (readyLine != null ? Files.readString(log()).contains(readyLine) : answers(http)) {
                return this;
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException(name + " was not ready within 120 s: " + logTail(20));
    }

    private boolean answers(HttpClient http) throws InterruptedException {
        try {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
                    .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        }
    }

    /** SIGKILL, as a crash or an OOM killer would: nothing runs after it. Waits until the process is gone. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException(name + " did not die from SIGKILL");
        }
    }

    /** SIGTERM: the process shuts down cleanly (database servers keep running). */
    void stop() throws InterruptedException {
        if (running()) {
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
        return logDir.resolve(name + "-" + starts + ".log");
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
