package org.jtrove.taskmanager.engine;

import java.time.Duration;

/**
 * What one run of a step came to: the step is {@link Done}; it {@link Wait}s for something (the thread is freed
 * and the step runs again later); it failed in a way worth a {@link Retry} (a bus timeout, the store or a guest
 * briefly unavailable); or it {@link Fail}ed for good, which ends the task with a fault the user can act on.
 */
public sealed interface StepResult {
    /** The step's work is done; the task moves on to its next step. */
    record Done() implements StepResult {}

    /** Not yet: run the step again after {@code after}. */
    record Wait(Duration after, String why) implements StepResult {}

    /** A transient failure: run the step again after a backoff, up to the engine's limit. */
    record Retry(String reason) implements StepResult {}

    /** A definite failure with an HTTP-like {@code status} (4xx: refused, 5xx: broke) and a message for the user. */
    record Fail(int status, String fault) implements StepResult {}

    static StepResult done() {
        return new Done();
    }

    static StepResult waitFor(Duration after, String why) {
        return new Wait(after, why);
    }

    static StepResult retry(String reason) {
        return new Retry(reason);
    }

    static StepResult fail(int status, String fault) {
        return new Fail(status, fault);
    }
}
