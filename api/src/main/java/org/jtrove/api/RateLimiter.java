package org.jtrove.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import io.javalin.http.Context;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;


/**
 * Trove's per-project rate limits: at most N requests per minute for each HTTP verb (fixed one-minute windows).
 * Exceeding gives 413 overLimit with Retry-After. A limit of 0 turns it off.
 */
final class RateLimiter {
    private static final String[] VERBS = {"POST", "PUT", "DELETE", "GET"};
    private final int perMinute;
    private final Map<String, Window> windows = new ConcurrentHashMap<>();

    private static final class Window {
        long minute;
        int used;
    }

    RateLimiter(int perMinute) {
        this.perMinute = perMinute;
    }

    void check(Context ctx, String project) {
        if (perMinute <= 0 || project == null) {
            return;
        }
        String verb = ctx.method().name();
        long minute = Instant.now().getEpochSecond() / 60;
        Window w = windows.computeIfAbsent(project + " " + verb, k -> new Window());
        synchronized (w) {
            if (w.minute != minute) {
                w.minute = minute;
                w.used = 0;
            }
            if (w.used >= perMinute) {
                long retry = (minute + 1) * 60 - Instant.now().getEpochSecond();
                ctx.header("Retry-After", Long.toString(retry));
                var body = Faults.body(413, "This request was rate-limited.");
                body.with("overLimit").put("details", "Only " + perMinute + " " + verb + " request(s) can be made to * every minute.")
                        .put("retryAfter", Long.toString(retry));
                throw new RateLimited(body.toString());
            }
            w.used++;
        }
    }

    void describe(String project, ArrayNode limits) {
        long minute = Instant.now().getEpochSecond() / 60;
        for (String verb : VERBS) {
            Window w = windows.get(project + " " + verb);
            int used = 0;
            if (w != null) {
                synchronized (w) {
                    used = w.minute == minute ? w.used : 0;
                }
            }
            limits.addObject().put("verb", verb).put("uri", "*").put("regex", ".*").put("value", perMinute)
                    .put("remaining", Math.max(0, perMinute - used)).put("unit", "MINUTE")
                    .put("nextAvailable", Instant.ofEpochSecond((minute + (used >= perMinute ? 1 : 0)) * 60)
                            .truncatedTo(ChronoUnit.SECONDS).toString());
        }
    }

    /** Carries a ready 413 body. */
    static final class RateLimited extends RuntimeException {
        final String body;

        RateLimited(String body) {
            super("rate limited");
            this.body = body;
        }
    }

}
