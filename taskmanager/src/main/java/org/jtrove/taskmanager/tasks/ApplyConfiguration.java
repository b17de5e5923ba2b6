package org.jtrove.taskmanager.tasks;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import org.jtrove.bus.GuestApi;
import org.jtrove.bus.TaskmanagerApi;
import org.jtrove.model.InstanceTask;
import org.jtrove.model.TaskType;
import org.jtrove.store.InstanceRecord;
import org.jtrove.store.MetadataStore;
import org.jtrove.store.TaskRecord;
import org.jtrove.taskmanager.engine.Step;
import org.jtrove.taskmanager.engine.StepContext;
import org.jtrove.taskmanager.engine.StepResult;
import org.jtrove.taskmanager.engine.TaskDefinition;

/**
 * Brings an instance's server to the configuration-group values the store records for it now (after an attach, a
 * detach or a change of the group, each recorded together with this task): CONFIGURATION_APPLIED. Values that need
 * a restart leave the instance in RESTART_REQUIRED. If the server refuses an attached group, the attachment is
 * rolled back to the previous one by another task of this type.
 * Payload: {@code kind} (attach, detach, push, rollback), {@code configuration_id},
 * {@code previous_configuration_id}.
 */
public final class ApplyConfiguration implements TaskDefinition {
    private final MetadataStore store;
    private final TaskmanagerApi taskmanager;
    private final Steps steps;

    public ApplyConfiguration(MetadataStore store, GuestApi guests, TaskmanagerApi taskmanager) {
        this.store = store;
        this.taskmanager = taskmanager;
        GuestOperationStep apply = new GuestOperationStep(store, "applying the configuration",
                InstanceSteps.afterStepStart(RestartInstance.OPERATION_TIMEOUT),
                (ctx, operationId) -> guests.applyConfiguration(ctx.instanceId(), operationId, currentValues(ctx)));
        this.steps = new Steps(type(), Map.of("CONFIGURATION_APPLIED", ctx -> {
            InstanceRecord i = store.instances.find(ctx.instanceId()).orElse(null);
            if (i == null || i.task() == InstanceTask.DELETING) {
                return StepResult.done();   // nothing left to configure
            }
            return apply.run(ctx);
        }));
    }

    private Map<String, Object> currentValues(StepContext ctx) {
        return store.configurations.attachedTo(ctx.instanceId()).map(store.configurations::values).orElse(Map.of());
    }

    @Override
    public TaskType type() {
        return TaskType.CONFIGURE;
    }

    @Override
    public Step step(String name) {
        return steps.get(name);
    }

    @Override
    public void succeeded(StepContext ctx) {
        JsonNode result = GuestOperationStep.result(ctx, "CONFIGURATION_APPLIED");
        if (result != null && result.path("restart_required").asBoolean()) {
            store.instances.compareAndSetTask(ctx.instanceId(), InstanceTask.NONE, InstanceTask.RESTART_REQUIRED);
        }
    }

    @Override
    public void failed(StepContext ctx, int status, String fault) {
        String kind = ctx.payload().path("kind").asText();
        String group = ctx.payload().path("configuration_id").asText(null);
        String previous = ctx.payload().path("previous_configuration_id").asText(null);
        String message = "Applying the configuration failed: " + fault;
        if ("attach".equals(kind)) {
            TaskRecord rollback = rollbackTask(ctx.instanceId(), group, previous);
            if (store.configurations.reattachWithTask(ctx.instanceId(), group, previous, rollback)) {
                taskmanager.runTask(rollback.id());
                message = "Configuration group " + group + " could not be applied and was detached again: " + fault;
            }
        }
        store.instances.setFaultMessage(ctx.instanceId(), message);
    }

    /** The payload of a task that puts back {@code previous} after {@code refused} failed. */
    static TaskRecord rollbackTask(String instanceId, String refused, String previous) {
        Map<String, Object> payload = new java.util.HashMap<>();
        payload.put("kind", "rollback");
        payload.put("configuration_id", previous);
        payload.put("previous_configuration_id", refused);
        return TaskRecord.start(TaskType.CONFIGURE, instanceId, payload);
    }
}
