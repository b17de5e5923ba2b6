package org.jtrove.taskmanager;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.jtrove.backupstorage.BackupVault;
import org.jtrove.backupstorage.LocalBackupStorage;
import org.jtrove.bus.InProcessBus;
import org.jtrove.bus.TaskmanagerApi;
import org.jtrove.model.TaskType;
import org.jtrove.store.BackupRecord;
import org.jtrove.store.BackupScheduleRecord;
import org.jtrove.store.DatastoreVersionRecord;
import org.jtrove.store.LogArchiveRecord;
import org.jtrove.store.MetadataStore;
import org.jtrove.store.TaskRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Backup schedules on a real metadata store: two taskmanagers racing on the same due runs take each exactly once;
 * retention keeps the newest backups and what a kept incremental needs; archived logs older than the oldest
 * remaining backup leave the backup storage.
 */
class BackupSchedulerTest {
    @TempDir
    Path dir;
    private TestStore stores;
    private MetadataStore store;
    private BackupVault vault;
    private InProcessBus bus;
    private DatastoreVersionRecord version;

    @BeforeEach
    void open() {
        stores = new TestStore(dir.resolve("store"));
        store = stores.store;
        version = stores.version;
        vault = TestStore.vault(new LocalBackupStorage(dir.resolve("backups")));
        bus = new InProcessBus();
    }

    @AfterEach
    void close() {
        bus.close();
        stores.close();
    }

