package org.jtrove.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.jtrove.model.InstanceAccess;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationVersion;
import org.jdbi.v3.core.Jdbi;
import org.jtrove.model.InstanceTask;
import org.jtrove.model.JtroveException;
import org.jtrove.model.Json;
import org.jtrove.model.ServiceStatus;
import org.jtrove.model.TaskType;
import org.jtrove.store.MetadataStore.SchemaMode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The store's repositories on the embedded H2 store; {@code MetadataStoreOnPostgresqlTest} and
 * {@code MetadataStoreOnMariadbTest} run every test here again on a server database ({@link #newTarget()}).
 */
class MetadataStoreTest {
    @TempDir
    Path dir;

    /** A fixed key, so a reopened store reads what the first one wrote. */
    static final SecretBox SECRETS = new SecretBox(new byte[32]);
    private static final String OWNER = "test-taskmanager";
    StoreTarget target;
    MetadataStore store;
    private DatastoreVersionRecord version;

    /** Where this class's stores live, a new database for each test. */
    StoreTarget newTarget() {
        return StoreTarget.embedded(dir);
    }

    @BeforeEach
    void setUp() {
        target = newTarget();
        target.fresh();
        store = target.open(SECRETS);
        DatastoreRecord ds = store.datastores.upsertDatastore("postgresql", "postgresql");
        version = store.datastores.upsertVersion(ds.id(), "16", "16.4", "postgresql", true, "debian",
                "/usr/lib/postgresql/16/bin", "/usr/lib/postgresql/16");
    }

    @AfterEach
    void tearDown() {
        if (store != null) {
            store.close();
        }
    }

    private InstanceRecord newInstance(String project, String name) {
        Instant now = Instant.now();
        return new InstanceRecord(UUID.randomUUID().toString(), project, name, "small", version.id(), 2,
                null, null, InstanceTask.BUILDING.name(), null, null, now, now, false, null);
    }

    private TaskRecord createTask(InstanceRecord i) {
        return TaskRecord.start(TaskType.CREATE, i.id(), Map.of("users", List.of(Map.of("name", "u", "password", "hunter2"))));
    }

    private InstanceRecord insert(String project, String name) {
        InstanceRecord i = newInstance(project, name);
        store.instances.insertWithTask(i, createTask(i));
        return i;
    }

    // ---- migrations ----------------------------------------------------------------------------------------

    @Test
    void migrationsCreateTheSchema() throws SQLException {
        List<String> tables = store.jdbi().withHandle(h -> tables(h.getConnection()));
        assertThat(tables).contains("datastores", "datastore_versions", "flavors", "instances", "service_statuses",
                "conductor_lastseen", "tasks", "root_history", "identity_users", "identity_projects", "identity_tokens",
                "quotas", "quota_locks", "backups", "configurations", "guest_operations");
        assertThat(MigrationVersion.fromVersion(store.schemaVersion()).isAtLeast("6")).as(store.schemaVersion())
                .isTrue();   // versions may have a minor part (9.1)
    }

    /** The tables of the connection's database (lower case), as its driver lists them. */
    static List<String> tables(Connection c) throws SQLException {
        List<String> out = new ArrayList<>();
        try (ResultSet rs = c.getMetaData().getTables(c.getCatalog(), c.getSchema(), "%", new String[] {"TABLE"})) {
            while (rs.next()) {
                out.add(rs.getString("TABLE_NAME").toLowerCase(Locale.ROOT));
            }
        }
        return out;
    }

    @Test
    void reopeningKeepsDataAndDoesNotReapplyMigrations() throws SQLException {
        InstanceRecord i = insert("p1", "db1");
        int migrations = countMigrations();
        String schemaVersion = store.schemaVersion();
        store.close();
        store = target.open(SECRETS);
        assertThat(store.instances.find("p1", i.id())).isPresent();
        assertThat(store.datastores.find("postgresql")).isPresent();
        assertThat(countMigrations()).isEqualTo(migrations).isPositive();
        assertThat(store.schemaVersion()).isEqualTo(schemaVersion);
    }

    private int countMigrations() throws SQLException {
        return store.jdbi().withHandle(h -> {
            String q = h.getConnection().getMetaData().getIdentifierQuoteString();
            return h.createQuery("SELECT COUNT(*) FROM " + q + "flyway_schema_history" + q + " WHERE " + q + "version"
                    + q + " IS NOT NULL").mapTo(Integer.class).one();
        });
    }

    @Test
    void validatingOnlyRefusesASchemaThatIsBehindAndSaysToRunDbSync() {
        target.fresh();
        assertThatThrownBy(() -> target.open(SECRETS, MetadataStore.Options.DEFAULT.withSchema(SchemaMode.VALIDATE)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("has no schema yet")
                .hasMessageContaining("run `jtrove manage db_sync`");

        // One migration behind, where this vendor's migrations allow it (MariaDB's start at its baseline).
        StoreVendor vendor = StoreVendor.of(target.jdbcUrl());
        Flyway flyway = Flyway.configure().dataSource(target.jdbcUrl(), target.user(), target.password())
                .locations(vendor.migrationLocations().toArray(String[]::new)).placeholders(vendor.placeholders())
                .load();
        List<MigrationVersion> versions = Arrays.stream(flyway.info().all()).map(MigrationInfo::getVersion)
                .distinct().sorted().toList();
        MigrationVersion latest = versions.get(versions.size() - 1);
        MigrationVersion previous = versions.get(versions.size() - 2);
        boolean baselineAtLatest = Arrays.stream(flyway.info().all())
                .anyMatch(m -> m.getType().isBaseline() && m.getVersion().equals(latest));
        if (!baselineAtLatest) {
            Flyway.configure().configuration(flyway.getConfiguration()).target(previous).load().migrate();
            assertThatThrownBy(() -> target.open(SECRETS, MetadataStore.Options.DEFAULT.withSchema(SchemaMode.VALIDATE)))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("is at schema version " + previous + " and this jtrove needs version " + latest)
                    .hasMessageContaining("run `jtrove manage db_sync`");
        }

        // db_sync, then the service starts
        target.open(SECRETS).close();
        try (MetadataStore validated = target.open(SECRETS, MetadataStore.Options.DEFAULT.withSchema(SchemaMode.VALIDATE))) {
            assertThat(validated.schemaVersion()).isEqualTo(latest.getVersion());
            assertThat(validated.flavors.list()).isEmpty();
        }
    }

    @Test
    void sharedMigrationsWriteInstantColumnsWithThePlaceholder() throws SQLException {
        target.fresh();
        StoreVendor vendor = StoreVendor.of(target.jdbcUrl());
        List<String> locations = new ArrayList<>(vendor.migrationLocations());
        locations.add("classpath:db/probe");
        Flyway.configure().dataSource(target.jdbcUrl(), target.user(), target.password())
                .locations(locations.toArray(String[]::new)).placeholders(vendor.placeholders()).load().migrate();
        Jdbi jdbi = Jdbi.create(target.jdbcUrl(), target.user(), target.password());
        InstantColumns.register(jdbi, vendor.zone());
        Instant at = Instant.parse("2040-01-02T03:04:05.678901Z");
        jdbi.useHandle(h -> h.execute("INSERT INTO placeholder_probe (id, at) VALUES (1, ?)", at));
        Instant read = jdbi.withHandle(h -> h.createQuery("SELECT at FROM placeholder_probe").mapTo(Instant.class).one());
        assertThat(read).isEqualTo(at);
        String type = jdbi.withHandle(h -> {
            Connection c = h.getConnection();
            String table = c.getMetaData().storesUpperCaseIdentifiers() ? "PLACEHOLDER_PROBE" : "placeholder_probe";
            try (ResultSet rs = c.getMetaData().getColumns(c.getCatalog(), c.getSchema(), table, "%")) {
                while (rs.next()) {
                    if (rs.getString("COLUMN_NAME").equalsIgnoreCase("at")) {
                        return rs.getString("TYPE_NAME");
                    }
                }
                return null;
            }
        });
        assertThat(type).isEqualToIgnoringCase(vendor == StoreVendor.MARIADB ? "datetime" : "timestamp");
    }

    // ---- what every store keeps exactly --------------------------------------------------------------------

    @Test
    void instantsReadBackAsWrittenToTheMicrosecondPast2038() {
        Instant created = Instant.parse("2041-03-04T05:06:07.123456789Z");
        InstanceRecord i = new InstanceRecord(UUID.randomUUID().toString(), "p1", "db1", "small", version.id(), 2,
                null, null, InstanceTask.BUILDING.name(), null, null, created, created, false, null);
        store.instances.insertWithTask(i, createTask(i));
        InstanceRecord found = store.instances.find(i.id()).orElseThrow();
        assertThat(found.created()).isEqualTo(Instant.parse("2041-03-04T05:06:07.123456Z"));
        assertThat(store.serviceStatuses.find(i.id()).orElseThrow().updatedAt()).isEqualTo(found.created());
        // compared in SQL as in Java: a microsecond apart is before and after
        assertThat(store.guestOperations.record(new GuestOperationRecord("op-1", i.id(), "prepare", "DONE", null,
                null, null, found.created()))).isTrue();
        assertThat(store.guestOperations.purge(found.created())).isZero();
        assertThat(store.guestOperations.purge(found.created().plusNanos(1000))).isEqualTo(1);
    }

    @Test
    void textIsComparedExactlyAndKeepsEveryCharacter() {
        DatastoreRecord lower = store.datastores.find("postgresql").orElseThrow();
        assertThat(store.datastores.find("PostgreSQL")).isEmpty();
        assertThat(store.datastores.find("postgresql ")).isEmpty();
        DatastoreRecord upper = store.datastores.upsertDatastore("PostgreSQL", "postgresql");
        DatastoreRecord spaced = store.datastores.upsertDatastore("postgresql ", "postgresql");
        assertThat(List.of(lower.id(), upper.id(), spaced.id())).doesNotHaveDuplicates();
        assertThat(store.datastores.list()).extracting(DatastoreRecord::name)
                .containsExactly("PostgreSQL", "postgresql", "postgresql ");

        String name = "Ünïcødé 数据库 \uD83D\uDE00";
        InstanceRecord i = insert("p1", name);
        assertThat(store.instances.find(i.id()).orElseThrow().name()).isEqualTo(name);
        assertThatThrownBy(() -> store.instances.rename(i.id(), "x".repeat(256))).as("longer than its column")
                .isInstanceOf(RuntimeException.class);
        assertThat(store.instances.find(i.id()).orElseThrow().name()).isEqualTo(name);
    }

    @Test
    void updatesCountTheRowsTheyMatchEvenWhenNothingChanges() {
        FlavorRecord f = new FlavorRecord("small", "db.small", 512, 1, 5, 0);
        store.flavors.upsert(f);
        store.flavors.upsert(f);
        assertThat(store.flavors.list()).containsExactly(f);

        InstanceRecord i = insert("p1", "db1");
        TaskRecord t = store.tasks.latestForInstance(i.id()).orElseThrow();
        Instant now = Instant.now();
        assertThat(store.tasks.claim(t.id(), OWNER, now.plusSeconds(20), now)).isTrue();
        assertThat(store.tasks.claim(t.id(), OWNER, now.plusSeconds(20), now)).as("the same claim again").isTrue();
        assertThat(store.tasks.renewLeases(OWNER, now.plusSeconds(20))).isEqualTo(1);
    }

    @Test
    void theQuotaLockLetsExactlyOneOfConcurrentCreatesTakeTheLastSlot() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(6);
        List<Future<Boolean>> results = new ArrayList<>();
        for (int n = 0; n < 6; n++) {
            results.add(pool.submit(() -> {
                InstanceRecord i = newInstance("p-race", "i");
                try {
                    store.instances.insertWithTask(i, TaskRecord.start(TaskType.CREATE, i.id(), Map.of()),
                            (usage, wanted) -> {
                                if (usage.get("instances") + wanted.get("instances") > 1) {
                                    throw JtroveException.overLimit("Quota exceeded for resources: ['instances'].");
                                }
                            }, Map.of("instances", 1), null, InstanceAccess.DEFAULT);
                    return true;
                } catch (JtroveException e) {
                    return false;
                }
            }));
        }
        int passed = 0;
        for (Future<Boolean> f : results) {
            passed += f.get() ? 1 : 0;
        }
        pool.shutdown();
        assertThat(passed).isEqualTo(1);
        assertThat(store.instances.listByProject("p-race")).hasSize(1);
        assertThat(store.tasks.running()).hasSize(1);
    }

    // ---- datastores ----------------------------------------------------------------------------------------

    @Test
    void datastoreUpsertIsIdempotentAndFoundByIdOrName() {
        DatastoreRecord first = store.datastores.find("postgresql").orElseThrow();
        DatastoreRecord again = store.datastores.upsertDatastore("postgresql", "postgresql");
        assertThat(again.id()).isEqualTo(first.id());
        assertThat(store.datastores.find(first.id())).contains(first);
        assertThat(first.name()).isEqualTo("postgresql");
        assertThat(first.manager()).isEqualTo("postgresql");
        assertThat(store.datastores.find("nope")).isEmpty();

        DatastoreRecord maria = store.datastores.upsertDatastore("mariadb", "mariadb");
        assertThat(maria.id()).isNotEqualTo(first.id());
        assertThat(store.datastores.list()).extracting(DatastoreRecord::name).containsExactly("mariadb", "postgresql");
    }

    @Test
    void defaultVersion() {
        DatastoreRecord ds = store.datastores.find("postgresql").orElseThrow();
        assertThat(ds.defaultVersionId()).isNull();
        store.datastores.setDefaultVersion(ds.id(), version.id());
        assertThat(store.datastores.find("postgresql").orElseThrow().defaultVersionId()).isEqualTo(version.id());
        assertThat(store.datastores.upsertDatastore("postgresql", "postgresql").defaultVersionId()).isEqualTo(version.id());
    }

    @Test
    void versionUpsertAndLookup() {
        String dsId = version.datastoreId();
        assertThat(version.name()).isEqualTo("16");
        assertThat(version.version()).isEqualTo("16.4");
        assertThat(version.manager()).isEqualTo("postgresql");
        assertThat(version.active()).isTrue();
        assertThat(version.buildSource()).isEqualTo("debian");
        assertThat(version.binDir()).isEqualTo("/usr/lib/postgresql/16/bin");
        assertThat(version.baseDir()).isEqualTo("/usr/lib/postgresql/16");
        assertThat(version.created()).isNotNull();
        assertThat(version.build().binDir()).isEqualTo("/usr/lib/postgresql/16/bin");

        assertThat(store.datastores.version(version.id())).contains(version);
        assertThat(store.datastores.version(dsId, "16")).contains(version);
        assertThat(store.datastores.version(dsId, version.id())).contains(version);
        assertThat(store.datastores.version(dsId, "15")).isEmpty();

        // the same name updates in place
        DatastoreVersionRecord updated = store.datastores.upsertVersion(dsId, "16", "16.5", "postgresql", false,
                "maven:g:a:16.5", "/opt/pg/bin", "/opt/pg");
        assertThat(updated.id()).isEqualTo(version.id());
        assertThat(updated.version()).isEqualTo("16.5");
        assertThat(updated.active()).isFalse();
        assertThat(updated.buildSource()).isEqualTo("maven:g:a:16.5");
        assertThat(updated.binDir()).isEqualTo("/opt/pg/bin");
        assertThat(store.datastores.version(version.id())).contains(updated);

        DatastoreVersionRecord v15 = store.datastores.upsertVersion(dsId, "15", "15.8", "postgresql", true, "debian",
                "/b", "/d");
        assertThat(store.datastores.versions(dsId)).extracting(DatastoreVersionRecord::id)
                .containsExactly(v15.id(), version.id());

        // a version of another datastore is not found under this one
        DatastoreRecord maria = store.datastores.upsertDatastore("mariadb", "mariadb");
        DatastoreVersionRecord m11 = store.datastores.upsertVersion(maria.id(), "11", "11.4", "mariadb", true, "debian",
                "/b", "/d");
        assertThat(store.datastores.version(dsId, m11.id())).isEmpty();
        assertThat(store.datastores.version(dsId, "11")).isEmpty();
        assertThat(store.datastores.versions(maria.id())).containsExactly(m11);
    }

    // ---- flavors -------------------------------------------------------------------------------------------

    @Test
    void flavorUpsertListDelete() {
        assertThat(store.flavors.list()).isEmpty();
        store.flavors.upsert(new FlavorRecord("large", "db.large", 4096, 4, 40, 0));
        store.flavors.upsert(new FlavorRecord("small", "db.small", 512, 1, 5, 0));
        store.flavors.upsert(new FlavorRecord("medium", "db.medium", 1024, 2, 10, 1));
        assertThat(store.flavors.list()).extracting(FlavorRecord::id).containsExactly("small", "medium", "large");
        assertThat(store.flavors.find("medium")).contains(new FlavorRecord("medium", "db.medium", 1024, 2, 10, 1));

        store.flavors.upsert(new FlavorRecord("small", "db.small", 8192, 8, 80, 2));
        assertThat(store.flavors.find("small")).contains(new FlavorRecord("small", "db.small", 8192, 8, 80, 2));
        assertThat(store.flavors.list()).extracting(FlavorRecord::id).containsExactly("medium", "large", "small");

        assertThat(store.flavors.delete("medium")).isTrue();
        assertThat(store.flavors.delete("medium")).isFalse();
        assertThat(store.flavors.find("medium")).isEmpty();
        assertThat(store.flavors.list()).extracting(FlavorRecord::id).containsExactly("large", "small");
    }

    // ---- instances -----------------------------------------------------------------------------------------

    @Test
    void insertWithTaskCreatesInstanceServiceStatusAndTask() {
        InstanceRecord i = newInstance("p1", "db1");
        TaskRecord t = createTask(i);
        store.instances.insertWithTask(i, t);

        InstanceRecord found = store.instances.find("p1", i.id()).orElseThrow();
        assertThat(found.name()).isEqualTo("db1");
        assertThat(found.projectId()).isEqualTo("p1");
        assertThat(found.flavorId()).isEqualTo("small");
        assertThat(found.datastoreVersionId()).isEqualTo(version.id());
        assertThat(found.volumeSize()).isEqualTo(2);
        assertThat(found.task()).isEqualTo(InstanceTask.BUILDING);
        assertThat(found.deleted()).isFalse();
        assertThat(found.address()).isNull();
        assertThat(found.created()).isCloseTo(i.created(), org.assertj.core.api.Assertions.within(1, ChronoUnit.MILLIS));

        assertThat(store.serviceStatuses.find(i.id()).orElseThrow().serviceStatus()).isEqualTo(ServiceStatus.NEW);
        TaskRecord stored = store.tasks.find(t.id()).orElseThrow();
        assertThat(stored.instanceId()).isEqualTo(i.id());
        assertThat(stored.type()).isEqualTo(TaskType.CREATE);
        assertThat(stored.step()).isEqualTo("PLACED");
        assertThat(stored.state()).isEqualTo(TaskRecord.RUNNING);
        assertThat(stored.payload()).contains("hunter2");
        String raw = store.jdbi().withHandle(h -> h.createQuery("SELECT payload FROM tasks WHERE id = :id")
                .bind("id", t.id()).mapTo(String.class).one());
        assertThat(raw).as("the payload is encrypted at rest").startsWith("v1:").doesNotContain("hunter2");
        assertThat(store.tasks.latestForInstance(i.id())).map(TaskRecord::id).contains(t.id());
    }

    @Test
    void aReplicaSetsModeAndWriterAddressMoveTogetherToTheNewSource() {
        InstanceRecord source = newInstance("p1", "src");
        store.instances.insertWithTask(source, createTask(source), (usage, wanted) -> { }, Map.of(), null,
                InstanceAccess.DEFAULT, "synchronous");
        InstanceRecord replica = insert("p1", "rep");
        assertThat(store.instances.replicationMode(source.id())).isEqualTo("synchronous");
        assertThat(store.instances.replicationMode(replica.id())).isNull();
        assertThat(store.instances.writer(source.id())).isEmpty();
        store.instances.setWriter(source.id(), new InstanceRepository.Writer("127.40.0.9", "host-a"));

        store.instances.moveSetSettings(source.id(), replica.id());
        store.instances.moveSetSettings(source.id(), replica.id());   // repeated by a task taken over: nothing moves
        assertThat(store.instances.replicationMode(replica.id())).isEqualTo("synchronous");
        assertThat(store.instances.writer(replica.id())).contains(new InstanceRepository.Writer("127.40.0.9", "host-a"));
        assertThat(store.instances.replicationMode(source.id())).isNull();
        assertThat(store.instances.writer(source.id())).isEmpty();

        TaskRecord t = TaskRecord.start(TaskType.SET_REPLICATION_MODE, replica.id(), Map.of());
        assertThat(store.instances.setReplicationModeWithTask(replica.id(), null, InstanceTask.NONE,
                InstanceTask.UPDATING, t)).as("the replica is still BUILDING").isFalse();
        assertThat(store.instances.replicationMode(replica.id())).as("a refusal changes nothing").isEqualTo("synchronous");
        assertThat(store.instances.setReplicationModeWithTask(replica.id(), null, InstanceTask.BUILDING,
                InstanceTask.UPDATING, t)).isTrue();
        assertThat(store.instances.replicationMode(replica.id())).isNull();
        assertThat(store.instances.find(replica.id()).orElseThrow().task()).isEqualTo(InstanceTask.UPDATING);
        assertThat(store.tasks.find(t.id())).isPresent();
    }

    @Test
    void insertWithTaskIsAllOrNothing() {
        InstanceRecord first = insert("p1", "db1");
        InstanceRecord second = newInstance("p1", "db2");
        // a task whose id collides with an existing one makes the whole insert fail
        TaskRecord existingTask = store.tasks.latestForInstance(first.id()).orElseThrow();
        TaskRecord fresh = TaskRecord.start(TaskType.CREATE, second.id(), Map.of());
        TaskRecord clash = new TaskRecord(existingTask.id(), second.id(), "CREATE", "PLACED", TaskRecord.RUNNING,
                "{}", null, fresh.created(), fresh.updated(), null, null, 0, null, fresh.created(), "{}", null);
        assertThatThrownBy(() -> store.instances.insertWithTask(second, clash)).isInstanceOf(RuntimeException.class);
        assertThat(store.instances.find(second.id())).isEmpty();
        assertThat(store.serviceStatuses.find(second.id())).isEmpty();
    }

    @Test
    void findIsScopedByProject() {
        InstanceRecord mine = insert("p1", "mine");
        InstanceRecord theirs = insert("p2", "theirs");

        assertThat(store.instances.find("p1", mine.id())).map(InstanceRecord::name).contains("mine");
        assertThat(store.instances.find("p2", mine.id())).isEmpty();
        assertThat(store.instances.find("p1", theirs.id())).isEmpty();
        assertThat(store.instances.find("p1", "no-such-id")).isEmpty();
        assertThat(store.instances.find(theirs.id())).isPresent();

        assertThat(store.instances.listByProject("p1")).extracting(InstanceRecord::id).containsExactly(mine.id());
        assertThat(store.instances.listByProject("p2")).extracting(InstanceRecord::id).containsExactly(theirs.id());
        assertThat(store.instances.listByProject("p3")).isEmpty();
        assertThat(store.instances.listLive()).extracting(InstanceRecord::id).containsExactlyInAnyOrder(mine.id(), theirs.id());
    }

    @Test
    void compareAndSetTaskOnlySucceedsFromTheExpectedTask() {
        InstanceRecord i = insert("p1", "db1");
        store.instances.setTask(i.id(), InstanceTask.NONE);

        assertThat(store.instances.compareAndSetTask(i.id(), InstanceTask.BUILDING, InstanceTask.REBOOTING)).isFalse();
        assertThat(store.instances.find(i.id()).orElseThrow().task()).isEqualTo(InstanceTask.NONE);

        assertThat(store.instances.compareAndSetTask(i.id(), InstanceTask.NONE, InstanceTask.REBOOTING)).isTrue();
        assertThat(store.instances.find(i.id()).orElseThrow().task()).isEqualTo(InstanceTask.REBOOTING);

        // a second action that also expected NONE loses
        assertThat(store.instances.compareAndSetTask(i.id(), InstanceTask.NONE, InstanceTask.DELETING)).isFalse();
        assertThat(store.instances.find(i.id()).orElseThrow().task()).isEqualTo(InstanceTask.REBOOTING);

        assertThat(store.instances.compareAndSetTask(i.id(), InstanceTask.REBOOTING, InstanceTask.NONE)).isTrue();
        assertThat(store.instances.compareAndSetTask("no-such-id", InstanceTask.NONE, InstanceTask.DELETING)).isFalse();
    }

    @Test
    void faultIsRecordedAndCleared() {
        InstanceRecord i = insert("p1", "db1");
        store.instances.setFault(i.id(), InstanceTask.BUILDING_ERROR_SERVER, "x".repeat(5000));
        InstanceRecord faulted = store.instances.find(i.id()).orElseThrow();
        assertThat(faulted.task()).isEqualTo(InstanceTask.BUILDING_ERROR_SERVER);
        assertThat(faulted.faultMessage()).hasSizeLessThanOrEqualTo(4000).endsWith("[...]");
        assertThat(faulted.faultCreated()).isNotNull();

        store.instances.clearFault(i.id());
        InstanceRecord cleared = store.instances.find(i.id()).orElseThrow();
        assertThat(cleared.faultMessage()).isNull();
        assertThat(cleared.faultCreated()).isNull();
        assertThat(cleared.task()).isEqualTo(InstanceTask.BUILDING_ERROR_SERVER);
    }

    @Test
    void rename() {
        InstanceRecord i = insert("p1", "old");
        store.instances.rename(i.id(), "new");
        assertThat(store.instances.find("p1", i.id()).orElseThrow().name()).isEqualTo("new");
    }

    @Test
    void markDeletedHidesTheInstance() {
        InstanceRecord gone = insert("p1", "gone");
        InstanceRecord kept = insert("p1", "kept");
        store.instances.setPlacement(gone.id(), "host-a", "127.0.10.2");
        store.instances.setPlacement(kept.id(), "host-a", "127.0.10.3");
        assertThat(store.instances.find(gone.id()).orElseThrow().address()).isEqualTo("127.0.10.2");

        store.instances.markDeleted(gone.id());

        assertThat(store.instances.find(gone.id())).isEmpty();
        assertThat(store.instances.find("p1", gone.id())).isEmpty();
        assertThat(store.instances.listByProject("p1")).extracting(InstanceRecord::id).containsExactly(kept.id());
        assertThat(store.instances.listLive()).extracting(InstanceRecord::id).containsExactly(kept.id());
        // a deleted instance's task cannot be changed any more
        assertThat(store.instances.compareAndSetTask(gone.id(), InstanceTask.NONE, InstanceTask.DELETING)).isFalse();

        Map<String, Object> row = store.jdbi().withHandle(h -> h.createQuery(
                        "SELECT deleted, deleted_at, task_status FROM instances WHERE id = :id")
                .bind("id", gone.id()).mapToMap().one());
        assertThat(row.get("deleted")).isEqualTo(true);
        assertThat(row.get("deleted_at")).isNotNull();
        assertThat(row.get("task_status")).isEqualTo("NONE");
    }

    @Test
    void versionsInUseStayAndOthersGo() {
        DatastoreRecord ds = store.datastores.find("postgresql").orElseThrow();
        DatastoreVersionRecord spare = store.datastores.upsertVersion(ds.id(), "15", "15.8", "postgresql", true,
                "debian", "/b", "/d");
        store.datastores.setDefaultVersion(ds.id(), spare.id());
        store.datastores.setActive(spare.id(), false);
        store.datastores.renameVersion(spare.id(), "15-old");
        assertThat(store.datastores.version(spare.id()).orElseThrow().name()).isEqualTo("15-old");
        assertThat(store.datastores.version(spare.id()).orElseThrow().active()).isFalse();
        assertThat(store.datastores.versionInUse(spare.id())).isFalse();
        assertThat(store.datastores.versionInUse(version.id())).isFalse();
        insert("p1", "db1");
        assertThat(store.datastores.versionInUse(version.id())).isTrue();

        store.datastores.deleteVersion(spare.id());
        assertThat(store.datastores.version(spare.id())).isEmpty();
        assertThat(store.datastores.find(ds.id()).orElseThrow().defaultVersionId()).isNull();
        DatastoreRecord unused = store.datastores.upsertDatastore("redis", "redis");
        store.datastores.deleteDatastore(unused.id());
        assertThat(store.datastores.find("redis")).isEmpty();
    }

    // ---- identity and quotas -------------------------------------------------------------------------------

    @Test
    void identityKeepsProjectsUsersRolesAndTokenHashes() {
        Instant now = Instant.now();
        assertThat(store.identity.hasUsers()).isFalse();
        store.identity.insertProject(new IdentityRepository.Project("pid", "team-a", true, now));
        store.identity.insertUser(new IdentityRepository.User("uid", "alice", "hash-1", true, now));
        assertThat(store.identity.project("team-a").orElseThrow().id()).isEqualTo("pid");
        assertThat(store.identity.project("pid").orElseThrow().enabled()).isTrue();
        assertThat(store.identity.user("alice").orElseThrow().passwordHash()).isEqualTo("hash-1");
        store.identity.setPasswordHash("uid", "hash-2");
        assertThat(store.identity.user("uid").orElseThrow().passwordHash()).isEqualTo("hash-2");
        assertThat(store.identity.hasUsers()).isTrue();
        assertThat(store.identity.projects()).extracting(IdentityRepository.Project::name).containsExactly("team-a");
        assertThat(store.identity.users()).extracting(IdentityRepository.User::name).containsExactly("alice");

        store.identity.assignRole("uid", "pid", "member");
        store.identity.assignRole("uid", "pid", "member");
        store.identity.assignRole("uid", "pid", "admin");
        assertThat(store.identity.roles("uid", "pid")).containsExactly("admin", "member");
        store.identity.removeRole("uid", "pid", "admin");
        assertThat(store.identity.roles("uid", "pid")).containsExactly("member");

        store.identity.insertToken(new IdentityRepository.Token("h1", "uid", "pid", now, now.plusSeconds(3600), false));
        store.identity.insertToken(new IdentityRepository.Token("h2", "uid", "pid", now, now.minusSeconds(1), false));
        assertThat(store.identity.revokeToken("h1")).isTrue();
        assertThat(store.identity.revokeToken("none")).isFalse();
        assertThat(store.identity.token("h1").orElseThrow().revoked()).isTrue();
        assertThat(store.identity.token("h1").orElseThrow().expiresAt()).isEqualTo(now.plusSeconds(3600)
                .truncatedTo(ChronoUnit.MICROS));
        assertThat(store.identity.deleteExpiredTokens(now)).isEqualTo(1);
        assertThat(store.identity.token("h2")).isEmpty();
    }

    @Test
    void quotaOverridesAndUsage() {
        store.quotas.set("p1", "instances", 5);
        store.quotas.set("p1", "instances", 7);
        store.quotas.set("p1", "ram", -1);
        assertThat(store.quotas.overrides("p1")).isEqualTo(Map.of("instances", 7, "ram", -1));
        assertThat(store.quotas.overrides("p2")).isEmpty();
        store.flavors.upsert(new FlavorRecord("small", "db.small", 512, 1, 5, 0));
        insert("p1", "a");
        insert("p1", "b");
        store.instances.markDeleted(insert("p1", "gone").id());
        assertThat(store.quotas.usage("p1")).isEqualTo(Map.of("instances", 2, "volumes", 4, "ram", 1024, "backups", 0));
        assertThat(store.quotas.usage("p2")).isEqualTo(Map.of("instances", 0, "volumes", 0, "ram", 0, "backups", 0));
    }

    // ---- backups -------------------------------------------------------------------------------------------

    @Test
    void backupsMoveForwardOnlyAndChainToTheirParents() {
        InstanceRecord i = insert("p1", "db1");
        BackupRecord full = backup(i, null);
        BackupRecord incremental = backup(i, full.id());
        assertThat(store.backups.hasRunning(i.id())).isTrue();
        assertThat(store.backups.markBuilding(full.id())).isTrue();
        assertThat(store.backups.markBuilding(full.id())).as("no longer NEW").isFalse();
        store.backups.complete(full.id(), 1234L, "file:///b/" + full.storageKey(), "sha256:ab", "{\"lsn\":7}");
        store.backups.complete(full.id(), 1L, "elsewhere", "x", null);
        BackupRecord done = store.backups.find("p1", full.id()).orElseThrow();
        assertThat(done.state()).isEqualTo(BackupRecord.COMPLETED);
        assertThat(done.sizeBytes()).isEqualTo(1234L);
        assertThat(done.meta()).isEqualTo("{\"lsn\":7}");
        assertThat(store.backups.find("p2", full.id())).isEmpty();
        assertThat(store.backups.latestCompleted(i.id())).map(BackupRecord::id).contains(full.id());

        assertThat(store.backups.failIfRunning(incremental.id(), "disk full")).isTrue();
        assertThat(store.backups.failIfRunning(incremental.id(), "again")).isFalse();
        assertThat(store.backups.find(incremental.id()).orElseThrow().fault()).isEqualTo("disk full");
        assertThat(store.backups.hasRunning(i.id())).isFalse();
        assertThat(store.backups.chain(incremental.id())).extracting(BackupRecord::id)
                .containsExactly(full.id(), incremental.id());
        assertThat(store.backups.withDescendants(full.id())).extracting(BackupRecord::id)
                .containsExactly(full.id(), incremental.id());
        assertThat(store.backups.list("p1", i.id())).hasSize(2);
        assertThat(store.backups.list(null, null)).hasSize(2);
        assertThat(store.quotas.usage("p1").get("backups")).isEqualTo(2);

        TaskRecord delete = TaskRecord.start(TaskType.DELETE_BACKUP, i.id(), Map.of());
        store.backups.markDeletingWithTask(List.of(incremental.id(), full.id()), delete);
        assertThat(store.backups.find(full.id()).orElseThrow().state()).isEqualTo(BackupRecord.DELETING);
        assertThat(store.tasks.find(delete.id())).isPresent();
        store.backups.markDeleted(incremental.id());
        store.backups.markDeleted(full.id());
        assertThat(store.backups.list("p1", null)).isEmpty();
        assertThat(store.backups.latestCompleted(i.id())).isEmpty();
    }

    @Test
    void aReplicasSnapshotIsHiddenAndTakenOneAtATime() {
        InstanceRecord source = insert("p1", "db1");
        Instant now = Instant.now();
        BackupRecord snapshot = new BackupRecord(UUID.randomUUID().toString(), "p1", "snapshot", null, source.id(), null,
                version.id(), "full", BackupRecord.NEW, null, null, null, null, null, now, now, false);
        assertThat(store.backups.insertIfAbsent(snapshot, "replica-1")).isTrue();
        assertThat(store.backups.insertIfAbsent(snapshot, "replica-1")).as("again: it exists").isTrue();
        BackupRecord second = new BackupRecord(UUID.randomUUID().toString(), "p1", "snapshot", null, source.id(), null,
                version.id(), "full", BackupRecord.NEW, null, null, null, null, null, now, now, false);
        assertThat(store.backups.insertIfAbsent(second, "replica-2")).as("another backup of the source runs").isFalse();
        assertThat(store.backups.find(second.id())).isEmpty();

        assertThat(store.backups.find(snapshot.id())).as("the taskmanager's own lookup").isPresent();
        assertThat(store.backups.find("p1", snapshot.id())).isEmpty();
        assertThat(store.backups.findShown(snapshot.id())).isEmpty();
        assertThat(store.backups.list("p1", null)).isEmpty();
        assertThat(store.backups.list(null, source.id())).isEmpty();
        assertThat(store.backups.hasRunning(source.id())).as("the source does not show BACKUP").isFalse();
        assertThat(store.backups.hasRunningSnapshot(source.id())).isTrue();
        assertThat(store.quotas.usage("p1").get("backups")).isZero();
        assertThat(store.backups.takenFor("replica-1")).extracting(BackupRecord::id).containsExactly(snapshot.id());

        store.backups.complete(snapshot.id(), 1L, "file:///b/" + snapshot.storageKey(), "sha256:ab", "{}");
        assertThat(store.backups.latestCompleted(source.id())).as("never a parent").isEmpty();
        assertThat(store.backups.insertIfAbsent(second, "replica-2")).as("the first one ended").isTrue();
        store.backups.markDeleted(snapshot.id());
        assertThat(store.backups.takenFor("replica-1")).isEmpty();
    }

    private BackupRecord backup(InstanceRecord i, String parentId) {
        Instant now = Instant.now();
        BackupRecord b = new BackupRecord(UUID.randomUUID().toString(), i.projectId(), "b", null, i.id(), parentId,
                version.id(), parentId == null ? "full" : "incremental", BackupRecord.NEW, null, null, null, null, null,
                now, now, false);
        store.backups.insertWithTask(b, TaskRecord.start(TaskType.BACKUP, i.id(), Map.of()), usage -> { });
        return b;
    }

    @Test
    void aGuestOperationsFirstReportWins() {
        InstanceRecord i = insert("p1", "db1");
        Instant now = Instant.now();
        assertThat(store.guestOperations.record(new GuestOperationRecord("op", i.id(), "restart", "DONE", null, null,
                "{\"ok\":true}", now))).isTrue();
        assertThat(store.guestOperations.record(new GuestOperationRecord("op", i.id(), "restart", "FAILED", 500,
                "late", null, now))).isFalse();
        GuestOperationRecord stored = store.guestOperations.find("op").orElseThrow();
        assertThat(stored.done()).isTrue();
        assertThat(stored.result()).isEqualTo("{\"ok\":true}");
    }

    // ---- service statuses ----------------------------------------------------------------------------------

    @Test
    void heartbeatsOlderThanOrEqualToTheLastAreDropped() {
        InstanceRecord i = insert("p1", "db1");
        String id = i.id();

        assertThat(store.serviceStatuses.saveHeartbeat(id, ServiceStatus.HEALTHY, 1000.5)).isTrue();
        assertThat(store.serviceStatuses.find(id).orElseThrow().serviceStatus()).isEqualTo(ServiceStatus.HEALTHY);

        assertThat(store.serviceStatuses.saveHeartbeat(id, ServiceStatus.SHUTDOWN, 999.0)).isFalse();
        assertThat(store.serviceStatuses.find(id).orElseThrow().serviceStatus()).isEqualTo(ServiceStatus.HEALTHY);

        assertThat(store.serviceStatuses.saveHeartbeat(id, ServiceStatus.SHUTDOWN, 1000.5)).isFalse();
        assertThat(store.serviceStatuses.find(id).orElseThrow().serviceStatus()).isEqualTo(ServiceStatus.HEALTHY);

        // sub-second resolution counts
        assertThat(store.serviceStatuses.saveHeartbeat(id, ServiceStatus.CRASHED, 1000.75)).isTrue();
        assertThat(store.serviceStatuses.find(id).orElseThrow().serviceStatus()).isEqualTo(ServiceStatus.CRASHED);

        assertThat(store.serviceStatuses.saveHeartbeat(id, ServiceStatus.HEALTHY, 1000.6)).isFalse();
        assertThat(store.serviceStatuses.find(id).orElseThrow().serviceStatus()).isEqualTo(ServiceStatus.CRASHED);
    }

    @Test
    void storedHeartbeatRefreshesUpdatedAt() throws Exception {
        InstanceRecord i = insert("p1", "db1");
        Instant before = store.serviceStatuses.find(i.id()).orElseThrow().updatedAt();
        Thread.sleep(20);
        assertThat(store.serviceStatuses.saveHeartbeat(i.id(), ServiceStatus.HEALTHY, 1)).isTrue();
        Instant afterFirst = store.serviceStatuses.find(i.id()).orElseThrow().updatedAt();
        assertThat(afterFirst).isAfter(before);
        Thread.sleep(20);
        // a dropped heartbeat does not count as a sign of life either
        assertThat(store.serviceStatuses.saveHeartbeat(i.id(), ServiceStatus.HEALTHY, 1)).isFalse();
        assertThat(store.serviceStatuses.find(i.id()).orElseThrow().updatedAt()).isEqualTo(afterFirst);
    }

    @Test
    void heartbeatsOfInstancesAreTrackedSeparately() {
        InstanceRecord a = insert("p1", "a");
        InstanceRecord b = insert("p1", "b");
        assertThat(store.serviceStatuses.saveHeartbeat(a.id(), ServiceStatus.HEALTHY, 500)).isTrue();
        assertThat(store.serviceStatuses.saveHeartbeat(b.id(), ServiceStatus.RUNNING, 100)).isTrue();
        assertThat(store.serviceStatuses.find(a.id()).orElseThrow().serviceStatus()).isEqualTo(ServiceStatus.HEALTHY);
        assertThat(store.serviceStatuses.find(b.id()).orElseThrow().serviceStatus()).isEqualTo(ServiceStatus.RUNNING);
    }

    @Test
    void aBatchOfHeartbeatsFollowsTheSameRules() {
        InstanceRecord a = insert("p1", "a");
        InstanceRecord b = insert("p1", "b");
        InstanceRecord gone = insert("p1", "gone");
        store.instances.markDeleted(gone.id());
        assertThat(store.serviceStatuses.saveHeartbeat(b.id(), ServiceStatus.HEALTHY, 100)).isTrue();
        List<ServiceStatusRepository.Stored> stored = store.serviceStatuses.saveHeartbeats(List.of(
                new ServiceStatusRepository.Heartbeat(a.id(), ServiceStatus.RUNNING, 10),
                new ServiceStatusRepository.Heartbeat(a.id(), ServiceStatus.HEALTHY, 12),
                new ServiceStatusRepository.Heartbeat(a.id(), ServiceStatus.CRASHED, 12),
                new ServiceStatusRepository.Heartbeat(a.id(), ServiceStatus.SHUTDOWN, 11),
                new ServiceStatusRepository.Heartbeat(b.id(), ServiceStatus.SHUTDOWN, 100),
                new ServiceStatusRepository.Heartbeat(gone.id(), ServiceStatus.HEALTHY, 1),
                new ServiceStatusRepository.Heartbeat("no-such-instance", ServiceStatus.HEALTHY, 1)));
        assertThat(stored).containsExactly(new ServiceStatusRepository.Stored(a.id(), ServiceStatus.NEW, ServiceStatus.HEALTHY));
        assertThat(store.serviceStatuses.find(a.id()).orElseThrow().serviceStatus()).isEqualTo(ServiceStatus.HEALTHY);
        assertThat(store.serviceStatuses.find(b.id()).orElseThrow().serviceStatus()).isEqualTo(ServiceStatus.HEALTHY);
        assertThat(store.serviceStatuses.find(gone.id()).orElseThrow().serviceStatus()).isEqualTo(ServiceStatus.NEW);
        // the batch's newest is now the one to beat
        assertThat(store.serviceStatuses.saveHeartbeat(a.id(), ServiceStatus.SHUTDOWN, 12)).isFalse();
        assertThat(store.serviceStatuses.saveHeartbeats(List.of())).isEmpty();
    }

    @Test
    void setServiceStatus() {
        InstanceRecord i = insert("p1", "db1");
        store.serviceStatuses.set(i.id(), ServiceStatus.BUILDING);
        assertThat(store.serviceStatuses.find(i.id()).orElseThrow().serviceStatus()).isEqualTo(ServiceStatus.BUILDING);
        assertThat(store.serviceStatuses.find("no-such-id")).isEmpty();
    }

    // ---- tasks ---------------------------------------------------------------------------------------------

    @Test
    void taskLifecycle() {
        InstanceRecord i = insert("p1", "db1");
        TaskRecord create = store.tasks.latestForInstance(i.id()).orElseThrow();
        assertThat(store.tasks.running()).extracting(TaskRecord::id).containsExactly(create.id());
        Instant now = Instant.now();
        assertThat(store.tasks.claimable(now, "nobody", 10)).extracting(TaskRecord::id).containsExactly(create.id());

        assertThat(store.tasks.advance(create.id(), OWNER, "PREPARED", "{}", now)).as("not claimed yet").isFalse();
        assertThat(store.tasks.claim(create.id(), OWNER, now.plusSeconds(20), now)).isTrue();
        assertThat(store.tasks.claim(create.id(), "another", now.plusSeconds(20), now)).as("held").isFalse();
        assertThat(store.tasks.claimable(now, "nobody", 10)).isEmpty();
        assertThat(store.tasks.advance(create.id(), OWNER, TaskType.CREATE.next(create.step()), "{\"x\":1}", now))
                .isTrue();
        TaskRecord atPrepare = store.tasks.find(create.id()).orElseThrow();
        assertThat(atPrepare.step()).isEqualTo("PREPARED");
        assertThat(atPrepare.state()).isEqualTo(TaskRecord.RUNNING);
        assertThat(atPrepare.payload()).isEqualTo(create.payload());
        assertThat(atPrepare.outputs()).isEqualTo("{\"x\":1}");
        assertThat(atPrepare.leaseOwner()).isEqualTo(OWNER);

        assertThat(store.tasks.finish(create.id(), "another", TaskRecord.DONE, null, null)).as("fenced").isFalse();
        assertThat(store.tasks.finish(create.id(), OWNER, TaskRecord.DONE, null, null)).isTrue();
        TaskRecord done = store.tasks.find(create.id()).orElseThrow();
        assertThat(done.state()).isEqualTo(TaskRecord.DONE);
        assertThat(done.error()).isNull();
        assertThat(done.payload()).isEqualTo("{}").doesNotContain("hunter2");
        assertThat(store.tasks.running()).isEmpty();
    }

    @Test
    void anExpiredLeaseIsTakenOverAndTheOldOwnerIsFencedOut() {
        InstanceRecord i = insert("p1", "db1");
        TaskRecord t = store.tasks.latestForInstance(i.id()).orElseThrow();
        Instant now = Instant.now();
        assertThat(store.tasks.claim(t.id(), OWNER, now.plusMillis(100), now)).isTrue();
        Instant later = now.plusSeconds(1);
        assertThat(store.tasks.claimable(later, "nobody", 10)).extracting(TaskRecord::id).containsExactly(t.id());
        assertThat(store.tasks.claim(t.id(), "another", later.plusSeconds(20), later)).isTrue();
        assertThat(store.tasks.advance(t.id(), OWNER, "PREPARED", "{}", later)).isFalse();
        assertThat(store.tasks.renewLeases(OWNER, later.plusSeconds(20))).isZero();
        assertThat(store.tasks.holds(t.id(), "another")).isTrue();
        assertThat(store.tasks.reschedule(t.id(), "another", later.plusSeconds(5), true, "{}", later)).isTrue();
        TaskRecord waiting = store.tasks.find(t.id()).orElseThrow();
        assertThat(waiting.attempt()).isEqualTo(1);
        assertThat(waiting.nextRunAt()).isAfter(later);
        assertThat(store.tasks.release(t.id(), "another")).isTrue();
        assertThat(store.tasks.claimable(later, "nobody", 10)).as("free, but not due yet").isEmpty();
        assertThat(store.tasks.claimable(later.plusSeconds(6), "nobody", 10)).extracting(TaskRecord::id).containsExactly(t.id());
    }

    private TaskRecord claimed(TaskRecord t) {
        assertThat(store.tasks.claim(t.id(), OWNER, Instant.now().plusSeconds(20), Instant.now())).isTrue();
        return t;
    }

    @Test
    void aTaskErrorLongerThanItsColumnIsCutNotLost() {
        // A copy that failed once per file (a full disk) produced a 15 kB error; the task then stayed RUNNING.
        InstanceRecord i = insert("p1", "db1");
        TaskRecord t = claimed(store.tasks.latestForInstance(i.id()).orElseThrow());
        store.tasks.finish(t.id(), OWNER, TaskRecord.FAILED, "cp: No space left on device\n".repeat(600), 500);
        TaskRecord failed = store.tasks.find(t.id()).orElseThrow();
        assertThat(failed.state()).isEqualTo(TaskRecord.FAILED);
        assertThat(failed.error()).startsWith("cp: No space left on device").endsWith("[...]");
        assertThat(failed.faultStatus()).isEqualTo(500);
    }

    @Test
    void failedTaskKeepsItsErrorButNotItsPayload() {
        InstanceRecord i = insert("p1", "db1");
        TaskRecord t = claimed(store.tasks.latestForInstance(i.id()).orElseThrow());
        store.tasks.finish(t.id(), OWNER, TaskRecord.FAILED, "server did not start", 500);
        TaskRecord failed = store.tasks.find(t.id()).orElseThrow();
        assertThat(failed.state()).isEqualTo(TaskRecord.FAILED);
        assertThat(failed.error()).isEqualTo("server did not start");
        assertThat(failed.payload()).isEqualTo("{}");
        assertThat(store.tasks.running()).isEmpty();
    }

    @Test
    void runningListsOnlyRunningTasksOldestFirstAndLatestForInstanceIsTheNewest() throws Exception {
        InstanceRecord i = insert("p1", "db1");
        TaskRecord create = store.tasks.latestForInstance(i.id()).orElseThrow();
        Thread.sleep(5);
        TaskRecord restart = TaskRecord.start(TaskType.RESTART, i.id(), Map.of());
        store.tasks.insert(restart);
        Thread.sleep(5);
        TaskRecord delete = TaskRecord.start(TaskType.DELETE, i.id(), Map.of());
        store.tasks.insert(delete);

        assertThat(store.tasks.running()).extracting(TaskRecord::id).containsExactly(create.id(), restart.id(), delete.id());
        assertThat(store.tasks.latestForInstance(i.id())).map(TaskRecord::id).contains(delete.id());
        assertThat(store.tasks.find(restart.id()).orElseThrow().step()).isEqualTo("RESTARTED");
        assertThat(store.tasks.runningFor(i.id())).extracting(TaskRecord::id)
                .containsExactly(create.id(), restart.id(), delete.id());

        store.tasks.finish(claimed(restart).id(), OWNER, TaskRecord.DONE, null, null);
        assertThat(store.tasks.running()).extracting(TaskRecord::id).containsExactly(create.id(), delete.id());
        assertThat(store.tasks.latestForInstance("other")).isEmpty();
    }

    @Test
    void failRunningEndsTheInstancesOtherTasksAndReleaseFreesOne() {
        InstanceRecord i = insert("p1", "db1");
        TaskRecord create = store.tasks.latestForInstance(i.id()).orElseThrow();
        TaskRecord delete = TaskRecord.start(TaskType.DELETE, i.id(), Map.of());
        store.tasks.insert(delete);
        Instant now = Instant.now();
        assertThat(store.tasks.claim(delete.id(), OWNER, now.plusSeconds(20), now)).isTrue();
        assertThat(store.tasks.release(delete.id(), OWNER)).isTrue();
        assertThat(store.tasks.release(delete.id(), OWNER)).as("held by nobody").isFalse();
        store.tasks.failRunning(i.id(), delete.id(), "deleted");
        assertThat(store.tasks.find(create.id()).orElseThrow().state()).isEqualTo(TaskRecord.FAILED);
        assertThat(store.tasks.find(create.id()).orElseThrow().payload()).isEqualTo("{}");
        assertThat(store.tasks.runningFor(i.id())).extracting(TaskRecord::id).containsExactly(delete.id());
        store.tasks.failRunning(i.id(), "reset");
        assertThat(store.tasks.running()).isEmpty();
    }

    @Test
    void taskRecordStartSerialisesThePayload() {
        TaskRecord t = TaskRecord.start(TaskType.CREATE, "i1", Map.of("k", "v"));
        assertThat(t.step()).isEqualTo("PLACED");
        assertThat(t.state()).isEqualTo(TaskRecord.RUNNING);
        assertThat(Json.parse(t.payload()).get("k").asText()).isEqualTo("v");
        assertThat(TaskType.CREATE.next("PLACED")).isEqualTo("PREPARED");
        assertThat(TaskType.CREATE.next("PREPARED")).isEqualTo("HEALTHY");
        assertThat(TaskType.CREATE.next("HEALTHY")).isNull();
        assertThat(TaskType.CREATE.next("PROVISION")).as("a step named by an earlier version").isEqualTo("PREPARED");
        assertThat(TaskType.CREATE.current("WAIT_ACTIVE")).isEqualTo("HEALTHY");
    }

    // ---- instance access -----------------------------------------------------------------------------------

    private InstanceRecord insert(InstanceAccess access) {
        InstanceRecord i = newInstance("p1", "i");
        store.instances.insertWithTask(i, createTask(i), (u, w) -> { }, Map.of(), null, access);
        return i;
    }

    @Test
    void accessIsRecordedAtCreateAndReplacedByAnUpdate() {
        InstanceAccess wanted = new InstanceAccess(true, List.of("10.0.0.0/8", "2001:db8::/32"));
        InstanceRecord i = insert(wanted);
        assertThat(store.instances.access(i.id())).isEqualTo(wanted);
        store.instances.setAccess(i.id(), InstanceAccess.DEFAULT);
        assertThat(store.instances.access(i.id())).isEqualTo(InstanceAccess.DEFAULT);
        assertThat(store.instances.access(insert("p1", "plain").id())).isEqualTo(InstanceAccess.DEFAULT);
    }

    @Test
    void aPublicPortIsRecordedPerInstanceAndHostsMayHandOutTheSamePort() {
        InstanceRecord a = insert(InstanceAccess.DEFAULT);
        InstanceRecord b = insert(InstanceAccess.DEFAULT);
        assertThat(store.instances.publicPort(a.id())).isNull();
        store.instances.setPlacement(a.id(), "host-a", "127.10.0.1");
        store.instances.setPlacement(b.id(), "host-b", "127.20.0.1");
        store.instances.setPublicPort(a.id(), 16000);
        store.instances.setPublicPort(b.id(), 16000);   // each host allocates ports of its own public address
        assertThat(store.instances.publicPort(a.id())).isEqualTo(16000);
        assertThat(store.instances.computeHost(b.id())).isEqualTo("host-b");
        store.instances.setPublicPort(a.id(), null);
        assertThat(store.instances.publicPort(a.id())).isNull();
    }

    @Test
    void hostsThatReportedLatelyAreLiveWithTheirInstanceCounts() {
        InstanceRecord a = insert(InstanceAccess.DEFAULT);
        Instant now = Instant.now();
        store.computeHosts.report("host-a", 1, now);
        store.computeHosts.report("host-b", 0, now.minusSeconds(300));
        store.computeHosts.report("host-a", 1, now.plusMillis(5));
        store.instances.setPlacement(a.id(), "host-a", "127.10.0.1");
        assertThat(store.computeHosts.liveSince(now.minusSeconds(60))).isEqualTo(Map.of("host-a", 1));
        assertThat(store.computeHosts.names()).containsExactly("host-a", "host-b");
    }
}
