package org.jtrove.bus;

import org.slf4j.MDC;

/**
 * The API request id of the work a thread is doing, kept in the SLF4J MDC under {@value #MDC_KEY} so every log line
 * can show it. A bus reads it when it sends a message and sets it around the handler of a received one, so the id
 * follows a request from the API through the taskmanager to a guest agent.
 */
public final class RequestIds {
    /** The MDC key; a log pattern shows it with {@code %X{request_id}}. */
    public static final String MDC_KEY = "request_id";

    private RequestIds() {}

    /** The request id of the current thread, or null. */
    public static String current() {
        return MDC.get(MDC_KEY);
    }

    /** Sets the current thread's request id until the returned scope is closed (then the previous one is back). */
    public static Scope open(String requestId) {
        String previous = MDC.get(MDC_KEY);
        put(requestId);
        return () -> put(previous);
    }

    private static void put(String requestId) {
        if (requestId == null) {
            MDC.remove(MDC_KEY);
        } else {
            MDC.put(MDC_KEY, requestId);
        }
    }

    /** Restores the previous request id when closed. */
    @FunctionalInterface
    public interface Scope extends AutoCloseable {
        @Override
        void close();
    }
}
