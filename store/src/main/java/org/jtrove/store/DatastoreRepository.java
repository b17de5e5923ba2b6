package org.jtrove.store;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.mapper.reflect.ConstructorMapper;

/** Datastores and their versions (the registered server builds). */
public final class DatastoreRepository {
    private final Jdbi jdbi;

    DatastoreRepository(Jdbi jdbi) {
        this.jdbi = jdbi;
        jdbi.registerRowMapper(ConstructorMapper.factory(DatastoreRecord.class));
        jdbi.registerRowMapper(ConstructorMapper.factory(DatastoreVersionRecord.class));
    }

    public List<DatastoreRecord> list() {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM datastores ORDER BY name")
                .mapTo(DatastoreRecord.class).list());
    }

    /** By id or by name, as Trove's routes accept either. */
    public Optional<DatastoreRecord> find(String idOrName) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM datastores WHERE id = :v OR name = :v")
                .bind("v", idOrName).mapTo(DatastoreRecord.class).findFirst());
    }

    /** Creates the datastore if it is new; returns it either way. */
    public DatastoreRecord upsertDatastore(String name, String manager) {
        return find(name).orElseGet(() -> {
            String id = UUID.randomUUID().toString();
            jdbi.useHandle(h -> h.createUpdate("INSERT INTO datastores (id, name, manager) VALUES (:id, :name, :manager)")
                    .bind("id", id).bind("name", name).bind("manager", manager).execute());
            return new DatastoreRecord(id, name, manager, null);
        });
    }

    public void setDefaultVersion(String datastoreId, String versionId) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE datastores SET default_version_id = :v WHERE id = :id")
                .bind("v", versionId).bind("id", datastoreId).execute());
    }

    public List<DatastoreVersionRecord> versions(String datastoreId) {
        return jdbi.withHandle(h -> h.createQuery(
                        "SELECT * FROM datastore_versions WHERE datastore_id = :d ORDER BY name")
                .bind("d", datastoreId).mapTo(DatastoreVersionRecord.class).list());
    }

    public Optional<DatastoreVersionRecord> version(String datastoreId, String idOrName) {
        return jdbi.withHandle(h -> h.createQuery(
                        "SELECT * FROM datastore_versions WHERE datastore_id = :d AND (id = :v OR name = :v)")
                .bind("d", datastoreId).bind("v", idOrName).mapTo(DatastoreVersionRecord.class).findFirst());
    }

    public Optional<DatastoreVersionRecord> version(String id) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM datastore_versions WHERE id = :id")
                .bind("id", id).mapTo(DatastoreVersionRecord.class).findFirst());
    }

    /** Registers or updates a version by (datastore, name): the counterpart of trove-manage datastore_version_update. */
    public DatastoreVersionRecord upsertVersion(String datastoreId, String name, String version, String manager,
                                                boolean active, String source, String binDir, String baseDir) {
        Optional<DatastoreVersionRecord> existing = version(datastoreId, name);
        if (existing.isPresent()) {
            jdbi.useHandle(h -> h.createUpdate("UPDATE datastore_versions SET version = :version, manager = :manager,"
                            + " active = :active, build_source = :source, bin_dir = :bin, base_dir = :base WHERE id = :id")
                    .bind("id", existing.get().id()).bind("version", version).bind("manager", manager)
                    .bind("active", active).bind("source", source).bind("bin", binDir).bind("base", baseDir).execute());
            return version(existing.get().id()).orElseThrow();
        }
        String id = UUID.randomUUID().toString();
        jdbi.useHandle(h -> h.createUpdate("INSERT INTO datastore_versions (id, datastore_id, name, version, manager,"
                        + " active, build_source, bin_dir, base_dir, created) VALUES (:id, :d, :name, :version, :manager,"
                        + " :active, :source, :bin, :base, :created)")
                .bind("id", id).bind("d", datastoreId).bind("name", name).bind("version", version)
                .bind("manager", manager).bind("active", active).bind("source", source).bind("bin", binDir)
                .bind("base", baseDir).bind("created", Instant.now()).execute());
        return version(id).orElseThrow();
    }

    public void setActive(String versionId, boolean active) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE datastore_versions SET active = :a WHERE id = :id")
                .bind("a", active).bind("id", versionId).execute());
    }

    public void renameVersion(String versionId, String name) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE datastore_versions SET name = :n WHERE id = :id")
                .bind("n", name).bind("id", versionId).execute());
    }

    /**
     * Whether any instance (deleted ones included: their rows still name it) or configuration group uses the
     * version.
     */
    public boolean versionInUse(String versionId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT (SELECT COUNT(*) FROM instances WHERE datastore_version_id = :v)"
                + " + (SELECT COUNT(*) FROM configurations WHERE datastore_version_id = :v)")
                .bind("v", versionId).mapTo(Integer.class).one()) > 0;
    }

    public void deleteVersion(String versionId) {
        jdbi.useTransaction(h -> {
            h.createUpdate("UPDATE datastores SET default_version_id = NULL WHERE default_version_id = :v")
                    .bind("v", versionId).execute();
            h.createUpdate("DELETE FROM datastore_versions WHERE id = :v").bind("v", versionId).execute();
        });
    }

    public void deleteDatastore(String datastoreId) {
        jdbi.useHandle(h -> h.createUpdate("DELETE FROM datastores WHERE id = :id").bind("id", datastoreId).execute());
    }
}