    @Test
    void twoTaskmanagersTakeEachDueRunExactlyOnce() throws Exception {
        Instant start = Instant.now().truncatedTo(ChronoUnit.MINUTES);
        List<String> schedules = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            schedules.add(schedule(stores.instance(null), "* * * * *", null, start.minusSeconds(30)));
        }
        BackupScheduler a = new BackupScheduler(store, new TaskmanagerApi(bus), vault);
        BackupScheduler b = new BackupScheduler(store, new TaskmanagerApi(bus), vault);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        Set<String> started = new HashSet<>();
        int rounds = 3;
        try {
            for (int round = 0; round < rounds; round++) {
                Instant now = start.plus(Duration.ofMinutes(round)).plusSeconds(1);
                CyclicBarrier barrier = new CyclicBarrier(2);
                Future<List<String>> byA = pool.submit(() -> {
                    barrier.await();
                    return a.runDue(now);
                });
                Future<List<String>> byB = pool.submit(() -> {
                    barrier.await();
                    return b.runDue(now);
                });
                List<String> fromA = byA.get();
                List<String> fromB = byB.get();
                assertThat(fromA.stream().filter(fromB::contains)).as("runs both taskmanagers took").isEmpty();
                assertThat(fromA.size() + fromB.size()).as("round %d", round).isEqualTo(schedules.size());
                started.addAll(fromA);
                started.addAll(fromB);
                for (String id : fromA.isEmpty() ? fromB : fromA) {
                    assertThat(store.tasks.runningFor(store.backups.find(id).orElseThrow().instanceId()))
                            .anyMatch(t -> t.taskType().equals(TaskType.BACKUP.name()));
                }
                started.forEach(id -> store.backups.complete(id, 1, "x", "c", "{}"));
                assertThat(a.runDue(now)).as("nothing is due twice").isEmpty();
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(started).hasSize(schedules.size() * rounds);
        for (String s : schedules) {
            assertThat(store.backups.bySchedule(s)).hasSize(rounds);
        }
    }

    @Test
    void retentionKeepsTheNewestAndWhatAKeptIncrementalNeeds() {
        String instance = stores.instance(null);
        Instant t0 = Instant.now().minus(Duration.ofHours(5)).truncatedTo(ChronoUnit.MILLIS);
        String byCount = schedule(instance, "0 * * * *", 2, Instant.now().plus(Duration.ofHours(1)));
        String full = backup(instance, byCount, null, t0);
        String inc1 = backup(instance, byCount, full, t0.plus(Duration.ofHours(1)));
        String inc2 = backup(instance, byCount, inc1, t0.plus(Duration.ofHours(2)));
        String oldFull = backup(instance, byCount, null, t0.minus(Duration.ofHours(1)));
        String manual = backup(instance, null, null, t0.minus(Duration.ofHours(2)));

        BackupScheduler scheduler = new BackupScheduler(store, new TaskmanagerApi(bus), vault);
        List<String> deleted = scheduler.prune(Instant.now());
        assertThat(deleted).as("inc2 and inc1 kept; full needed by them; the old full expired").containsExactly(oldFull);
        assertThat(store.backups.find(oldFull).orElseThrow().state()).isEqualTo(BackupRecord.DELETING);
        assertThat(store.tasks.runningFor(instance)).anyMatch(t -> t.taskType().equals(TaskType.DELETE_BACKUP.name()));
        for (String kept : List.of(full, inc1, inc2, manual)) {
            assertThat(store.backups.find(kept).orElseThrow().state()).isEqualTo(BackupRecord.COMPLETED);
        }
        assertThat(scheduler.prune(Instant.now())).as("a second taskmanager deletes nothing again").isEmpty();
    }

    @Test
    void archivedLogsOlderThanTheOldestBackupAreDeleted() throws Exception {
        String instance = stores.instance(null);
        Instant now = Instant.now();
        Instant backupAt = now.minus(Duration.ofHours(1)).truncatedTo(ChronoUnit.MILLIS);
        backup(instance, null, null, backupAt);
        List<String> names = List.of("000000010000000000000001", "000000010000000000000002", "000000010000000000000003");
        List<Instant> archived = List.of(backupAt.minus(Duration.ofMinutes(30)), backupAt.minusSeconds(1),
                backupAt.plusSeconds(1));
        for (int i = 0; i < names.size(); i++) {
            String key = "archive-" + instance + "-" + names.get(i) + ".jtl";
            BackupVault.Stored s = vault.write(key, "archive-" + instance + "-" + names.get(i),
                    out -> out.write(new byte[] {1, 2, 3}));
            store.logArchive.record(new LogArchiveRecord(instance, names.get(i), key, s.checksum(), s.sizeBytes(),
                    archived.get(i), archived.get(i)));
        }
        new BackupScheduler(store, new TaskmanagerApi(bus), vault).prune(now);
        assertThat(store.logArchive.list(instance)).extracting(LogArchiveRecord::name).containsExactly(names.get(2));
        assertThat(dir.resolve("backups").resolve("archive-" + instance + "-" + names.get(0) + ".jtl")).doesNotExist();
        assertThat(dir.resolve("backups").resolve("archive-" + instance + "-" + names.get(2) + ".jtl")).exists();
        assertThat(store.logArchive.latestRestorable(instance)).contains(archived.get(2));
        assertThat(Files.exists(dir.resolve("backups"))).isTrue();
    }


    private String schedule(String instance, String pattern, Integer count, Instant nextRun) {
        Instant now = Instant.now();
        String id = UUID.randomUUID().toString();
        store.backupSchedules.insert(new BackupScheduleRecord(id, "p1", instance, "nightly", null, pattern, false,
                count, null, nextRun.truncatedTo(ChronoUnit.MILLIS), null, now, now));
        return id;
    }

    /** A completed backup made by {@code schedule} (null: by hand) at {@code created}. */
    private String backup(String instance, String schedule, String parent, Instant created) {
        String id = UUID.randomUUID().toString();
        BackupRecord b = new BackupRecord(id, "p1", "b", null, instance, parent, version.id(),
                parent == null ? "full" : "incremental", BackupRecord.NEW, null, null, null, null, null, created, created,
                false);
        TaskRecord task = TaskRecord.start(TaskType.BACKUP, instance, Map.of("backup_id", id));
        if (schedule == null) {
            store.backups.insertWithTask(b, task, usage -> { });
        } else {
            BackupScheduleRecord s = store.backupSchedules.find(instance, schedule).orElseThrow();
            assertThat(store.backupSchedules.claimRun(s, s.nextRun().plusSeconds(1), created, b, task)).isTrue();
        }
        store.backups.complete(id, 1, "x", "c", "{}");
        return id;
    }
}
