package org.jtrove.taskmanager.engine;

import org.jtrove.model.TaskType;

/**
 * What a task type does: one {@link Step} per name in {@link TaskType#steps()}, and where its outcome is written.
 * The engine calls {@link #succeeded} or {@link #failed} once, at the end, so status and fault are written in one
 * place.
 */
public interface TaskDefinition {
    TaskType type();

    /** The step called {@code name} (one of {@code type().steps()}). */
    Step step(String name);

    /** Writes the outcome of a task whose last step is done (e.g. the instance's task status back to NONE). */
    void succeeded(StepContext ctx) throws Exception;

    /** Writes the outcome of a failed task (e.g. the instance's fault message) and undoes what must be undone. */
    void failed(StepContext ctx, int status, String fault) throws Exception;
}
