package org.jtrove.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jtrove.model.InstanceAccess;
import org.jtrove.model.InstanceTask;
import org.jtrove.model.TaskType;
import org.jtrove.model.config.ConfigParameter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Configuration groups on the embedded H2 store; {@code ConfigurationRepositoryOnPostgresqlTest} and
 * {@code ConfigurationRepositoryOnMariadbTest} run every test here again on a server database.
 */
class ConfigurationRepositoryTest {
    @TempDir
    Path dir;

    private MetadataStore store;
    private DatastoreVersionRecord version;

    /** Where this class's stores live, a new database for each test. */
    StoreTarget newTarget() {
        return StoreTarget.embedded(dir);
    }

    @BeforeEach
    void setUp() {
        StoreTarget target = newTarget();
        target.fresh();
        store = target.open(SecretBox.ephemeral());
        DatastoreRecord ds = store.datastores.upsertDatastore("postgresql", "postgresql");
        version = store.datastores.upsertVersion(ds.id(), "15", "15", "postgresql", true, "debian", "/b", "/d");
    }

    @AfterEach
    void tearDown() {
        store.close();
    }

    @Test
    void catalogueIsReplacedAsAWholeAndKeepsBoundsAndAllowedValues() {
        store.parameters.replace(version.id(), List.of(
                new ConfigParameter("work_mem", "integer", BigDecimal.valueOf(64), BigDecimal.valueOf(2147483647L), false, List.of()),
                new ConfigParameter("old", "boolean", null, null, false, List.of())));
        store.parameters.replace(version.id(), List.of(
                new ConfigParameter("work_mem", "integer", BigDecimal.valueOf(64), BigDecimal.valueOf(2147483647L), false, List.of()),
                new ConfigParameter("wal_level", "string", null, null, true, List.of("replica", "logical")),
                new ConfigParameter("random_page_cost", "float", BigDecimal.ZERO, new BigDecimal("1000.5"), false, List.of())));
        List<ConfigParameter> list = store.parameters.list(version.id());
        assertThat(list).extracting(ConfigParameter::name).containsExactly("random_page_cost", "wal_level", "work_mem");
        assertThat(store.parameters.find(version.id(), "wal_level").orElseThrow().allowed()).containsExactly("replica", "logical");
        assertThat(store.parameters.find(version.id(), "wal_level").orElseThrow().restartRequired()).isTrue();
        assertThat(store.parameters.find(version.id(), "random_page_cost").orElseThrow().max()).isEqualByComparingTo("1000.5");
        assertThat(store.parameters.find(version.id(), "work_mem").orElseThrow().min()).isEqualByComparingTo("64");
        assertThat(store.parameters.find(version.id(), "old")).isEmpty();
    }

    @Test
    void valuesKeepTheirJsonTypes() {
        ConfigurationRecord c = group("p1", "g");
        store.configurations.insert(c, Map.of("work_mem", 8192L, "jit", false, "random_page_cost", 1.5,
                "log_statement", "ddl"));
        assertThat(store.configurations.values(c.id())).containsExactlyInAnyOrderEntriesOf(Map.of(
                "work_mem", 8192, "jit", false, "random_page_cost", 1.5, "log_statement", "ddl"));
        store.configurations.update(c.id(), "renamed", null, Map.of("work_mem", 4096L), null);
        assertThat(store.configurations.values(c.id())).isEqualTo(Map.of("work_mem", 4096));
        ConfigurationRecord after = store.configurations.find("p1", c.id()).orElseThrow();
        assertThat(after.name()).isEqualTo("renamed");
        assertThat(after.description()).isEqualTo("about g");
    }

    @Test
    void concurrentMergesAllTakeEffect() throws Exception {
        ConfigurationRecord c = group("p1", "g");
        store.configurations.insert(c, Map.of("work_mem", 1L));
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(8);
        List<java.util.concurrent.Future<?>> done = new java.util.ArrayList<>();
        for (int n = 0; n < 8; n++) {
            String name = "p" + n;
            done.add(pool.submit(() -> store.configurations.merge(c.id(), Map.of(name, 10L), null)));
        }
        for (var f : done) {
            f.get();
        }
        pool.shutdown();
        assertThat(store.configurations.values(c.id())).hasSize(9).containsEntry("work_mem", 1).containsEntry("p7", 10);
    }

