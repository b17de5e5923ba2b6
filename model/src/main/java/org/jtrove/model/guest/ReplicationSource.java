package org.jtrove.model.guest;

import java.util.Map;

/**
 * The source a replica follows: its address and port, jtrove's own replication user and password (never one of the
 * instance's users), for PostgreSQL the physical replication slot the source keeps for this replica, and the
 * source's running values of the settings a replica must not have lower (PostgreSQL's hot standby: e.g.
 * {@code max_connections}; empty for the others).
 */
public record ReplicationSource(String address, int port, String user, String password, String slot,
                                Map<String, String> settings) {
    public ReplicationSource {
        settings = settings == null ? Map.of() : Map.copyOf(settings);
    }

    /** Without the password: these end up in logs. */
    @Override
    public String toString() {
        return "ReplicationSource[" + address + ":" + port + " as " + user + (slot == null ? "" : ", slot " + slot) + "]";
    }
}
