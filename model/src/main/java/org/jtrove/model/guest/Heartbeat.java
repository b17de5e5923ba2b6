package org.jtrove.model.guest;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Guest agent to conductor: the database's status, stamped with the sender's clock (epoch seconds). The payload
 * carries {@code replicationLag} (JSON {@code replication_lag}): on a replica, how many seconds its data is behind
 * its source (0 when it has replayed everything received and the link is up); null on an instance that follows
 * no source. An older agent's heartbeat without it reads as null.
 */
public record Heartbeat(String instanceId, String serviceStatus, double sent,
                        @JsonProperty("replication_lag") Double replicationLag) {
    /** A heartbeat of an instance that is no replica. */
    public Heartbeat(String instanceId, String serviceStatus, double sent) {
        this(instanceId, serviceStatus, sent, null);
    }
}
