package org.jtrove.model;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;

/**
 * Keeps logs readable while something stays broken (the store down, a guest gone): the first failure of a kind
 * is logged with its stack trace, repeats within {@code window} as one line each. A kind is the place plus the
 * exception's class and message.
 */
public final class RepeatedFailures {
    private final Logger log;
    private final long windowNanos;
    private final Map<String, Long> lastTrace = new ConcurrentHashMap<>();

    public RepeatedFailures(Logger log, Duration window) {
        this.log = log;
        this.windowNanos = window.toNanos();
    }

    /** Logs {@code e} at WARN for {@code where}: with its stack trace only if this kind was not traced lately. */
    public void warn(String where, Throwable e) {
        if (traceDue(where, e)) {
            log.warn("{} failed: {}", where, e.toString(), e);
        } else {
            log.warn("{} failed again: {}", where, e.toString());
        }
    }

    /** As {@link #warn}, at ERROR, with a reference the caller also gives to the user. */
    public void error(String where, String reference, Throwable e) {
        if (traceDue(where, e)) {
            log.error("{} failed (reference {}): {}", where, reference, e.toString(), e);
        } else {
            log.error("{} failed again (reference {}): {}", where, reference, e.toString());
        }
    }

    private boolean traceDue(String where, Throwable e) {
        String kind = where + "|" + e.getClass().getName() + "|" + e.getMessage();
        long now = System.nanoTime();
        Long last = lastTrace.get(kind);
        if (last != null && now - last < windowNanos) {
            return false;
        }
        if (lastTrace.size() > 1000) {
            lastTrace.clear();
        }
        lastTrace.put(kind, now);
        return true;
    }
}
