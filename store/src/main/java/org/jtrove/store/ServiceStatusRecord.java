package org.jtrove.store;

import java.time.Instant;
import org.jtrove.model.ServiceStatus;

public record ServiceStatusRecord(String instanceId, String status, Instant updatedAt) {
    public ServiceStatus serviceStatus() {
        return ServiceStatus.valueOf(status);
    }
}