    @Test
    void groupsAreSeenOnlyByTheirProject() {
        ConfigurationRecord c = group("p1", "g");
        store.configurations.insert(c, Map.of());
        assertThat(store.configurations.find("p2", c.id())).isEmpty();
        assertThat(store.configurations.listByProject("p2")).isEmpty();
        assertThat(store.configurations.listByProject("p1")).extracting(ConfigurationRecord::id).containsExactly(c.id());
    }

    @Test
    void attachOnlyOnceAndNoDeleteWhileAttached() {
        ConfigurationRecord c = group("p1", "g");
        ConfigurationRecord other = group("p1", "h");
        store.configurations.insert(c, Map.of());
        store.configurations.insert(other, Map.of());
        InstanceRecord i = instance("p1");
        assertThat(store.configurations.attachWithTask(i.id(), c.id(), configure(i))).isTrue();
        assertThat(store.configurations.attachWithTask(i.id(), other.id(), configure(i))).as("already attached").isFalse();
        assertThat(store.tasks.runningFor(i.id())).as("one task per recorded change")
                .filteredOn(t -> t.type() == org.jtrove.model.TaskType.CONFIGURE).hasSize(1);
        assertThat(store.configurations.attachedTo(i.id())).contains(c.id());
        assertThat(store.configurations.instances(c.id())).extracting(InstanceRecord::id).containsExactly(i.id());
        assertThat(store.configurations.delete(c.id())).isFalse();
        assertThat(store.datastores.versionInUse(version.id())).isTrue();

        assertThat(store.configurations.reattachWithTask(i.id(), other.id(), null, configure(i))).as("not attached").isFalse();
        assertThat(store.configurations.reattachWithTask(i.id(), c.id(), null, configure(i))).isTrue();
        assertThat(store.configurations.attachedTo(i.id())).isEmpty();
        assertThat(store.configurations.delete(c.id())).isTrue();
        assertThat(store.configurations.find(c.id())).isEmpty();
        assertThat(store.configurations.attachWithTask(i.id(), c.id(), configure(i))).as("deleted group").isFalse();
    }

    @Test
    void createWithConfigurationAttachesInTheSameInsert() {
        ConfigurationRecord c = group("p1", "g");
        store.configurations.insert(c, Map.of());
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        InstanceRecord i = new InstanceRecord(UUID.randomUUID().toString(), "p1", "i", "1", version.id(), 1, null,
                null, InstanceTask.BUILDING.name(), null, null, now, now, false, null);
        store.instances.insertWithTask(i, TaskRecord.start(TaskType.CREATE, i.id(), Map.of()), (u, w) -> { }, Map.of(), c.id(),
                InstanceAccess.DEFAULT);
        assertThat(store.configurations.attachedTo(i.id())).contains(c.id());
        assertThat(store.configurations.instanceCount(c.id())).isEqualTo(1);
        store.instances.markDeleted(i.id());
        assertThat(store.configurations.instanceCount(c.id())).as("deleted instances do not count").isZero();
    }

    private ConfigurationRecord group(String project, String name) {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        return new ConfigurationRecord(UUID.randomUUID().toString(), project, name, "about " + name, version.id(), now, now);
    }

    private InstanceRecord instance(String project) {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        InstanceRecord i = new InstanceRecord(UUID.randomUUID().toString(), project, "i", "1", version.id(), 1, null,
                null, InstanceTask.NONE.name(), null, null, now, now, false, null);
        store.instances.insertWithTask(i, TaskRecord.start(TaskType.CREATE, i.id(), Map.of()));
        return i;
    }

    private static TaskRecord configure(InstanceRecord i) {
        return TaskRecord.start(org.jtrove.model.TaskType.CONFIGURE, i.id(), Map.of("kind", "attach"));
    }
}
