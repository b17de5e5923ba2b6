package org.jtrove.model;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * jtrove's {@code replication_mode} of a replica set (an extension of Trove's API, held by the set's source):
 * {@code asynchronous} (the default, as Trove: a commit returns once it is on the source's disk) or
 * {@code synchronous} (PostgreSQL's synchronous replication: a commit returns once one of the replicas has it on disk
 * too, {@code synchronous_standby_names = 'ANY 1 (...)'} naming the replicas).
 */
public enum ReplicationMode {
    ASYNCHRONOUS,
    SYNCHRONOUS;

    /** The name in the API: {@code asynchronous} or {@code synchronous}. */
    public String apiValue() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The mode named {@code value} in the API, if any. */
    public static Optional<ReplicationMode> parse(String value) {
        return Arrays.stream(values()).filter(m -> m.apiValue().equals(value)).findFirst();
    }

    /** The mode a stored column holds: {@code synchronous}, or null for asynchronous. */
    public static ReplicationMode ofStored(String stored) {
        return parse(stored).orElse(ASYNCHRONOUS);
    }

    /** What the store records: null for asynchronous, the default. */
    public String stored() {
        return this == ASYNCHRONOUS ? null : apiValue();
    }
}
