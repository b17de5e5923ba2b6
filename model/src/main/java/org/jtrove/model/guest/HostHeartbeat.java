package org.jtrove.model.guest;

/** Guest-agent host to conductor: host {@code host} is alive and serves {@code instances} instances. */
public record HostHeartbeat(String host, int instances, double sent) {}
