package org.jtrove.model.guest;

/**
 * The source a replica follows: its address and port, jtrove's own replication user and password (never one of the
 * instance's users), and, for PostgreSQL, the physical replication slot the source keeps for this replica.
 */
public record ReplicationSource(String address, int port, String user, String password, String slot) {
    /** Without the password: these end up in logs. */
    @Override
    public String toString() {
        return "ReplicationSource[" + address + ":" + port + " as " + user + (slot == null ? "" : ", slot " + slot) + "]";
    }
}
