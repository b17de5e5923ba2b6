package org.jtrove.store;

import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.mapper.reflect.ConstructorMapper;

public final class FlavorRepository {
    private final Jdbi jdbi;

    FlavorRepository(Jdbi jdbi) {
        this.jdbi = jdbi;
        jdbi.registerRowMapper(ConstructorMapper.factory(FlavorRecord.class));
    }

    public List<FlavorRecord> list() {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM flavors ORDER BY ram, id")
                .mapTo(FlavorRecord.class).list());
    }

    public Optional<FlavorRecord> find(String id) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM flavors WHERE id = :id")
                .bind("id", id).mapTo(FlavorRecord.class).findFirst());
    }

    public void upsert(FlavorRecord f) {
        jdbi.useHandle(h -> {
            int updated = h.createUpdate("UPDATE flavors SET name = :name, ram = :ram, vcpus = :vcpus, disk = :disk,"
                    + " ephemeral = :ephemeral WHERE id = :id").bindMethods(f).execute();
            if (updated == 0) {
                h.createUpdate("INSERT INTO flavors (id, name, ram, vcpus, disk, ephemeral)"
                        + " VALUES (:id, :name, :ram, :vcpus, :disk, :ephemeral)").bindMethods(f).execute();
            }
        });
    }

    public boolean delete(String id) {
        return jdbi.withHandle(h -> h.createUpdate("DELETE FROM flavors WHERE id = :id").bind("id", id).execute()) > 0;
    }
}
