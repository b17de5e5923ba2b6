package org.jtrove.taskmanager.engine;

import java.io.IOException;
import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jdbi.v3.core.ConnectionException;
import org.jtrove.model.DaemonThreads;
import org.jtrove.model.JtroveException;
import org.jtrove.model.RepeatedFailures;
import org.jtrove.model.TaskType;
import org.jtrove.store.TaskRecord;
import org.jtrove.store.TaskRepository;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs durable tasks step by step, safely beside other taskmanagers on the same store.
 * <ul>
 * <li>A task is claimed with a conditional update (free, or its lease expired) and held under a lease that is
 * renewed every third of its length; a taskmanager that dies has its tasks taken over when their leases expire.
 * Every change to a task is fenced by its owner, so one that lost its lease stops at its next step.</li>
 * <li>Of two exclusive tasks of one instance ({@link TaskType#exclusive()}) only the older is claimed.</li>
 * <li>A step that waits returns {@link StepResult.Wait}: the thread is freed and a timer runs the step again.</li>
 * <li>Transient errors (bus timeouts and 503s, an unreachable store, I/O errors) are retried with exponential
 * backoff up to {@link Settings#maxAttempts()}; anything else ends the task through its definition's
 * {@link TaskDefinition#failed}.</li>
 * </ul>
 * Tasks are found by a sweep every {@link Settings#pollInterval()} and at once when {@link #wake} is called.
 */
public final class TaskEngine implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TaskEngine.class);

    /**
     * @param lease how long a claim holds without renewal
     * @param pollInterval how often the store is swept for due and abandoned tasks
     * @param workers threads that run steps
     * @param maxAttempts runs of one step ending in a transient error before the task fails
     * @param maxBackoff longest pause between two such runs
     */
    public record Settings(Duration lease, Duration pollInterval, int workers, int maxAttempts, Duration maxBackoff) {
        public static Settings defaults() {
            return new Settings(Duration.ofSeconds(20), Duration.ofMillis(500), 8, 10, Duration.ofSeconds(30));
        }
    }

    private final TaskRepository tasks;
    private final Map<TaskType, TaskDefinition> definitions = new EnumMap<>(TaskType.class);
    private final String owner;
    private final Settings settings;
    private final ScheduledExecutorService timer;
    private final ExecutorService workers;
    private final Map<String, Held> held = new ConcurrentHashMap<>();
    private final Set<String> claiming = ConcurrentHashMap.newKeySet();
    private final RepeatedFailures failures = new RepeatedFailures(LOG, Duration.ofMinutes(5));
    private volatile boolean closed;

    /**
     * @param owner this taskmanager's name in the store's leases; unique among live taskmanagers (a restarted one
     *              may reuse its old name only if the old process is certainly gone: it takes its tasks back at once)
     */
    public TaskEngine(TaskRepository tasks, List<TaskDefinition> definitions, String owner, Settings settings) {
        this.tasks = tasks;
        this.owner = owner;
        this.settings = settings;
        for (TaskDefinition d : definitions) {
            this.definitions.put(d.type(), d);
        }
        this.timer = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("task-timer"));
        this.workers = Executors.newFixedThreadPool(settings.workers(), DaemonThreads.named("task-worker"));
    }

    public String owner() {
        return owner;
    }

    /** Starts sweeping for tasks and renewing leases. */
    public void start() {
        long poll = settings.pollInterval().toMillis();
        timer.scheduleWithFixedDelay(() -> execute(this::sweep), 0, poll, TimeUnit.MILLISECONDS);
        long renew = Math.max(100, settings.lease().toMillis() / 3);
        timer.scheduleWithFixedDelay(() -> execute(this::renew), renew, renew, TimeUnit.MILLISECONDS);
    }

    /** The task types this engine runs; it claims no other. */
    public Set<TaskType> types() {
        return Set.copyOf(definitions.keySet());
    }

    /** Asks for task {@code taskId} to be claimed and run now (it was just recorded). */
    public void wake(String taskId) {
        execute(() -> tasks.find(taskId).ifPresent(this::tryClaim));
    }

    /** Runs the current step of every task this engine holds for {@code instanceId} now (something it waits for happened). */
    public void wakeInstance(String instanceId) {
        held.values().stream().filter(h -> h.instanceId.equals(instanceId)).forEach(h -> submit(h, Duration.ZERO));
    }

    /** Ids of the tasks this engine holds now. */
    public Set<String> held() {
        return Set.copyOf(held.keySet());
    }

    private void sweep() {
        Instant now = Instant.now();
        for (TaskRecord t : tasks.claimable(now, owner, 100)) {
            if (!held.containsKey(t.id())) {
                tryClaim(t);
            }
        }
    }

    private void tryClaim(TaskRecord t) {
        if (closed || !t.running() || !definitions.containsKey(t.type()) || held.containsKey(t.id())
                || !claiming.add(t.id())) {
            return;
        }
        try {
            Instant now = Instant.now();
            boolean free = t.leaseOwner() == null || owner.equals(t.leaseOwner()) || t.leaseUntil() == null
                    || t.leaseUntil().isBefore(now);
            if (!free || (t.type().exclusive() && waitsForOlder(t))) {
                return;
            }
            if (tasks.claim(t.id(), owner, now.plus(settings.lease()), now)) {
                Held h = new Held(t.id(), t.instanceId(), now);
                held.put(t.id(), h);
                LOG.info("task {} ({} of instance {}) claimed at step {}{}", t.id(), t.type(), t.instanceId(),
                        t.type().current(t.step()), t.leaseOwner() == null ? "" : " (was held by " + t.leaseOwner() + ")");
                submit(h, Duration.ZERO);
            }
        } finally {
            claiming.remove(t.id());
        }
    }

    /** An exclusive task runs only when no older exclusive task of its instance is still running. */
    private boolean waitsForOlder(TaskRecord t) {
        for (TaskRecord other : tasks.runningFor(t.instanceId())) {
            if (other.id().equals(t.id())) {
                return false;
            }
            if (other.type().exclusive()) {
                return true;
            }
        }
        return false;
    }

    private void renew() {
        if (held.isEmpty()) {
            return;
        }
        int kept = tasks.renewLeases(owner, Instant.now().plus(settings.lease()));
        if (kept < held.size()) {
            for (Held h : held.values()) {
                if (!tasks.holds(h.taskId, owner)) {
                    drop(h, "it ended or another taskmanager took it over");
                }
            }
        }
    }

    private void submit(Held h, Duration after) {
        if (closed) {
            return;
        }
        synchronized (h) {
            if (h.wakeup != null) {
                h.wakeup.cancel(false);
            }
            h.wakeup = after.isZero() ? null : timer.schedule(() -> submit(h, Duration.ZERO), after.toMillis(),
                    TimeUnit.MILLISECONDS);
        }
        if (after.isZero()) {
            if (h.running.compareAndSet(false, true)) {
                execute(() -> runSteps(h));
            } else {
                h.again = true;
            }
        }
    }

    /** Runs the held task's steps until one waits, retries or the task ends. One thread per task at a time. */
    private void runSteps(Held h) {
        try {
            h.again = false;
            while (!closed && held.containsKey(h.taskId)) {
                TaskRecord t = tasks.find(h.taskId).orElse(null);
                if (t == null || !t.running() || !owner.equals(t.leaseOwner())) {
                    drop(h, t == null ? "it was removed" : t.running() ? "another taskmanager took it over"
                            : "it was ended (" + t.state() + ")");
                    return;
                }
                if (!runOneStep(h, t)) {
                    return;
                }
            }
        } catch (RuntimeException e) {
            if (closed) {
                return;
            }
            // the store is unreachable, or a bug: keep the task and try again later (the lease may pass meanwhile)
            failures.warn("task " + h.taskId, e);
            submit(h, Duration.ofSeconds(2));
        } finally {
            h.running.set(false);
            if (h.again && !closed) {
                submit(h, Duration.ZERO);
            }
        }
    }

    /** Runs the task's current step once; true if the task moved on and its next step should run at once. */
    private boolean runOneStep(Held h, TaskRecord t) {
        TaskDefinition def = definitions.get(t.type());
        String step = t.type().current(t.step());
        StepContext ctx = new StepContext(t, h.stepsRun.add(step), h.claimedAt);
        if (ctx.firstRunInClaim()) {
            LOG.info("task {} ({} of instance {}): step {}{}", t.id(), t.type(), t.instanceId(), step,
                    t.attempt() > 0 ? " (attempt " + (t.attempt() + 1) + ")" : "");
        }
        long started = System.nanoTime();
        StepResult result = runStep(def, step, ctx);
        if (closed) {
            return false;   // stopping: the step runs again under the next owner
        }
        Instant now = Instant.now();
        String outputs = ctx.outputs().toString();
        if (result instanceof StepResult.Retry retry) {
            int attempt = t.attempt() + 1;
            if (attempt >= settings.maxAttempts()) {
                result = StepResult.fail(503, retry.reason() + " (gave up after " + attempt + " attempts)");
            } else {
                Duration backoff = backoff(attempt);
                LOG.info("task {}: step {} will be retried in {} ms (attempt {} of {}): {}", t.id(), step,
                        backoff.toMillis(), attempt, settings.maxAttempts(), retry.reason());
                if (tasks.reschedule(t.id(), owner, now.plus(backoff), true, outputs, now)) {
                    submit(h, backoff);
                } else {
                    drop(h, "it was taken over while retrying");
                }
                return false;
            }
        }
        if (result instanceof StepResult.Wait wait) {
            if (tasks.reschedule(t.id(), owner, now.plus(wait.after()), false, outputs, now)) {
                submit(h, wait.after());
            } else {
                drop(h, "it was taken over while waiting");
            }
            return false;
        }
        if (result instanceof StepResult.Fail fail) {
            end(h, def, ctx, fail.fault(), fail.status());
            return false;
        }
        LOG.info("task {}: step {} done in {} ms", t.id(), step, (System.nanoTime() - started) / 1_000_000);
        String next = t.type().next(step);
        if (next == null) {
            end(h, def, ctx, null, 0);
            return false;
        }
        if (!tasks.advance(t.id(), owner, next, outputs, now)) {
            drop(h, "it was taken over before step " + next);
            return false;
        }
        return true;
    }

    private StepResult runStep(TaskDefinition def, String step, StepContext ctx) {
        try {
            return def.step(step).run(ctx);
        } catch (Exception e) {
            if (transientError(e)) {
                return StepResult.retry(describe(e));
            }
            if (!(e instanceof JtroveException) && !(e instanceof IllegalStateException)) {
                LOG.warn("task {}: step {} broke", ctx.taskId(), step, e);
            }
            return StepResult.fail(e instanceof JtroveException j ? j.status() : 500, describe(e));
        }
    }

    /** Writes the task's outcome through its definition, then ends it; a failure to write is retried later. */
    private void end(Held h, TaskDefinition def, StepContext ctx, String fault, int status) {
        TaskRecord t = ctx.task();
        try {
            if (fault == null) {
                def.succeeded(ctx);
            } else {
                def.failed(ctx, status, fault);
            }
        } catch (Exception e) {
            failures.warn("task " + t.id() + ": recording its outcome", e);
            submit(h, backoff(1));
            return;
        }
        boolean ended = tasks.finish(t.id(), owner, fault == null ? TaskRecord.DONE : TaskRecord.FAILED, fault,
                fault == null ? null : status);
        held.remove(t.id());
        long ms = Duration.between(t.created(), Instant.now()).toMillis();
        if (!ended) {
            LOG.info("task {} ({} of instance {}) was ended by someone else", t.id(), t.type(), t.instanceId());
        } else if (fault == null) {
            LOG.info("task {} ({} of instance {}) done, {} ms after it was recorded", t.id(), t.type(), t.instanceId(), ms);
        } else {
            LOG.warn("task {} ({} of instance {}) failed at step {} ({}): {}", t.id(), t.type(), t.instanceId(),
                    ctx.step(), status, fault);
        }
    }

    private void drop(Held h, String why) {
        if (held.remove(h.taskId) != null) {
            synchronized (h) {
                if (h.wakeup != null) {
                    h.wakeup.cancel(false);
                }
            }
            LOG.info("task {}: no longer run here: {}", h.taskId, why);
        }
    }

    private Duration backoff(int attempt) {
        long ms = 500L << Math.min(attempt - 1, 16);
        return Duration.ofMillis(Math.min(ms, settings.maxBackoff().toMillis()));
    }

    /** Bus timeouts and 503s, an unreachable store, and I/O errors are worth another try; the rest is definite. */
    static boolean transientError(Throwable e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof JtroveException j) {
                return j.status() == 503;
            }
            if (c instanceof SQLTransientException || c instanceof SQLRecoverableException || c instanceof IOException) {
                return true;
            }
            if (c instanceof SQLException s && s.getSQLState() != null && s.getSQLState().startsWith("08")) {
                return true;
            }
            if (c instanceof ConnectionException) {
                return true;
            }
        }
        return false;
    }

    private static String describe(Throwable e) {
        return e instanceof JtroveException || e instanceof IllegalStateException ? e.getMessage() : e.toString();
    }

    private void execute(Runnable r) {
        if (closed) {
            return;
        }
        try {
            workers.execute(() -> {
                try {
                    r.run();
                } catch (RuntimeException e) {
                    failures.warn("task engine", e);
                }
            });
        } catch (RejectedExecutionException e) {
            // closing
        }
    }

    /** Stops running tasks and gives their leases back, so another taskmanager (or the next start) takes them at once. */
    @Override
    public void close() {
        halt();
        for (Held h : held.values()) {
            try {
                tasks.release(h.taskId, owner);
            } catch (RuntimeException e) {
                LOG.debug("could not release task {}: {}", h.taskId, e.toString());
            }
        }
        held.clear();
    }

    /** Stops at once without giving leases back, as a killed process would (tests). */
    void halt() {
        closed = true;
        timer.shutdownNow();
        workers.shutdownNow();
        try {
            workers.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A task this engine holds. */
    private static final class Held {
        final String taskId;
        final String instanceId;
        final Instant claimedAt;
        final Set<String> stepsRun = ConcurrentHashMap.newKeySet();
        final AtomicBoolean running = new AtomicBoolean();
        volatile boolean again;
        ScheduledFuture<?> wakeup;

        Held(String taskId, String instanceId, Instant claimedAt) {
            this.taskId = taskId;
            this.instanceId = instanceId;
            this.claimedAt = claimedAt;
        }
    }
}
