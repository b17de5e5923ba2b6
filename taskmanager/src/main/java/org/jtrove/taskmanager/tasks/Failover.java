package org.jtrove.taskmanager.tasks;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.jtrove.bus.GuestApi;
import org.jtrove.model.InstanceTask;
import org.jtrove.model.Json;
import org.jtrove.model.TaskType;
import org.jtrove.store.MetadataStore;
import org.jtrove.taskmanager.engine.Step;
import org.jtrove.taskmanager.engine.StepContext;
import org.jtrove.taskmanager.engine.StepResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * jtrove's automatic failover, started by the {@code FailoverMonitor} on a source confirmed down and run on it:
 * CANDIDATE_CHOSEN (as an eject), SOURCE_FENCED (the fence is recorded in the store, so the old source takes no
 * action and is not started by jtrove again, and cast to its guest agent, which stops its server and refuses to
 * start it, now or when it returns; while the agent still reports, the failover waits briefly for it to confirm the
 * server is stopped, so that a server that was only stalled cannot take writes once a replica has taken over),
 * PROMOTED, WRITER_MOVED, OTHERS_REPOINTED and STANDBYS_UPDATED (as an eject), FAILOVER_RECORDED (the event is
 * recorded on both instances: the {@code failover} field of their view). The old source ends FENCED; the monitor
 * has it rejoin as a replica ({@link RejoinReplica}) once its guest agent reports again.
 */
public final class Failover extends ReplicaTask {
    private static final Logger LOG = LoggerFactory.getLogger(Failover.class);
    private final MetadataStore store;

    public Failover(MetadataStore store, Placements placements, GuestApi guests, ReplicaSets sets) {
        super(store, TaskType.FAILOVER, InstanceTask.FAILING_OVER, InstanceTask.FENCED, InstanceTask.FAILOVER_ERROR,
                "Automatic failover");
        this.store = store;
        Map<String, Step> steps = new HashMap<>(new SourceElection(store, guests, placements, sets)
                .steps(StepContext::instanceId));
        steps.put("SOURCE_FENCED", ctx -> {
            ObjectNode event = event(ctx);
            if (!event.has("fenced")) {
                event.put("fenced", Instant.now().toString());
            }
            store.instances.setFailover(ctx.instanceId(), event.toString());
            ctx.outputs().put("fenced", true);
            guests.fenceServer(ctx.instanceId());   // durable: an agent that is down gets it when it returns
            try {
                if (!ctx.payload().path("agent_reports").asBoolean(false)) {
                    throw new IllegalStateException("no heartbeat from it");   // a dead host: no need to wait
                }
                guests.fenceServerNow(ctx.instanceId());
                LOG.info("failover of source {}: fenced (recorded; its guest agent stopped its server)",
                        ctx.instanceId());
            } catch (RuntimeException e) {
                LOG.info("failover of source {}: fenced (recorded; its guest agent, which did not answer ({}), stops"
                        + " its server when it returns)", ctx.instanceId(), e.getMessage());
            }
            return StepResult.done();
        });
        steps.put("FAILOVER_RECORDED", ctx -> {
            String newSource = SourceElection.candidate(ctx);
            ObjectNode event = (ObjectNode) Json.parse(store.instances.failover(ctx.instanceId()));
            event.put("new_source", newSource);
            event.put("promoted", ctx.outputs().path("promoted").asText(Instant.now().toString()));
            store.instances.setFailover(ctx.instanceId(), event.toString());
            store.instances.setFailover(newSource, event.toString());
            Boolean choice = store.instances.autoFailover(ctx.instanceId());
            if (choice != null && store.instances.autoFailover(newSource) == null) {
                store.instances.setAutoFailover(newSource, choice);   // the group keeps its choice
            }
            long writable = Duration.between(Instant.parse(event.path("detected").asText()),
                    Instant.parse(event.path("promoted").asText())).toMillis();
            LOG.info("failover of source {}: replica {} is the new source, writable {} ms after the failure was"
                    + " confirmed ({} ms after it was first seen)", ctx.instanceId(), newSource, writable,
                    Duration.between(Instant.parse(event.path("down_since").asText()),
                            Instant.parse(event.path("promoted").asText())).toMillis());
            return StepResult.done();
        });
        Step promote = steps.get("PROMOTED");
        steps.put("PROMOTED", ctx -> {
            StepResult r = promote.run(ctx);
            if (r instanceof StepResult.Done) {
                ctx.outputs().put("promoted", Instant.now().toString());
            }
            return r;
        });
        steps(steps);
    }

    /**
     * A failover that failed before the old source was fenced (no replica answered) changed nothing: the source gets
     * NONE back with the fault, and the monitor tries again once it is confirmed down for another window. After the
     * fence it stays FAILOVER_ERROR.
     */
    @Override
    InstanceTask errorStatus(StepContext ctx) {
        return ctx.outputs().path("fenced").asBoolean() ? InstanceTask.FAILOVER_ERROR : InstanceTask.NONE;
    }

    /** The failover event as the monitor started it: old source, when the failure was first seen and confirmed. */
    private ObjectNode event(StepContext ctx) {
        String stored = store.instances.failover(ctx.instanceId());
        ObjectNode event = Json.object();
        if (stored != null && ctx.task().id().equals(Json.parse(stored).path("task_id").asText())) {
            event.setAll((ObjectNode) Json.parse(stored));
        }
        event.put("task_id", ctx.taskId());
        event.put("old_source", ctx.instanceId());
        event.put("down_since", ctx.payload().path("down_since").asText());
        event.put("detected", ctx.payload().path("detected").asText());
        return event;
    }
}
