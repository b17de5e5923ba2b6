package org.jtrove.store;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.mapper.reflect.ConstructorMapper;

/** Durable tasks: a restarted taskmanager resumes every RUNNING task at its recorded step. */
public final class TaskRepository {
    private final Jdbi jdbi;

    TaskRepository(Jdbi jdbi) {
        this.jdbi = jdbi;
        jdbi.registerRowMapper(ConstructorMapper.factory(TaskRecord.class));
    }

    static void insert(Handle h, TaskRecord t) {
        h.createUpdate("INSERT INTO tasks (id, instance_id, task_type, step, state, payload, error, created, updated)"
                + " VALUES (:id, :instanceId, :taskType, :step, :state, :payload, :error, :created, :updated)")
                .bindMethods(t).execute();
    }

    public void insert(TaskRecord t) {
        jdbi.useHandle(h -> insert(h, t));
    }

    public Optional<TaskRecord> find(String id) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM tasks WHERE id = :id")
                .bind("id", id).mapTo(TaskRecord.class).findFirst());
    }

    public List<TaskRecord> running() {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM tasks WHERE state = 'RUNNING' ORDER BY created")
                .mapTo(TaskRecord.class).list());
    }

    public Optional<TaskRecord> latestForInstance(String instanceId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM tasks WHERE instance_id = :id ORDER BY created DESC LIMIT 1")
                .bind("id", instanceId).mapTo(TaskRecord.class).findFirst());
    }

    /** Ends every running task of an instance (an admin reset): the taskmanager stops them at their next step. */
    public void failRunning(String instanceId, String reason) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE tasks SET state = 'FAILED', error = :e, payload = '{}', updated = :t"
                        + " WHERE instance_id = :id AND state = 'RUNNING'")
                .bind("e", InstanceRepository.truncate(reason)).bind("t", Instant.now()).bind("id", instanceId).execute());
    }

    public void setStep(String id, String step) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE tasks SET step = :s, updated = :t WHERE id = :id")
                .bind("s", step).bind("t", Instant.now()).bind("id", id).execute());
    }

    /** Ends a task; its payload (which may hold user passwords) is cleared. */
    public void finish(String id, String state, String error) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE tasks SET state = :st, error = :e, payload = '{}', updated = :t WHERE id = :id")
                .bind("st", state).bind("e", InstanceRepository.truncate(error)).bind("t", Instant.now()).bind("id", id).execute());
    }
}
