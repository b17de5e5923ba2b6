package org.jtrove.bench;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A steady write load on a PostgreSQL address: one client inserting ids 1, 2, 3, ... in autocommit, reconnecting
 * at once whenever its connection breaks, and recording each acknowledged commit with the time it was acknowledged.
 * A commit whose answer was lost counts as not acknowledged.
 */
final class WriteLoad implements AutoCloseable {
    private static final Duration TIMEOUT = Duration.ofMinutes(3);
    private final String url;
    private final List<long[]> acks = new ArrayList<>();   // {id, nanoTime}
    private final Thread writer = new Thread(this::write, "write-load");
    private volatile boolean stop;

    WriteLoad(String address) {
        this.url = url(address);
    }

    private static String url(String address) {
        return "jdbc:postgresql://" + address + ":5432/app?connectTimeout=1&socketTimeout=3&loginTimeout=2";
    }

    void start() throws SQLException {
        try (Connection c = DriverManager.getConnection(url, FailoverBench.USER, FailoverBench.PASSWORD);
             Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS t (id BIGINT PRIMARY KEY)");
        }
        writer.setDaemon(true);
        writer.start();
    }

    private void write() {
        long next = 1;
        Connection c = null;
        while (!stop) {
            try {
                if (c == null) {
                    c = DriverManager.getConnection(url, FailoverBench.USER, FailoverBench.PASSWORD);
                }
                try (PreparedStatement p = c.prepareStatement("INSERT INTO t (id) VALUES (?)")) {
                    p.setLong(1, next);
                    p.executeUpdate();
                }
                synchronized (acks) {
                    acks.add(new long[] {next, System.nanoTime()});
                }
            } catch (SQLException e) {
                close(c);
                c = null;
                pause();
            }
            next++;
        }
        close(c);
    }

    /** Where the acknowledged commits stand now (for {@link #longestGapAfter} and {@link #awaitCommitsAfter}). */
    int mark() {
        synchronized (acks) {
            return acks.size();
        }
    }

    int commits() {
        return mark();
    }

    void awaitCommits(int n) throws InterruptedException {
        awaitCommitsAfter(0, n);
    }

    void awaitCommitsAfter(int mark, int n) throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (mark() < mark + n) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the write load stalled: " + (mark() - mark) + " commits of " + n);
            }
            Thread.sleep(10);
        }
    }

    /** The longest time, ms, between two acknowledged commits from the last one before {@code mark} on. */
    long longestGapAfter(int mark) {
        synchronized (acks) {
            long longest = 0;
            for (int i = Math.max(1, mark); i < acks.size(); i++) {
                longest = Math.max(longest, acks.get(i)[1] - acks.get(i - 1)[1]);
            }
            return longest / 1_000_000;
        }
    }

    /**
     * Acknowledged commits that the server at {@code address} does not hold: those acknowledged before the query
     * starts (the load goes on meanwhile, and a later commit cannot be in the query's snapshot).
     */
    int missingOn(String address) throws SQLException {
        List<long[]> before;
        synchronized (acks) {
            before = new ArrayList<>(acks);
        }
        Set<Long> held = new HashSet<>();
        try (Connection c = DriverManager.getConnection(url(address), FailoverBench.USER, FailoverBench.PASSWORD);
             Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT id FROM t")) {
            while (rs.next()) {
                held.add(rs.getLong(1));
            }
        }
        return (int) before.stream().filter(a -> !held.contains(a[0])).count();
    }

    private static void close(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException e) {
                // the server is gone; nothing to close
            }
        }
    }

    private static void pause() {
        try {
            Thread.sleep(20);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop = true;
        writer.join(10_000);
    }
}
