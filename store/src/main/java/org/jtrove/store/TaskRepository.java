package org.jtrove.store;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.mapper.reflect.ConstructorMapper;

/**
 * Durable, leased tasks. A taskmanager claims a task with a conditional update (free, or its lease expired),
 * renews the lease while it holds it, and moves it on only while it still owns it ("fenced" updates that return
 * false once another taskmanager took the task over). Payloads are encrypted with the {@link SecretBox}.
 */
public final class TaskRepository {
    private static final String PAYLOAD = "tasks.payload";
    private final Jdbi jdbi;
    private final SecretBox secrets;

    TaskRepository(Jdbi jdbi, SecretBox secrets) {
        this.jdbi = jdbi;
        this.secrets = secrets;
        jdbi.registerRowMapper(ConstructorMapper.factory(TaskRecord.class));
    }

    /** Inserts {@code t} inside the caller's transaction {@code h}. */
    void insert(Handle h, TaskRecord t) {
        h.createUpdate("INSERT INTO tasks (id, instance_id, task_type, step, state, payload, error, created, updated,"
                        + " attempt, step_started, outputs) VALUES (:id, :instanceId, :taskType, :step, :state, :payload,"
                        + " :error, :created, :updated, 0, :stepStarted, :outputs)")
                .bindMethods(t).bind("payload", secrets.seal(t.payload(), PAYLOAD)).execute();
    }

    public void insert(TaskRecord t) {
        jdbi.useHandle(h -> insert(h, t));
    }

