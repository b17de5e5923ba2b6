package org.jtrove.store;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jdbi.v3.core.Jdbi;

/**
 * The guest-agent hosts that report themselves (through the conductor) and how many instances each serves; the
 * local compute driver places new instances on a host that reported lately.
 */
public final class ComputeHostRepository {
    private final Jdbi jdbi;

    ComputeHostRepository(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /** Records that host {@code name} was alive at {@code at}, serving {@code instances} instances. */
    public void report(String name, int instances, Instant at) {
        jdbi.useTransaction(h -> {
            int updated = h.createUpdate("UPDATE compute_hosts SET instances = :n, updated_at = :t WHERE name = :name")
                    .bind("n", instances).bind("t", at).bind("name", name).execute();
            if (updated == 0) {
                h.createUpdate("INSERT INTO compute_hosts (name, instances, updated_at) VALUES (:name, :n, :t)")
                        .bind("n", instances).bind("t", at).bind("name", name).execute();
            }
        });
    }

    /** Hosts that reported since {@code since}, by name, with the live instances the store places on each. */
    public Map<String, Integer> liveSince(Instant since) {
        Map<String, Integer> out = new TreeMap<>();
        jdbi.useHandle(h -> {
            h.createQuery("SELECT name FROM compute_hosts WHERE updated_at >= :t").bind("t", since)
                    .mapTo(String.class).forEach(n -> out.put(n, 0));
            h.createQuery("SELECT compute_host, COUNT(*) FROM instances WHERE deleted = FALSE AND compute_host IS NOT"
                            + " NULL GROUP BY compute_host")
                    .map((rs, ctx) -> Map.entry(rs.getString(1), rs.getInt(2)))
                    .forEach(e -> out.computeIfPresent(e.getKey(), (k, v) -> e.getValue()));
        });
        return out;
    }

    /** Every host that ever reported. */
    public List<String> names() {
        return jdbi.withHandle(h -> h.createQuery("SELECT name FROM compute_hosts ORDER BY name").mapTo(String.class).list());
    }
}
