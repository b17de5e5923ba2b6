package org.jtrove.store;

import java.time.Instant;

/**
 * The outcome a guest agent reported for one long operation: {@code state} DONE or FAILED, {@code status} the
 * HTTP-like status of a failure, {@code result} the operation's JSON result (may be null).
 */
public record GuestOperationRecord(String id, String instanceId, String method, String state, Integer status,
                                   String message, String result, Instant reportedAt) {
    public static final String DONE = "DONE";
    public static final String FAILED = "FAILED";

    public boolean done() {
        return DONE.equals(state);
    }
}
