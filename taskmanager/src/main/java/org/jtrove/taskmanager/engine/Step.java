package org.jtrove.taskmanager.engine;

/**
 * One named step of a task. It must be idempotent: a taskmanager that takes a task over, or a retry, runs the
 * current step again from its start, so it checks what is already true before doing anything.
 */
@FunctionalInterface
public interface Step {
    /**
     * Does (or checks) the step's work. A thrown exception counts as a {@link StepResult.Retry} when it is
     * transient (see {@link TaskEngine}) and as a {@link StepResult.Fail} otherwise.
     */
    StepResult run(StepContext ctx) throws Exception;
}
