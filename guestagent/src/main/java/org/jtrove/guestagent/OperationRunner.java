package org.jtrove.guestagent;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.jtrove.bus.ConductorApi;
import org.jtrove.model.DaemonThreads;
import org.jtrove.model.Json;
import org.jtrove.model.JtroveException;
import org.jtrove.model.guest.OperationReport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a guest agent's long operations one at a time, each at most once per operation id: a repeated id that is
 * still running is ignored, one that ended is answered with its recorded outcome. Outcomes are journalled in the
 * agent's directory (one small file per operation, the newest 50 kept) before they are reported to the conductor,
 * so an agent restarted after an operation ended reports it again instead of doing it twice; one that died in the
 * middle runs it again when the taskmanager resends it (every operation is idempotent).
 */
final class OperationRunner implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(OperationRunner.class);
    private static final Pattern ID = Pattern.compile("[0-9a-f-]{36}");
    private static final int KEEP = 50;
    private final String instanceId;
    private final Path journal;
    private final ConductorApi conductor;
    private final Set<String> running = ConcurrentHashMap.newKeySet();
    private final ExecutorService worker;

    OperationRunner(String instanceId, Path journal, ConductorApi conductor) {
        this.instanceId = instanceId;
        this.journal = journal;
        this.conductor = conductor;
        this.worker = Executors.newSingleThreadExecutor(DaemonThreads.named("guest-ops-" + instanceId.substring(0, 8)));
    }

    /** Runs {@code work} as operation {@code operationId} unless it ran or runs already; returns at once. */
    void submit(String method, String operationId, Callable<Object> work) throws IOException {
        if (!ID.matcher(operationId).matches()) {
            throw JtroveException.badRequest("not an operation id: " + operationId);
        }
        Path done = journal.resolve(operationId + ".json");
        if (Files.exists(done)) {
            conductor.operationDone(Json.convert(Json.parse(Files.readString(done)), OperationReport.class));
            return;
        }
        if (!running.add(operationId)) {
            return;
        }
        try {
            worker.execute(() -> run(method, operationId, work));
        } catch (RejectedExecutionException e) {
            running.remove(operationId);
        }
    }

    private void run(String method, String operationId, Callable<Object> work) {
        OperationReport report;
        try {
            Object result = work.call();
            JsonNode json = result == null ? null : Json.tree(result);
            report = new OperationReport(instanceId, operationId, method, true, 0, null, json, now());
        } catch (Exception | Error e) {   // an Error too: an operation must never end without an outcome
            int status = e instanceof JtroveException j ? j.status() : 500;
            String message = e instanceof JtroveException || e instanceof IllegalStateException
                    ? e.getMessage() : e.toString();
            LOG.warn("instance {}: {} failed: {}", instanceId, method, message);
            report = new OperationReport(instanceId, operationId, method, false, status, message, null, now());
        }
        try {
            if (!worker.isShutdown()) {
                record(report);
                LOG.info("instance {}: {} operation {} completed ({})", instanceId, method, operationId,
                        report.ok() ? "succeeded" : "failed");
                conductor.operationDone(report);
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("instance {}: could not record the outcome of {}: {}", instanceId, method, e.toString());
        } finally {
            running.remove(operationId);
        }
    }

    private void record(OperationReport report) throws IOException {
        Files.createDirectories(journal);
        Path tmp = journal.resolve(report.operationId() + ".tmp");
        Files.writeString(tmp, Json.write(report));
        Files.move(tmp, journal.resolve(report.operationId() + ".json"), StandardCopyOption.ATOMIC_MOVE,
                StandardCopyOption.REPLACE_EXISTING);
        try (Stream<Path> files = Files.list(journal)) {
            files.filter(f -> f.toString().endsWith(".json"))
                    .sorted((a, b) -> Long.compare(b.toFile().lastModified(), a.toFile().lastModified()))
                    .skip(KEEP).forEach(f -> f.toFile().delete());
        }
    }

    private static double now() {
        return System.currentTimeMillis() / 1000.0;
    }

    /** Stops taking operations; one that runs is abandoned (the next agent runs it again when it is resent). */
    @Override
    public void close() {
        worker.shutdownNow();
    }
}
