package org.jtrove.guestagent.host;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import com.sun.jna.Structure;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.jtrove.model.DaemonThreads;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Learns at once that a process has exited, also one this JVM did not start: for a non-child, the JDK's
 * {@link ProcessHandle#onExit()} polls (first after 300 ms, then ever more slowly, up to 5 s), which made
 * deleting an adopted server many times slower than deleting one started by the running process. Here each such
 * process gets a pidfd (Linux 5.3+, {@code pidfd_open(2)}), which becomes readable when the process exits, and one
 * thread waits on all of them with {@code epoll(7)}. Children of this JVM, and hosts without pidfds, use the
 * JDK's mechanism.
 */
public final class ProcessExits implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ProcessExits.class);
    private static final long SYS_PIDFD_OPEN = 434;   // the same number on every architecture
    private static final int EPOLL_CTL_ADD = 1;
    private static final int EPOLLIN = 0x001;
    private static final int ESRCH = 3;

    /** The C library calls used; errors come back as {@link LastErrorException}. */
    interface LibC extends Library {
        int syscall(long number, Object... args) throws LastErrorException;

        int epoll_create1(int flags) throws LastErrorException;

        int epoll_ctl(int epfd, int op, int fd, EpollEvent event) throws LastErrorException;

        int epoll_wait(int epfd, EpollEvent[] events, int maxEvents, int timeoutMs) throws LastErrorException;

        int close(int fd) throws LastErrorException;
    }

    /** {@code struct epoll_event}: packed on x86-64 (12 bytes), naturally aligned elsewhere. */
    @Structure.FieldOrder({"events", "data"})
    public static final class EpollEvent extends Structure {
        public int events;
        public long data;

        public EpollEvent() {
            super(Platform.isIntel() && Platform.is64Bit() ? ALIGN_NONE : ALIGN_DEFAULT);
        }
    }

    private final LibC libc;
    private final int epoll;
    private final Map<Integer, Watched> watched = new ConcurrentHashMap<>();
    private volatile boolean closed;

    private record Watched(ProcessHandle process, CompletableFuture<ProcessHandle> exit) {}

    public ProcessExits() {
        LibC lib = null;
        int ep = -1;
        try {
            lib = Native.load("c", LibC.class);
            ep = lib.epoll_create1(0);
        } catch (LinkageError | LastErrorException e) {
            LOG.info("no epoll here ({}); exits of adopted servers are noticed by polling", e.toString());
        }
        this.libc = lib;
        this.epoll = ep;
        if (ep >= 0) {
            DaemonThreads.start("process-exits", this::waitLoop);
        }
    }

    /** Completes with {@code process} as soon as it has exited. */
    public CompletableFuture<ProcessHandle> onExit(ProcessHandle process) {
        boolean child = process.parent().map(p -> p.pid() == ProcessHandle.current().pid()).orElse(false);
        if (child || epoll < 0) {
            return process.onExit();
        }
        int fd;
        try {
            fd = libc.syscall(SYS_PIDFD_OPEN, (int) process.pid(), 0);
        } catch (LastErrorException e) {
            if (e.getErrorCode() == ESRCH) {
                return CompletableFuture.completedFuture(process);   // already gone
            }
            return process.onExit();
        }
        CompletableFuture<ProcessHandle> exit = new CompletableFuture<>();
        watched.put(fd, new Watched(process, exit));
        EpollEvent event = new EpollEvent();
        event.events = EPOLLIN;
        event.data = fd;
        try {
            libc.epoll_ctl(epoll, EPOLL_CTL_ADD, fd, event);
        } catch (LastErrorException e) {
            watched.remove(fd);
            closeQuietly(fd);
            return process.onExit();
        }
        if (!process.isAlive()) {
            complete(fd);
        }
        return exit;
    }

    private void waitLoop() {
        EpollEvent[] events = (EpollEvent[]) new EpollEvent().toArray(64);
        while (!closed) {
            int n;
            try {
                n = libc.epoll_wait(epoll, events, events.length, 1000);
            } catch (LastErrorException e) {
                continue;   // EINTR
            }
            for (int i = 0; i < n; i++) {
                events[i].read();
                complete((int) events[i].data);
            }
        }
    }

    private void complete(int fd) {
        Watched w = watched.remove(fd);
        if (w != null) {
            closeQuietly(fd);   // also removes it from the epoll set
            w.exit.complete(w.process);
        }
    }

    private void closeQuietly(int fd) {
        try {
            libc.close(fd);
        } catch (LastErrorException e) {
            // already closed
        }
    }

    @Override
    public void close() {
        closed = true;
        watched.keySet().forEach(this::closeQuietly);
        watched.clear();
        if (epoll >= 0) {
            closeQuietly(epoll);
        }
    }
}
