package org.jtrove.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jtrove.model.InstanceTask;
import org.jtrove.model.Json;
import org.jtrove.model.ServiceStatus;
import org.jtrove.model.TaskType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetadataStoreTest {
    @TempDir
    Path dir;

    private MetadataStore store;
    private DatastoreVersionRecord version;

    @BeforeEach
    void setUp() {
        store = MetadataStore.embedded(dir);
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
    void migrationsCreateTheSchema() {
        List<String> tables = store.jdbi().withHandle(h -> h.createQuery(
                        "SELECT LOWER(table_name) FROM information_schema.tables WHERE LOWER(table_schema) = 'public'")
                .mapTo(String.class).list());
        assertThat(tables).contains("datastores", "datastore_versions", "flavors", "instances", "service_statuses",
                "conductor_lastseen", "tasks", "root_history", "identity_users", "identity_projects", "identity_tokens",
                "quotas", "quota_locks");
        Integer applied = store.jdbi().withHandle(h -> h.createQuery(
                        "SELECT COUNT(*) FROM \"flyway_schema_history\" WHERE \"version\" = '1' AND \"success\" = TRUE")
                .mapTo(Integer.class).one());
        assertThat(applied).isEqualTo(1);
    }

    @Test
    void reopeningKeepsDataAndDoesNotReapplyMigrations() {
        InstanceRecord i = insert("p1", "db1");
        int migrations = countMigrations();
        store.close();
        store = MetadataStore.embedded(dir);
        assertThat(store.instances.find("p1", i.id())).isPresent();
        assertThat(store.datastores.find("postgresql")).isPresent();
        assertThat(countMigrations()).isEqualTo(migrations).isGreaterThanOrEqualTo(3);
    }

    private int countMigrations() {
        return store.jdbi().withHandle(h -> h.createQuery(
                        "SELECT COUNT(*) FROM \"flyway_schema_history\" WHERE \"version\" IS NOT NULL")
                .mapTo(Integer.class).one());
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
        assertThat(stored.step()).isEqualTo("PROVISION");
        assertThat(stored.state()).isEqualTo(TaskRecord.RUNNING);
        assertThat(stored.payload()).contains("hunter2");
        assertThat(store.tasks.latestForInstance(i.id())).map(TaskRecord::id).contains(t.id());
    }

    @Test
    void insertWithTaskIsAllOrNothing() {
        InstanceRecord first = insert("p1", "db1");
        InstanceRecord second = newInstance("p1", "db2");
        // a task whose id collides with an existing one makes the whole insert fail
        TaskRecord existingTask = store.tasks.latestForInstance(first.id()).orElseThrow();
        TaskRecord clash = new TaskRecord(existingTask.id(), second.id(), "CREATE", "PROVISION", TaskRecord.RUNNING,
                "{}", null, Instant.now(), Instant.now());
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
    void markDeletedHidesTheInstanceAndFreesItsAddressIndex() {
        InstanceRecord gone = insert("p1", "gone");
        InstanceRecord kept = insert("p1", "kept");
        store.instances.setAddress(gone.id(), "127.0.10.2", 2);
        store.instances.setAddress(kept.id(), "127.0.10.3", 3);
        assertThat(store.instances.usedAddressIndexes()).containsExactlyInAnyOrder(2, 3);
        assertThat(store.instances.find(gone.id()).orElseThrow().addressIndex()).isEqualTo(2);
        assertThat(store.instances.find(gone.id()).orElseThrow().address()).isEqualTo("127.0.10.2");

        store.instances.markDeleted(gone.id());

        assertThat(store.instances.find(gone.id())).isEmpty();
        assertThat(store.instances.find("p1", gone.id())).isEmpty();
        assertThat(store.instances.listByProject("p1")).extracting(InstanceRecord::id).containsExactly(kept.id());
        assertThat(store.instances.listLive()).extracting(InstanceRecord::id).containsExactly(kept.id());
        assertThat(store.instances.usedAddressIndexes()).containsExactly(3);
        // a deleted instance's task cannot be changed any more
        assertThat(store.instances.compareAndSetTask(gone.id(), InstanceTask.NONE, InstanceTask.DELETING)).isFalse();

        // the freed index can be handed to a new instance (the column is unique)
        InstanceRecord next = insert("p1", "next");
        store.instances.setAddress(next.id(), "127.0.10.2", 2);
        assertThat(store.instances.usedAddressIndexes()).containsExactlyInAnyOrder(2, 3);
        // while a live one's index cannot be reused
        InstanceRecord clash = insert("p1", "clash");
        assertThatThrownBy(() -> store.instances.setAddress(clash.id(), "127.0.10.3", 3)).isInstanceOf(RuntimeException.class);

        Map<String, Object> row = store.jdbi().withHandle(h -> h.createQuery(
                        "SELECT deleted, deleted_at, task_status FROM instances WHERE id = :id")
                .bind("id", gone.id()).mapToMap().one());
        assertThat(row.get("deleted")).isEqualTo(true);
        assertThat(row.get("deleted_at")).isNotNull();
        assertThat(row.get("task_status")).isEqualTo("NONE");
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

        store.tasks.setStep(create.id(), TaskType.CREATE.next(create.step()));
        TaskRecord atPrepare = store.tasks.find(create.id()).orElseThrow();
        assertThat(atPrepare.step()).isEqualTo("PREPARE");
        assertThat(atPrepare.state()).isEqualTo(TaskRecord.RUNNING);
        assertThat(atPrepare.payload()).isEqualTo(create.payload());
        assertThat(store.tasks.running()).extracting(TaskRecord::step).containsExactly("PREPARE");

        store.tasks.finish(create.id(), TaskRecord.DONE, null);
        TaskRecord done = store.tasks.find(create.id()).orElseThrow();
        assertThat(done.state()).isEqualTo(TaskRecord.DONE);
        assertThat(done.error()).isNull();
        assertThat(done.payload()).isEqualTo("{}").doesNotContain("hunter2");
        assertThat(store.tasks.running()).isEmpty();
    }

    @Test
    void aTaskErrorLongerThanItsColumnIsCutNotLost() {
        // A copy that failed once per file (a full disk) produced a 15 kB error; the task then stayed RUNNING.
        InstanceRecord i = insert("p1", "db1");
        TaskRecord t = store.tasks.latestForInstance(i.id()).orElseThrow();
        store.tasks.finish(t.id(), TaskRecord.FAILED, "cp: No space left on device\n".repeat(600));
        TaskRecord failed = store.tasks.find(t.id()).orElseThrow();
        assertThat(failed.state()).isEqualTo(TaskRecord.FAILED);
        assertThat(failed.error()).startsWith("cp: No space left on device").endsWith("[...]");
    }

    @Test
    void failedTaskKeepsItsErrorButNotItsPayload() {
        InstanceRecord i = insert("p1", "db1");
        TaskRecord t = store.tasks.latestForInstance(i.id()).orElseThrow();
        store.tasks.finish(t.id(), TaskRecord.FAILED, "server did not start");
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
        assertThat(store.tasks.find(restart.id()).orElseThrow().step()).isEqualTo("RESTART");

        store.tasks.finish(restart.id(), TaskRecord.DONE, null);
        assertThat(store.tasks.running()).extracting(TaskRecord::id).containsExactly(create.id(), delete.id());
        assertThat(store.tasks.latestForInstance("other")).isEmpty();
    }

    @Test
    void taskRecordStartSerialisesThePayload() {
        TaskRecord t = TaskRecord.start(TaskType.CREATE, "i1", Map.of("k", "v"));
        assertThat(t.step()).isEqualTo("PROVISION");
        assertThat(t.state()).isEqualTo(TaskRecord.RUNNING);
        assertThat(Json.parse(t.payload()).get("k").asText()).isEqualTo("v");
        assertThat(TaskType.CREATE.next("PROVISION")).isEqualTo("PREPARE");
        assertThat(TaskType.CREATE.next("PREPARE")).isEqualTo("WAIT_ACTIVE");
        assertThat(TaskType.CREATE.next("WAIT_ACTIVE")).isNull();
    }
}
