package org.jtrove.model;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/** Thread factories for background work that must never keep the JVM alive: named daemon threads. */
public final class DaemonThreads {
    private DaemonThreads() {}

    /** Threads called {@code name-1}, {@code name-2}, ... */
    public static ThreadFactory named(String name) {
        AtomicInteger next = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + next.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** Starts {@code work} on a new daemon thread called {@code name}. */
    public static Thread start(String name, Runnable work) {
        Thread t = new Thread(work, name);
        t.setDaemon(true);
        t.start();
        return t;
    }
}
