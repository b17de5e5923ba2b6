package org.jtrove.store;

import java.time.Instant;
import org.jtrove.model.InstanceTask;

public record InstanceRecord(
        String id, String projectId, String name, String flavorId, String datastoreVersionId, int volumeSize,
        String address, Integer addressIndex, String taskStatus, String faultMessage, Instant faultCreated,
        Instant created, Instant updated, boolean deleted, Instant deletedAt) {

    public InstanceTask task() {
        return InstanceTask.valueOf(taskStatus);
    }
}
