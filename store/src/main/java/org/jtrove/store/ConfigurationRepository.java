package org.jtrove.store;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.mapper.reflect.ConstructorMapper;
import org.jtrove.model.Json;

/** Configuration groups, their values, and which instances they are attached to (instances.configuration_id). */
public final class ConfigurationRepository {
    private final Jdbi jdbi;
    private final TaskRepository tasks;

    ConfigurationRepository(Jdbi jdbi, TaskRepository tasks) {
        this.jdbi = jdbi;
        this.tasks = tasks;
        jdbi.registerRowMapper(ConstructorMapper.factory(ConfigurationRecord.class));
    }

    public void insert(ConfigurationRecord c, Map<String, Object> values) {
        jdbi.useTransaction(h -> {
            h.createUpdate("INSERT INTO configurations (id, project_id, name, description, datastore_version_id, created,"
                    + " updated) VALUES (:id, :projectId, :name, :description, :datastoreVersionId, :created, :updated)")
                    .bindMethods(c).execute();
            insertValues(h, c.id(), values);
        });
    }

    public Optional<ConfigurationRecord> find(String projectId, String id) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM configurations WHERE id = :id AND project_id = :p")
                .bind("id", id).bind("p", projectId).mapTo(ConfigurationRecord.class).findFirst());
    }

    public Optional<ConfigurationRecord> find(String id) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM configurations WHERE id = :id")
                .bind("id", id).mapTo(ConfigurationRecord.class).findFirst());
    }

    public List<ConfigurationRecord> listByProject(String projectId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM configurations WHERE project_id = :p ORDER BY created, id")
                .bind("p", projectId).mapTo(ConfigurationRecord.class).list());
    }

    /** The group's values as plain Java values (Integer/Long, Double, Boolean, String), by name. */
    public Map<String, Object> values(String id) {
        Map<String, Object> out = new TreeMap<>();
        jdbi.useHandle(h -> h.createQuery("SELECT name, json_value FROM configuration_values WHERE configuration_id = :id")
                .bind("id", id).map((rs, ctx) -> Map.entry(rs.getString(1), rs.getString(2)))
                .forEach(e -> out.put(e.getKey(), Json.convert(Json.parse(e.getValue()), Object.class))));
        return out;
    }

    /** The task that brings one attached instance to the group's new values, recorded with the change itself. */
    public interface PushTask {
        /** A task for {@code instance} (group {@code configurationId} attached), or null to leave it alone. */
        TaskRecord forInstance(InstanceRecord instance, String configurationId);
    }

    /**
     * Changes name and description (when not null) and, when {@code values} is not null, replaces all values and
     * records {@code push}'s task for every attached instance, in one transaction.
     */
    public void update(String id, String name, String description, Map<String, Object> values, PushTask push) {
        jdbi.useTransaction(h -> {
            lock(h, id);
            h.createUpdate("UPDATE configurations SET name = COALESCE(:n, name), description = COALESCE(:d, description),"
                    + " updated = :t WHERE id = :id").bind("n", name).bind("d", description).bind("t", Instant.now())
                    .bind("id", id).execute();
            if (values != null) {
                h.createUpdate("DELETE FROM configuration_values WHERE configuration_id = :id").bind("id", id).execute();
                insertValues(h, id, values);
                insertPushTasks(h, id, push);
            }
        });
    }

    /**
     * Adds {@code changes} to the group's values (replacing those of the same names) under a lock on the group's
     * row, so that concurrent merges all take effect.
     */
    public void merge(String id, Map<String, Object> changes, PushTask push) {
        jdbi.useTransaction(h -> {
            lock(h, id);
            Map<String, Object> merged = new TreeMap<>();
            h.createQuery("SELECT name, json_value FROM configuration_values WHERE configuration_id = :id")
                    .bind("id", id).map((rs, ctx) -> Map.entry(rs.getString(1), rs.getString(2)))
                    .forEach(e -> merged.put(e.getKey(), Json.convert(Json.parse(e.getValue()), Object.class)));
            merged.putAll(changes);
            h.createUpdate("UPDATE configurations SET updated = :t WHERE id = :id").bind("t", Instant.now())
                    .bind("id", id).execute();
            h.createUpdate("DELETE FROM configuration_values WHERE configuration_id = :id").bind("id", id).execute();
            insertValues(h, id, merged);
            insertPushTasks(h, id, push);
        });
    }

    private void insertPushTasks(Handle h, String id, PushTask push) {
        if (push == null) {
            return;
        }
        for (InstanceRecord i : h.createQuery("SELECT * FROM instances WHERE configuration_id = :c AND deleted = FALSE")
                .bind("c", id).mapTo(InstanceRecord.class).list()) {
            TaskRecord task = push.forInstance(i, id);
            if (task != null) {
                tasks.insert(h, task);
            }
        }
    }

    /** Locks the group's row for the transaction: merges, attaches and deletes of one group take turns. */
    private static boolean lock(org.jdbi.v3.core.Handle h, String id) {
        return h.createQuery("SELECT id FROM configurations WHERE id = :id FOR UPDATE").bind("id", id)
                .mapTo(String.class).findFirst().isPresent();
    }

    /** Deletes the group unless a live instance uses it; false (nothing deleted) if one does. */
    public boolean delete(String id) {
        return jdbi.inTransaction(h -> {
            lock(h, id);
            if (instanceCount(h, id) > 0) {
                return false;
            }
            h.createUpdate("DELETE FROM configuration_values WHERE configuration_id = :id").bind("id", id).execute();
            h.createUpdate("DELETE FROM configurations WHERE id = :id").bind("id", id).execute();
            return true;
        });
    }

    /** Live instances the group is attached to. */
    public List<InstanceRecord> instances(String id) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM instances WHERE configuration_id = :c AND deleted = FALSE"
                + " ORDER BY created").bind("c", id).mapTo(InstanceRecord.class).list());
    }

    public int instanceCount(String id) {
        return jdbi.withHandle(h -> instanceCount(h, id));
    }

    /**
     * Attaches the group if the instance has none (and the group still exists) and records {@code task}, which
     * applies it, in the same transaction; false (nothing written) otherwise.
     */
    public boolean attachWithTask(String instanceId, String configurationId, TaskRecord task) {
        return jdbi.inTransaction(h -> {
            boolean attached = lock(h, configurationId)
                    && h.createUpdate("UPDATE instances SET configuration_id = :c, updated = :t"
                            + " WHERE id = :id AND configuration_id IS NULL AND deleted = FALSE")
                    .bind("c", configurationId).bind("t", Instant.now()).bind("id", instanceId).execute() == 1;
            if (attached) {
                tasks.insert(h, task);
            }
            return attached;
        });
    }

    /**
     * Moves the instance's attachment from {@code expected} to {@code next} (either may be null: none) and records
     * {@code task}, which brings the server to it, in one transaction; false (nothing written) if the instance's
     * attachment is no longer {@code expected}. Used to detach, and to roll back an attach the server refused.
     */
    public boolean reattachWithTask(String instanceId, String expected, String next, TaskRecord task) {
        return jdbi.inTransaction(h -> {
            int moved = h.createUpdate("UPDATE instances SET configuration_id = :n, updated = :t WHERE id = :id"
                            + " AND deleted = FALSE AND " + (expected == null ? "configuration_id IS NULL"
                            : "configuration_id = :e"))
                    .bind("n", next).bind("e", expected).bind("t", Instant.now()).bind("id", instanceId).execute();
            if (moved == 1) {
                tasks.insert(h, task);
            }
            return moved == 1;
        });
    }

    public Optional<String> attachedTo(String instanceId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT configuration_id FROM instances WHERE id = :id")
                .bind("id", instanceId).mapTo(String.class).findFirst());
    }

    private static int instanceCount(Handle h, String id) {
        return h.createQuery("SELECT COUNT(*) FROM instances WHERE configuration_id = :c AND deleted = FALSE")
                .bind("c", id).mapTo(Integer.class).one();
    }

    private static void insertValues(Handle h, String id, Map<String, Object> values) {
        for (Map.Entry<String, Object> e : values.entrySet()) {
            h.createUpdate("INSERT INTO configuration_values (configuration_id, name, json_value) VALUES (:c, :n, :v)")
                    .bind("c", id).bind("n", e.getKey()).bind("v", Json.write(e.getValue())).execute();
        }
    }
}
