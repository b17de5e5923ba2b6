package org.jtrove.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.jtrove.model.InstanceAccess;
import org.jtrove.model.InstanceTask;
import org.jtrove.model.JtroveException;
import org.jtrove.model.TaskType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The metadata store on a real PostgreSQL server (the production option): migrations, rows, the quota lock. */
@Tag("e2e")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MetadataStoreOnPostgresqlTest {
    private static final String PG_BIN = "/usr/lib/postgresql/15/bin";
    private static final String USER = "jtrove-db";
    private Path dir;
    private Process postgres;
    private MetadataStore store;

    @BeforeAll
    void start() throws Exception {
        dir = Files.createTempDirectory(Path.of("/tmp"), "jtrove-metadata-pg-");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        boolean root = "root".equals(System.getProperty("user.name"));
        if (root) {
            run(List.of("sh", "-c", "id -u " + USER + " >/dev/null 2>&1 || useradd --system --no-create-home"
                    + " --home-dir /nonexistent --shell /usr/sbin/nologin " + USER));
            run(List.of("chown", USER, dir.toString()));
        }
        Path data = dir.resolve("data");
        run(asUser(root, List.of(PG_BIN + "/initdb", "-D", data.toString(), "-U", "postgres", "--auth=trust",
                "-E", "UTF8", "--locale=C.UTF-8", "--no-sync")));
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        postgres = new ProcessBuilder(asUser(root, List.of(PG_BIN + "/postgres", "-D", data.toString(),
                "-c", "listen_addresses=127.0.0.1", "-c", "port=" + port, "-c", "unix_socket_directories=",
                "-c", "fsync=off"))).redirectErrorStream(true).redirectOutput(dir.resolve("pg.log").toFile()).start();
        String url = "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try {
                store = new MetadataStore(url, "postgres", "", SecretBox.ephemeral());
                break;
            } catch (RuntimeException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(100);
            }
        }
    }

    @AfterAll
    void stop() throws Exception {
        if (store != null) {
            store.close();
        }
        if (postgres != null) {
            postgres.destroy();
            postgres.waitFor(30, TimeUnit.SECONDS);
        }
        run(List.of("rm", "-rf", dir.toString()));
    }

    @Test
    void rowsAndTheQuotaLockWorkOnPostgresql() throws Exception {
        DatastoreRecord ds = store.datastores.upsertDatastore("postgresql", "postgresql");
        DatastoreVersionRecord v = store.datastores.upsertVersion(ds.id(), "15", "15", "postgresql", true, "debian",
                PG_BIN, "/usr/lib/postgresql/15");
        assertThat(store.datastores.find("postgresql")).isPresent();

        // Six concurrent creates for one free slot: exactly one passes the quota.
        ExecutorService pool = Executors.newFixedThreadPool(6);
        List<Future<Boolean>> results = new ArrayList<>();
        for (int n = 0; n < 6; n++) {
            results.add(pool.submit(() -> {
                Instant now = Instant.now();
                InstanceRecord i = new InstanceRecord(UUID.randomUUID().toString(), "p-race", "i", "1", v.id(), 1,
                        null, null, InstanceTask.BUILDING.name(), null, null, now, now, false, null);
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
        String id = store.instances.listByProject("p-race").get(0).id();
        assertThat(store.serviceStatuses.saveHeartbeat(id, org.jtrove.model.ServiceStatus.HEALTHY, 10.0)).isTrue();
        assertThat(store.serviceStatuses.saveHeartbeat(id, org.jtrove.model.ServiceStatus.SHUTDOWN, 9.0)).isFalse();
    }

    private static List<String> asUser(boolean root, List<String> command) {
        if (!root) {
            return command;
        }
        List<String> full = new ArrayList<>(List.of("setpriv", "--reuid=" + USER, "--regid=" + USER, "--init-groups",
                "--reset-env", "--"));
        full.addAll(command);
        return full;
    }

    private static void run(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(command + " failed: " + out);
        }
    }
}
