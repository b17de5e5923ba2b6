package org.jtrove.model.guest;

/** Guest agent to conductor: the database's status, stamped with the sender's clock (epoch seconds). */
public record Heartbeat(String instanceId, String serviceStatus, double sent) {}
