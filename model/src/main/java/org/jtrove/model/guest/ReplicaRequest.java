package org.jtrove.model.guest;

/**
 * What the taskmanager asks a new replica's guest agent to do: {@code prepare} as for any instance (its restore
 * chain is the snapshot of the source; empty for Redis, which copies over the replication protocol itself), then
 * follow {@code source}.
 */
public record ReplicaRequest(PrepareRequest prepare, ReplicationSource source) {}