    public Optional<TaskRecord> find(String id) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM tasks WHERE id = :id")
                .bind("id", id).mapTo(TaskRecord.class).findFirst()).map(this::open);
    }

    /**
     * Running tasks that are due at {@code now} and held by nobody, by a taskmanager whose lease expired, or by
     * {@code owner} itself (a restarted taskmanager of the same name takes its tasks back at once).
     */
    public List<TaskRecord> claimable(Instant now, String owner, int limit) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM tasks WHERE state = 'RUNNING'"
                        + " AND (next_run_at IS NULL OR next_run_at <= :now)"
                        + " AND (lease_owner IS NULL OR lease_until < :now OR lease_owner = :o) ORDER BY created")
                .bind("now", now).bind("o", owner).setMaxRows(limit).mapTo(TaskRecord.class).list())
                .stream().map(this::open).toList();
    }

    /** The running tasks of one instance, oldest first. */
    public List<TaskRecord> runningFor(String instanceId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM tasks WHERE instance_id = :id AND state = 'RUNNING'"
                        + " ORDER BY created, id")
                .bind("id", instanceId).mapTo(TaskRecord.class).list()).stream().map(this::open).toList();
    }

    public List<TaskRecord> running() {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM tasks WHERE state = 'RUNNING' ORDER BY created")
                .mapTo(TaskRecord.class).list()).stream().map(this::open).toList();
    }

    public Optional<TaskRecord> latestForInstance(String instanceId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM tasks WHERE instance_id = :id ORDER BY created DESC")
                .bind("id", instanceId).setMaxRows(1).mapTo(TaskRecord.class).findFirst()).map(this::open);
    }

    /**
     * Takes {@code id} for {@code owner} until {@code leaseUntil} if it is still running and free (or its lease
     * expired at {@code now}); true if this caller now holds it.
     */
    public boolean claim(String id, String owner, Instant leaseUntil, Instant now) {
        return jdbi.withHandle(h -> h.createUpdate("UPDATE tasks SET lease_owner = :o, lease_until = :l, updated = :now"
                        + " WHERE id = :id AND state = 'RUNNING' AND (lease_owner IS NULL OR lease_until < :now"
                        + " OR lease_owner = :o)")
                .bind("o", owner).bind("l", leaseUntil).bind("now", now).bind("id", id).execute()) == 1;
    }

    /** Extends every lease {@code owner} holds; returns how many tasks it still holds. */
    public int renewLeases(String owner, Instant leaseUntil) {
        return jdbi.withHandle(h -> h.createUpdate("UPDATE tasks SET lease_until = :l"
                        + " WHERE lease_owner = :o AND state = 'RUNNING'")
                .bind("o", owner).bind("l", leaseUntil).execute());
    }

    /** Whether {@code owner} still holds running task {@code id}. */
    public boolean holds(String id, String owner) {
        return jdbi.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM tasks WHERE id = :id AND lease_owner = :o"
                        + " AND state = 'RUNNING'")
                .bind("id", id).bind("o", owner).mapTo(Integer.class).one()) == 1;
    }

    /** Moves the task to {@code step} (first run, attempt 0) with the outputs so far; false if not held any more. */
    public boolean advance(String id, String owner, String step, String outputs, Instant now) {
        return fenced("step = :s, attempt = 0, step_started = :now, next_run_at = NULL, outputs = :out", id, owner,
                now, "s", step, "out", outputs);
    }

    /** The current step runs again at {@code at}; {@code countAttempt} for a retry after an error (not a wait). */
    public boolean reschedule(String id, String owner, Instant at, boolean countAttempt, String outputs, Instant now) {
        return fenced("next_run_at = :at, outputs = :out" + (countAttempt ? ", attempt = attempt + 1" : ""), id, owner,
                now, "at", at, "out", outputs);
    }

    /** Gives the task up (this taskmanager stops): another one may claim it at once. */
    public boolean release(String id, String owner) {
        return jdbi.withHandle(h -> h.createUpdate("UPDATE tasks SET lease_owner = NULL, lease_until = NULL"
                        + " WHERE id = :id AND lease_owner = :o AND state = 'RUNNING'")
                .bind("id", id).bind("o", owner).execute()) == 1;
    }

    /**
     * Ends a task held by {@code owner}; its payload (which may hold user passwords) is cleared. {@code faultStatus}
     * is the HTTP-like status of a failure (null when done).
     */
    public boolean finish(String id, String owner, String state, String error, Integer faultStatus) {
        return jdbi.withHandle(h -> h.createUpdate("UPDATE tasks SET state = :st, error = :e, fault_status = :fs,"
                        + " payload = '{}', lease_owner = NULL, lease_until = NULL, updated = :t"
                        + " WHERE id = :id AND state = 'RUNNING' AND lease_owner = :o")
                .bind("st", state).bind("e", InstanceRepository.truncate(error)).bind("fs", faultStatus)
                .bind("t", Instant.now()).bind("id", id).bind("o", owner).execute()) == 1;
    }

    /** Ends every running task of an instance (an admin reset): their runners stop at their next step. */
    public void failRunning(String instanceId, String reason) {
        failRunning(instanceId, null, reason);
    }

    /** As {@link #failRunning(String, String)}, sparing task {@code exceptTaskId} (a delete that stops the rest). */
    public void failRunning(String instanceId, String exceptTaskId, String reason) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE tasks SET state = 'FAILED', error = :e, payload = '{}',"
                        + " lease_owner = NULL, lease_until = NULL, updated = :t"
                        + " WHERE instance_id = :id AND state = 'RUNNING' AND id <> :except")
                .bind("e", InstanceRepository.truncate(reason)).bind("t", Instant.now()).bind("id", instanceId)
                .bind("except", exceptTaskId == null ? "" : exceptTaskId).execute());
    }

    private boolean fenced(String set, String id, String owner, Instant now, Object... binds) {
        return jdbi.withHandle(h -> {
            var update = h.createUpdate("UPDATE tasks SET " + set + ", updated = :now"
                            + " WHERE id = :id AND state = 'RUNNING' AND lease_owner = :o")
                    .bind("id", id).bind("o", owner).bind("now", now);
            for (int i = 0; i < binds.length; i += 2) {
                update.bind((String) binds[i], binds[i + 1]);
            }
            return update.execute() == 1;
        });
    }

    private TaskRecord open(TaskRecord stored) {
        return stored.withPayload(secrets.open(stored.payload(), PAYLOAD));
    }
}
