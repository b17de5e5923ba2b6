-- Leased, step-by-step tasks: a taskmanager claims a task by writing itself as lease_owner with a lease that it
-- renews at every step; when the lease expires, another taskmanager takes the task over at its recorded step.
ALTER TABLE tasks ADD COLUMN lease_owner VARCHAR(128);
ALTER TABLE tasks ADD COLUMN lease_until TIMESTAMP;
-- Runs of the current step (reset when the step advances); drives retry backoff.
ALTER TABLE tasks ADD COLUMN attempt INT DEFAULT 0 NOT NULL;
-- When the task is due again (a step that waits or retries sets it); NULL means at once.
ALTER TABLE tasks ADD COLUMN next_run_at TIMESTAMP;
ALTER TABLE tasks ADD COLUMN step_started TIMESTAMP;
-- What earlier steps produced (JSON), for later steps and for a taskmanager that takes the task over.
ALTER TABLE tasks ADD COLUMN outputs TEXT;
-- The HTTP-like status of a failed task (4xx: refused, 5xx: broke), so a waiting API can answer with it.
ALTER TABLE tasks ADD COLUMN fault_status INT;
CREATE INDEX ix_tasks_due ON tasks(state, next_run_at);
CREATE INDEX ix_tasks_instance ON tasks(instance_id, state);

-- Outcomes of long guest operations (prepare, restart, resize, apply configuration), reported by guest agents
-- through the conductor; a task step that sent an operation waits for its row.
CREATE TABLE guest_operations (
    id VARCHAR(36) PRIMARY KEY,
    instance_id VARCHAR(36) NOT NULL,
    method VARCHAR(40) NOT NULL,
    state VARCHAR(20) NOT NULL,
    status INT,
    message VARCHAR(4000),
    result TEXT,
    reported_at TIMESTAMP NOT NULL
);
CREATE INDEX ix_guest_operations_instance ON guest_operations(instance_id);
