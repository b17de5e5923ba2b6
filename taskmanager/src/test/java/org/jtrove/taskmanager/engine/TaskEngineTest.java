package org.jtrove.taskmanager.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.jtrove.model.JtroveException;
import org.jtrove.model.TaskType;
import org.jtrove.store.MetadataStore;
import org.jtrove.store.SecretBox;
import org.jtrove.store.TaskRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The task engine on a real (embedded) metadata store: order, waits, retries, takeovers, leases, exclusivity. */
class TaskEngineTest {
    private static final TaskEngine.Settings FAST = new TaskEngine.Settings(Duration.ofMillis(600),
            Duration.ofMillis(50), 4, 4, Duration.ofMillis(100));

    @TempDir
    Path dir;
    private MetadataStore store;
    private final List<TaskEngine> engines = new ArrayList<>();

    @BeforeEach
    void open() {
        store = MetadataStore.embedded(dir, SecretBox.ephemeral());
    }

    @AfterEach
    void closeAll() {
        engines.forEach(TaskEngine::halt);
        store.close();
    }

    /** A definition whose steps record what they made true (a set: idempotent) and how often and how they ran. */
    private static final class Recording implements TaskDefinition {
        final TaskType type;
        final Map<String, Set<String>> effects = new ConcurrentHashMap<>();
        final Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();
        final Map<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();
        final AtomicInteger overlaps = new AtomicInteger();
        final Map<String, AtomicInteger> succeeded = new ConcurrentHashMap<>();
        final List<String> failures = new CopyOnWriteArrayList<>();
        final List<String> order = new CopyOnWriteArrayList<>();
        final Map<String, Function<StepContext, StepResult>> behaviour = new ConcurrentHashMap<>();

        Recording(TaskType type) {
            this.type = type;
        }

        @Override
        public TaskType type() {
            return type;
        }

        @Override
        public Step step(String name) {
            return ctx -> {
                String key = ctx.taskId() + "/" + name;
                if (inFlight.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet() > 1) {
                    overlaps.incrementAndGet();
                }
                try {
                    runs.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
                    order.add(ctx.taskId() + ":" + name + ":start");
                    StepResult r = behaviour.getOrDefault(name, c -> StepResult.done()).apply(ctx);
                    if (r instanceof StepResult.Done) {
                        effects.computeIfAbsent(ctx.taskId(), k -> ConcurrentHashMap.newKeySet()).add(name);
                    }
                    order.add(ctx.taskId() + ":" + name + ":end");
                    return r;
                } finally {
                    inFlight.get(key).decrementAndGet();
                }
            };
        }

        @Override
        public void succeeded(StepContext ctx) {
            succeeded.computeIfAbsent(ctx.taskId(), k -> new AtomicInteger()).incrementAndGet();
        }

        @Override
        public void failed(StepContext ctx, int status, String fault) {
            failures.add(ctx.taskId() + " " + status + " " + fault);
        }

        int runs(String taskId, String step) {
            return runs.getOrDefault(taskId + "/" + step, new AtomicInteger()).get();
        }
    }

    private TaskEngine engine(String owner, TaskDefinition... definitions) {
        TaskEngine e = new TaskEngine(store.tasks, List.of(definitions), owner, FAST);
        engines.add(e);
        e.start();
        return e;
    }

    private TaskRecord record(TaskType type, String instanceId) {
        TaskRecord t = TaskRecord.start(type, instanceId, Map.of("n", 1));
        store.tasks.insert(t);
        return t;
    }

    private TaskRecord awaitEnded(String taskId) {
        await().atMost(Duration.ofSeconds(20)).until(() -> !store.tasks.find(taskId).orElseThrow().running());
        return store.tasks.find(taskId).orElseThrow();
    }

    @Test
    void stepsRunInOrderAndTheOutcomeIsWrittenOnce() {
        Recording create = new Recording(TaskType.CREATE);
        create.behaviour.put("PLACED", ctx -> {
            ctx.outputs().put("address", "127.9.9.9");
            return StepResult.done();
        });
        create.behaviour.put("HEALTHY", ctx -> {
            assertThat(ctx.outputs().path("address").asText()).as("outputs of earlier steps").isEqualTo("127.9.9.9");
            return StepResult.done();
        });
        TaskEngine engine = engine("tm-a", create);
        TaskRecord t = record(TaskType.CREATE, "i-1");
        engine.wake(t.id());

        TaskRecord ended = awaitEnded(t.id());
        assertThat(ended.state()).isEqualTo(TaskRecord.DONE);
        assertThat(ended.leaseOwner()).isNull();
        assertThat(create.order).containsExactly(t.id() + ":PLACED:start", t.id() + ":PLACED:end",
                t.id() + ":PREPARED:start", t.id() + ":PREPARED:end", t.id() + ":HEALTHY:start", t.id() + ":HEALTHY:end");
        assertThat(create.succeeded.get(t.id())).hasValue(1);
        assertThat(create.failures).isEmpty();
    }

