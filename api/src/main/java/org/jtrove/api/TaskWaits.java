package org.jtrove.api;

import java.time.Duration;
import org.jtrove.store.MetadataStore;
import org.jtrove.store.TaskRecord;

/** Waiting in a request for a short task the request recorded, without holding anything but this thread. */
final class TaskWaits {
    private TaskWaits() {}

    /** The task once it ended, or null if it still runs after {@code limit} (its work goes on). */
    static TaskRecord awaitEnd(MetadataStore store, String taskId, Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        long pause = 10;
        while (System.nanoTime() < deadline) {
            TaskRecord t = store.tasks.find(taskId).orElse(null);
            if (t == null || !t.running()) {
                return t;
            }
            try {
                Thread.sleep(pause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
            pause = Math.min(200, pause * 2);
        }
        return null;
    }
}
