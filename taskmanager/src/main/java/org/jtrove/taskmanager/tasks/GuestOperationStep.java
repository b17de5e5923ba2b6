package org.jtrove.taskmanager.tasks;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.jtrove.model.Json;
import org.jtrove.store.GuestOperationRecord;
import org.jtrove.store.MetadataStore;
import org.jtrove.taskmanager.engine.Step;
import org.jtrove.taskmanager.engine.StepContext;
import org.jtrove.taskmanager.engine.StepResult;

/**
 * A step that has a guest agent do one long operation and waits for its reported outcome without holding a
 * thread. The operation id is derived from the task and step, so every send of it is the same operation to the
 * agent (which runs it once); it is sent on the step's first run in each claim (a taskmanager that took the task
 * over, or restarted, sends it again: the agent may have died with the operation) and again every
 * {@link #RESEND} while no outcome has arrived (the cast may have been lost).
 */
final class GuestOperationStep implements Step {
    static final Duration RESEND = Duration.ofSeconds(20);

    /** Sends the operation to the instance's guest agent. */
    interface Sender {
        void send(StepContext ctx, String operationId) throws Exception;
    }

    /** When the operation must have ended, given the step's context. */
    interface Deadline {
        Instant of(StepContext ctx);
    }

    private final MetadataStore store;
    private final String what;
    private final Deadline deadline;
    private final String timeoutFault;
    private final Sender sender;

    /**
     * @param what the operation in words ("the restart")
     * @param timeoutFault the task's fault when the deadline passes without an outcome
     */
    GuestOperationStep(MetadataStore store, String what, Deadline deadline, String timeoutFault, Sender sender) {
        this.store = store;
        this.what = what;
        this.deadline = deadline;
        this.timeoutFault = timeoutFault;
        this.sender = sender;
    }

    /** A step whose timeout fault says that the guest agent did not finish {@code what} in time. */
    GuestOperationStep(MetadataStore store, String what, Deadline deadline, Sender sender) {
        this(store, what, deadline, "The guest agent did not finish " + what + " in time. Check the instance (its"
                + " status and server log), then try again.", sender);
    }

    /** The operation id of the context's current step. */
    static String operationId(StepContext ctx) {
        return UUID.nameUUIDFromBytes((ctx.taskId() + "/" + ctx.step()).getBytes(StandardCharsets.UTF_8)).toString();
    }

    /** The JSON result the guest reported for the operation of step {@code step}, or null. */
    static JsonNode result(StepContext ctx, String step) {
        JsonNode r = ctx.outputs().path(step).path("result");
        return r.isMissingNode() || r.isNull() ? null : r;
    }

    @Override
    public StepResult run(StepContext ctx) throws Exception {
        String id = operationId(ctx);
        GuestOperationRecord outcome = store.guestOperations.find(id).orElse(null);
        if (outcome != null) {
            if (!outcome.done()) {
                return StepResult.fail(outcome.status() == null ? 500 : outcome.status(), outcome.message());
            }
            if (outcome.result() != null) {
                ctx.outputs().withObjectProperty(ctx.step()).set("result", Json.parse(outcome.result()));
            }
            return StepResult.done();
        }
        Instant now = Instant.now();
        if (now.isAfter(deadline.of(ctx))) {
            return StepResult.fail(504, timeoutFault);
        }
        JsonNode sent = ctx.outputs().path(ctx.step()).path("sent");
        if (ctx.firstRunInClaim() || !sent.isTextual() || Instant.parse(sent.asText()).plus(RESEND).isBefore(now)) {
            sender.send(ctx, id);
            ctx.outputs().withObjectProperty(ctx.step()).put("sent", now.toString());
        }
        return StepResult.waitFor(pollDelay(ctx, now), "waiting for the guest agent to finish " + what);
    }

    /**
     * Often at first, then rarely: the conductor wakes the step as soon as the outcome is stored, so polling only
     * covers a lost wake-up.
     */
    static Duration pollDelay(StepContext ctx, Instant now) {
        long waited = Duration.between(ctx.stepStarted(), now).toMillis();
        return Duration.ofMillis(waited < 2_000 ? 100 : waited < 20_000 ? 500 : 2_000);
    }
}