    @Test
    void aWaitingStepFreesItsThread() {
        TaskEngine.Settings oneWorker = new TaskEngine.Settings(FAST.lease(), FAST.pollInterval(), 1, 4, FAST.maxBackoff());
        Recording create = new Recording(TaskType.CREATE);
        Set<String> waited = ConcurrentHashMap.newKeySet();
        create.behaviour.put("PREPARED", ctx -> "slow".equals(ctx.instanceId()) && waited.add(ctx.taskId() + ctx.attempt()
                + create.runs(ctx.taskId(), "PREPARED")) && create.runs(ctx.taskId(), "PREPARED") < 4
                ? StepResult.waitFor(Duration.ofMillis(300), "a slow guest") : StepResult.done());
        TaskEngine e = new TaskEngine(store.tasks, List.of(create), "tm-a", oneWorker);
        engines.add(e);
        e.start();
        TaskRecord slow = record(TaskType.CREATE, "slow");
        TaskRecord fast = record(TaskType.CREATE, "fast");

        assertThat(awaitEnded(fast.id()).state()).isEqualTo(TaskRecord.DONE);
        assertThat(store.tasks.find(slow.id()).orElseThrow().running()).as("still waiting").isTrue();
        assertThat(awaitEnded(slow.id()).state()).isEqualTo(TaskRecord.DONE);
        assertThat(create.runs(slow.id(), "PREPARED")).isEqualTo(4);
    }

    @Test
    void transientErrorsAreRetriedWithBackoffThenFailTheTask() {
        Recording restart = new Recording(TaskType.RESTART);
        restart.behaviour.put("RESTARTED", ctx -> {
            throw new JtroveException(503, "No reply from guestagent.x within 1 s");
        });
        engine("tm-a", restart);
        TaskRecord t = record(TaskType.RESTART, "i-1");

        TaskRecord ended = awaitEnded(t.id());
        assertThat(ended.state()).isEqualTo(TaskRecord.FAILED);
        assertThat(ended.faultStatus()).isEqualTo(503);
        assertThat(ended.error()).contains("No reply").contains("gave up after 4 attempts");
        assertThat(restart.runs(t.id(), "RESTARTED")).isEqualTo(4);
        assertThat(restart.failures).hasSize(1);
    }

    @Test
    void aDefiniteErrorFailsTheTaskAtOnceWithItsStatus() {
        Recording restart = new Recording(TaskType.RESTART);
        restart.behaviour.put("RESTARTED", ctx -> {
            throw JtroveException.unprocessable("The database server refused the request");
        });
        engine("tm-a", restart);
        TaskRecord t = record(TaskType.RESTART, "i-1");

        TaskRecord ended = awaitEnded(t.id());
        assertThat(ended.state()).isEqualTo(TaskRecord.FAILED);
        assertThat(ended.faultStatus()).isEqualTo(422);
        assertThat(restart.runs(t.id(), "RESTARTED")).isEqualTo(1);
        assertThat(restart.failures).containsExactly(t.id() + " 422 The database server refused the request");
        assertThat(restart.runs(t.id(), "HEALTHY")).isZero();
    }

