package org.jtrove.bus;

import java.util.Map;

/** How other parts ask the taskmanager to run a task already recorded in the metadata store. */
public final class TaskmanagerApi {
    private final MessageBus bus;

    public TaskmanagerApi(MessageBus bus) {
        this.bus = bus;
    }

    public void runTask(String taskId) {
        bus.cast(Topics.TASKMANAGER, Message.of("run_task", Map.of("task_id", taskId)));
    }
}
