package org.jtrove.taskmanager.tasks;

import java.time.Duration;
import java.time.Instant;
import org.jtrove.model.ServiceStatus;
import org.jtrove.store.InstanceRecord;
import org.jtrove.store.MetadataStore;
import org.jtrove.store.ServiceStatusRecord;
import org.jtrove.taskmanager.engine.Step;
import org.jtrove.taskmanager.engine.StepContext;
import org.jtrove.taskmanager.engine.StepResult;

/** Steps and deadlines the instance task types share. */
public final class InstanceSteps {
    /** A build taken over after a restart gets this much time at least: the time jtrove was down is not its fault. */
    static final Duration RESUME_GRACE = Duration.ofSeconds(60);
    private final MetadataStore store;
    private final Duration buildTimeout;

    public InstanceSteps(MetadataStore store, Duration buildTimeout) {
        this.store = store;
        this.buildTimeout = buildTimeout;
    }

    InstanceRecord instance(StepContext ctx) {
        return store.instances.find(ctx.instanceId())
                .orElseThrow(() -> new IllegalStateException("instance " + ctx.instanceId() + " no longer exists"));
    }

    /** When a build must be ACTIVE: {@code build_timeout} after the create, or a grace period after a takeover. */
    Instant buildDeadline(StepContext ctx) {
        return deadlineFrom(instance(ctx).created(), ctx);
    }

    /** When a rebuild of an existing instance must be ACTIVE: {@code build_timeout} after its task was recorded. */
    Instant rebuildDeadline(StepContext ctx) {
        return deadlineFrom(ctx.task().created(), ctx);
    }

    private Instant deadlineFrom(Instant start, StepContext ctx) {
        Instant deadline = start.plus(buildTimeout);
        Instant afterClaim = ctx.claimedAt().plus(RESUME_GRACE);
        return afterClaim.isAfter(deadline) && ctx.claimedAt().isAfter(ctx.task().created().plusSeconds(5))
                ? afterClaim : deadline;
    }

    String buildTimeoutFault() {
        return "The build did not finish within " + buildTimeout.toSeconds() + " s (build_timeout): the guest agent"
                + " did not report the database ready in time. Delete the instance and create it again; if it"
                + " repeats, check the server build.";
    }

    /** A step that waits until the guest reports the database up, failing at {@code deadline}. */
    Step healthy(GuestOperationStep.Deadline deadline, String timeoutFault) {
        return ctx -> {
            ServiceStatus s = store.serviceStatuses.find(ctx.instanceId()).map(ServiceStatusRecord::serviceStatus)
                    .orElse(ServiceStatus.NEW);
            if (s.isUp()) {
                return StepResult.done();
            }
            Instant now = Instant.now();
            if (now.isAfter(deadline.of(ctx))) {
                return StepResult.fail(504, timeoutFault);
            }
            return StepResult.waitFor(GuestOperationStep.pollDelay(ctx, now), "waiting for a healthy heartbeat");
        };
    }

    /** A deadline {@code limit} after the current step first ran. */
    static GuestOperationStep.Deadline afterStepStart(Duration limit) {
        return ctx -> ctx.stepStarted().plus(limit);
    }
}
