package org.jtrove.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.TimeZone;
import java.util.TreeMap;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.h2.util.DateTimeUtils;
import org.jdbi.v3.core.Jdbi;
import org.jtrove.model.ServiceStatus;
import org.jtrove.store.MetadataStore.Options;
import org.jtrove.store.MetadataStore.SchemaMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Embedded H2 stores made by earlier jtrove versions open unchanged. */
class EmbeddedStoreUpgradeTest {
    /**
     * Flyway's checksums of the released migrations, as existing stores hold them. Flyway refuses to open a store
     * whose applied migration's file changed since: fix a released migration with a new one, never in place.
     */
    private static final Map<String, Integer> RELEASED = Map.of(
            "1", -969504936, "2", -2105741518, "3", -1178861215, "4", 758595292, "5", -1908314207, "6", -1738119187);

    @TempDir
    Path dir;

    @Test
    void releasedMigrationsKeepTheirChecksums() {
        Flyway flyway = Flyway.configure().dataSource("jdbc:h2:mem:released", "sa", "")
                .locations(StoreVendor.H2.migrationLocations().toArray(String[]::new))
                .placeholders(StoreVendor.H2.placeholders()).load();
        Map<String, Integer> resolved = new TreeMap<>();
        Arrays.stream(flyway.info().all()).filter(m -> RELEASED.containsKey(m.getVersion().getVersion()))
                .forEach(m -> resolved.put(m.getVersion().getVersion(), m.getChecksum()));
        assertThat(resolved).isEqualTo(RELEASED);
    }

    /**
     * A store at version 6 written as the previous jtrove wrote it (Flyway on {@code db/migration} alone, instants
     * bound as JDBC timestamps in the JVM's zone, here one that is not UTC) opens, takes its later migrations,
     * validates, and reads its instants back as they were written.
     */
    @Test
    void aStoreOfTheReleasedVersionOpensAndReadsItsRowsUnchanged() {
        TimeZone zone = TimeZone.getDefault();
        TimeZone.setDefault(TimeZone.getTimeZone("America/New_York"));
        DateTimeUtils.resetCalendar();   // H2 reads the JVM's zone once; here it changes after start-up
        try {
            openReleasedStore();
        } finally {
            TimeZone.setDefault(zone);
            DateTimeUtils.resetCalendar();
        }
    }

    private void openReleasedStore() {
        StoreTarget target = StoreTarget.embedded(dir);
        target.fresh();
        Flyway.configure().dataSource(target.jdbcUrl(), target.user(), target.password())
                .locations("classpath:db/migration").target("6").load().migrate();
        Instant created = Instant.parse("2026-03-29T01:30:00.123456Z");
        Jdbi old = Jdbi.create(target.jdbcUrl(), target.user(), target.password());
        old.useHandle(h -> {
            h.execute("INSERT INTO service_statuses (instance_id, status, updated_at) VALUES (?, ?, ?)", "i-1",
                    "HEALTHY", Timestamp.from(created));
            h.execute("INSERT INTO flavors (id, name, ram, vcpus, disk, ephemeral) VALUES ('1', 'm1.tiny', 512, 1, 1, 0)");
        });

        try (MetadataStore store = target.open(MetadataStoreTest.SECRETS)) {
            assertThat(store.serviceStatuses.find("i-1").orElseThrow().updatedAt()).isEqualTo(created);
            assertThat(store.serviceStatuses.find("i-1").orElseThrow().serviceStatus()).isEqualTo(ServiceStatus.HEALTHY);
            assertThat(store.flavors.find("1")).isPresent();
        }
        try (MetadataStore service = target.open(MetadataStoreTest.SECRETS, Options.DEFAULT.withSchema(SchemaMode.VALIDATE))) {
            MigrationInfo[] applied = Flyway.configure().dataSource(target.jdbcUrl(), target.user(), target.password())
                    .locations(StoreVendor.H2.migrationLocations().toArray(String[]::new))
                    .placeholders(StoreVendor.H2.placeholders()).load().info().applied();
            assertThat(applied).allSatisfy(m -> assertThat(m.isChecksumMatching()).isTrue());
            assertThat(service.schemaVersion()).isEqualTo(applied[applied.length - 1].getVersion().getVersion());
        }
    }
}