    /**
     * A taskmanager killed in the middle of each step: another one takes the task over when the lease expires,
     * runs that step again (idempotent) and finishes the task exactly once.
     */
    @ParameterizedTest
    @ValueSource(strings = {"PLACED", "PREPARED", "HEALTHY"})
    void aTaskmanagerKilledInAStepIsTakenOverAndTheTaskCompletesExactlyOnce(String killedIn) throws Exception {
        Recording first = new Recording(TaskType.CREATE);
        CountDownLatch reached = new CountDownLatch(1);
        CountDownLatch never = new CountDownLatch(1);
        first.behaviour.put(killedIn, ctx -> {
            reached.countDown();
            try {
                never.await();   // the process dies here
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return StepResult.fail(500, "killed");
        });
        TaskEngine a = engine("tm-a", first);
        TaskRecord t = record(TaskType.CREATE, "i-1");
        a.wake(t.id());
        assertThat(reached.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        a.halt();
        assertThat(store.tasks.find(t.id()).orElseThrow().running()).as("a killed process writes nothing").isTrue();

        Instant killed = Instant.now();
        Recording second = new Recording(TaskType.CREATE);
        engine("tm-b", second);
        TaskRecord ended = awaitEnded(t.id());

        assertThat(ended.state()).isEqualTo(TaskRecord.DONE);
        assertThat(Duration.between(killed, Instant.now())).as("taken over once the lease expired")
                .isLessThan(Duration.ofSeconds(5));
        assertThat(second.succeeded.get(t.id())).hasValue(1);
        assertThat(first.succeeded).isEmpty();
        assertThat(second.runs(t.id(), killedIn)).as("the interrupted step runs again").isEqualTo(1);
        Set<String> done = ConcurrentHashMap.newKeySet();
        done.addAll(first.effects.getOrDefault(t.id(), Set.of()));
        done.addAll(second.effects.getOrDefault(t.id(), Set.of()));
        assertThat(done).containsExactlyInAnyOrderElementsOf(TaskType.CREATE.steps());
        for (String step : TaskType.CREATE.steps()) {
            int before = TaskType.CREATE.steps().indexOf(step) < TaskType.CREATE.steps().indexOf(killedIn) ? 1 : 0;
            assertThat(first.runs(t.id(), step) + second.runs(t.id(), step)).as(step)
                    .isEqualTo(step.equals(killedIn) ? 2 : 1);
            assertThat(second.runs(t.id(), step)).as("steps done before the kill are not run again: " + step)
                    .isEqualTo(1 - before);
        }
    }

    @Test
    void aRestartedTaskmanagerWithTheSameNameTakesItsTasksBackAtOnce() throws Exception {
        Recording first = new Recording(TaskType.CREATE);
        CountDownLatch reached = new CountDownLatch(1);
        first.behaviour.put("PREPARED", ctx -> {
            reached.countDown();
            return StepResult.waitFor(Duration.ofSeconds(1), "a second");
        });
        TaskEngine a = new TaskEngine(store.tasks, List.of(first), "tm-a",
                new TaskEngine.Settings(Duration.ofHours(1), FAST.pollInterval(), 2, 4, FAST.maxBackoff()));
        engines.add(a);
        a.start();
        TaskRecord t = record(TaskType.CREATE, "i-1");
        assertThat(reached.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        Thread.sleep(100);
        a.halt();

        Recording again = new Recording(TaskType.CREATE);
        engine("tm-a", again);
        assertThat(awaitEnded(t.id()).state()).isEqualTo(TaskRecord.DONE);
        assertThat(again.runs(t.id(), "PLACED")).isZero();
    }

    @Test
    void twoTaskmanagersOnOneStoreNeverRunTheSameStepAtOnce() {
        Recording a = new Recording(TaskType.CREATE);
        Recording b = new Recording(TaskType.CREATE);
        Map<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();
        AtomicInteger overlaps = new AtomicInteger();
        Function<StepContext, StepResult> slow = ctx -> {
            String key = ctx.taskId() + "/" + ctx.step();
            if (inFlight.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet() > 1) {
                overlaps.incrementAndGet();
            }
            try {
                Thread.sleep(15);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            inFlight.get(key).decrementAndGet();
            return StepResult.done();
        };
        for (String step : TaskType.CREATE.steps()) {
            a.behaviour.put(step, slow);
            b.behaviour.put(step, slow);
        }
        TaskEngine ea = engine("tm-a", a);
        TaskEngine eb = engine("tm-b", b);
        List<TaskRecord> tasks = new ArrayList<>();
        for (int n = 0; n < 30; n++) {
            TaskRecord t = record(TaskType.CREATE, "i-" + n);
            tasks.add(t);
            ea.wake(t.id());
            eb.wake(t.id());
        }
        for (TaskRecord t : tasks) {
            assertThat(awaitEnded(t.id()).state()).isEqualTo(TaskRecord.DONE);
            int succeeded = a.succeeded.getOrDefault(t.id(), new AtomicInteger()).get()
                    + b.succeeded.getOrDefault(t.id(), new AtomicInteger()).get();
            assertThat(succeeded).as("outcome written once").isEqualTo(1);
        }
        assertThat(overlaps).hasValue(0);
        assertThat(a.succeeded.size() + b.succeeded.size()).isEqualTo(30);
    }

    @Test
    void exclusiveTasksOfOneInstanceRunOldestFirstButADeleteDoesNotWait() {
        Recording restart = new Recording(TaskType.RESTART);
        Recording configure = new Recording(TaskType.CONFIGURE);
        Recording delete = new Recording(TaskType.DELETE);
        Set<String> waitedOnce = ConcurrentHashMap.newKeySet();
        restart.behaviour.put("RESTARTED", ctx -> waitedOnce.add(ctx.taskId())
                ? StepResult.waitFor(Duration.ofMillis(400), "slow restart") : StepResult.done());
        long[] restartEnded = new long[1];
        long[] configureStarted = new long[1];
        restart.behaviour.put("HEALTHY", ctx -> {
            restartEnded[0] = System.nanoTime();
            return StepResult.done();
        });
        configure.behaviour.put("CONFIGURATION_APPLIED", ctx -> {
            if ("i-1".equals(ctx.instanceId())) {
                configureStarted[0] = System.nanoTime();
            }
            return StepResult.done();
        });
        engine("tm-a", restart, configure, delete);
        TaskRecord first = record(TaskType.RESTART, "i-1");
        TaskRecord second = record(TaskType.CONFIGURE, "i-1");
        TaskRecord other = record(TaskType.CONFIGURE, "i-2");
        TaskRecord del = record(TaskType.DELETE, "i-1");

        assertThat(awaitEnded(other.id()).state()).isEqualTo(TaskRecord.DONE);
        assertThat(awaitEnded(del.id()).state()).isEqualTo(TaskRecord.DONE);
        assertThat(store.tasks.find(first.id()).orElseThrow().running()).as("the restart still waits").isTrue();
        assertThat(configure.runs(second.id(), "CONFIGURATION_APPLIED")).as("waits for the older restart").isZero();
        assertThat(awaitEnded(second.id()).state()).isEqualTo(TaskRecord.DONE);
        assertThat(configureStarted[0]).as("started after the restart's last step").isGreaterThan(restartEnded[0]);
    }
}
