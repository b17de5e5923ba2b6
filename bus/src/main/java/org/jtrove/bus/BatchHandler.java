package org.jtrove.bus;

import java.util.List;

/**
 * Serves a topic's messages in batches: whatever has arrived, up to a maximum, in arrival order. Lets a server
 * write many messages to its store at once (the conductor's heartbeats). Over a broker the whole batch is
 * acknowledged only after this returns.
 */
@FunctionalInterface
public interface BatchHandler {
    /**
     * Handles the messages of one batch.
     *
     * @return one reply per message, in the same order (null entries for no value); only calls read theirs
     * @throws Exception fails every message of the batch (each caller gets the error)
     */
    List<?> handle(List<Message> messages) throws Exception;
}
