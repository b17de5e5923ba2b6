package org.jtrove.bus;

/** Serves the messages of one topic. The returned value (may be null) is the reply to a call. */
@FunctionalInterface
public interface Handler {
    Object handle(Message message) throws Exception;
}
