package org.jtrove.bus;

import java.util.Map;

/** How other parts ask the taskmanager to run a task already recorded in the metadata store. */
public final class TaskmanagerApi {
    public static final String RUN_TASK = "run_task";
    public static final String WAKE_INSTANCE = "wake_instance";
    private final MessageBus bus;

    public TaskmanagerApi(MessageBus bus) {
        this.bus = bus;
    }

    /** Cast: task {@code taskId} was recorded; claim and run it now rather than at the next sweep. */
    public void runTask(String taskId) {
        bus.cast(Topics.TASKMANAGER, Message.of(RUN_TASK, Map.of("task_id", taskId)));
    }

    /** Cast: something a task of {@code instanceId} may wait for was just stored (a report, a status change). */
    public void wakeInstance(String instanceId) {
        bus.cast(Topics.TASKMANAGER, Message.of(WAKE_INSTANCE, Map.of("instance_id", instanceId)));
    }
}
