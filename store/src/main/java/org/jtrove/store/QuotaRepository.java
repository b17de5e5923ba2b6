package org.jtrove.store;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/** Quota limits per project (overrides of the configured defaults) and current usage. */
public final class QuotaRepository {
    public static final List<String> RESOURCES = List.of("instances", "volumes", "backups", "ram");
    private final Jdbi jdbi;

    QuotaRepository(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    public Map<String, Integer> overrides(String projectId) {
        Map<String, Integer> out = new LinkedHashMap<>();
        jdbi.useHandle(h -> h.createQuery("SELECT resource, hard_limit FROM quotas WHERE project_id = :p")
                .bind("p", projectId).map((rs, c) -> Map.entry(rs.getString(1), rs.getInt(2)))
                .forEach(e -> out.put(e.getKey(), e.getValue())));
        return out;
    }

    public void set(String projectId, String resource, int limit) {
        jdbi.useTransaction(h -> {
            int updated = h.createUpdate("UPDATE quotas SET hard_limit = :l WHERE project_id = :p AND resource = :r")
                    .bind("l", limit).bind("p", projectId).bind("r", resource).execute();
            if (updated == 0) {
                h.createUpdate("INSERT INTO quotas (project_id, resource, hard_limit) VALUES (:p, :r, :l)")
                        .bind("l", limit).bind("p", projectId).bind("r", resource).execute();
            }
        });
    }

    /** Live usage of a project: instances, volume GB, RAM MB of their flavors. */
    public Map<String, Integer> usage(String projectId) {
        return jdbi.withHandle(h -> usage(h, projectId));
    }

    static Map<String, Integer> usage(Handle h, String projectId) {
        Map<String, Integer> out = new LinkedHashMap<>();
        h.createQuery("SELECT COUNT(*), COALESCE(SUM(i.volume_size), 0), COALESCE(SUM(f.ram), 0) FROM instances i"
                        + " LEFT JOIN flavors f ON f.id = i.flavor_id WHERE i.project_id = :p AND i.deleted = FALSE")
                .bind("p", projectId).map((rs, c) -> {
                    out.put("instances", rs.getInt(1));
                    out.put("volumes", rs.getInt(2));
                    out.put("ram", rs.getInt(3));
                    return null;
                }).list();
        out.put("backups", h.createQuery("SELECT COUNT(*) FROM backups WHERE project_id = :p"
                + " AND deleted = FALSE AND taken_for IS NULL")
                .bind("p", projectId).mapTo(Integer.class).one());
        return out;
    }

    /** Serialises quota checks of one project across threads and processes sharing the store. */
    static void lock(Jdbi jdbi, Handle h, String projectId) {
        boolean present = h.createQuery("SELECT COUNT(*) FROM quota_locks WHERE project_id = :p").bind("p", projectId)
                .mapTo(Integer.class).one() > 0;
        if (!present) {
            // A separate connection, committed at once: a failed insert must not abort the caller's transaction.
            try (Handle other = jdbi.open()) {
                other.createUpdate("INSERT INTO quota_locks (project_id) VALUES (:p)").bind("p", projectId).execute();
            } catch (RuntimeException e) {
                // another request created it first
            }
        }
        h.createQuery("SELECT project_id FROM quota_locks WHERE project_id = :p FOR UPDATE").bind("p", projectId)
                .mapTo(String.class).one();
    }
}
