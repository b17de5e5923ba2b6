package org.jtrove.server;

import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.jtrove.backupstorage.BackupVault;
import org.jtrove.bus.MessageBus;
import org.jtrove.store.MetadataStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * The separate services, one command each, as Trove's trove-api, trove-taskmanager, trove-conductor and
 * trove-guestagent: each reads {@code --config-file} (repeatable), talks over RabbitMQ ({@code transport_url}),
 * and the three control-plane services refuse a metadata schema that is behind (run {@code jtrove manage db_sync}).
 * Each runs until SIGTERM; what it started stops cleanly, database servers keep running.
 */
final class ServiceCommands {
    private static final Logger LOG = LoggerFactory.getLogger(ServiceCommands.class);

    private ServiceCommands() {}

    /** Runs {@code service} until the JVM is asked to stop. */
    static int runUntilStopped(String name, AutoCloseable... parts) throws InterruptedException {
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            for (AutoCloseable p : parts) {
                try {
                    p.close();
                } catch (Exception e) {
                    LOG.warn("{}: stopping {} failed: {}", name, p.getClass().getSimpleName(), e.toString());
                }
            }
            stopped.countDown();
        }, "shutdown"));
        LOG.info("jtrove {} is running", name);
        stopped.await();
        return 0;
    }

    @Command(name = "api", mixinStandardHelpOptions = true, description = "Run the Trove v1.0 REST API service.")
    static final class Api implements Callable<Integer> {
        @Mixin
        Main.Common common = new Main.Common();

        @Override
        public Integer call() throws Exception {
            JtroveConfig config = common.load();
            MetadataStore store = Infrastructure.openStore(config, MetadataStore.SchemaMode.VALIDATE);
            MessageBus bus = Infrastructure.openBus(config);
            ApiService api = new ApiService(config, store, bus).start();
            return runUntilStopped("api", api, bus, store);
        }
    }

    @Command(name = "taskmanager", mixinStandardHelpOptions = true, description = "Run the taskmanager service.")
    static final class Taskmanager implements Callable<Integer> {
        @Mixin
        Main.Common common = new Main.Common();

        @Override
        public Integer call() throws Exception {
            JtroveConfig config = common.load();
            MetadataStore store = Infrastructure.openStore(config, MetadataStore.SchemaMode.VALIDATE);
            MessageBus bus = Infrastructure.openBus(config);
            BackupVault vault = Infrastructure.backupVault(config);
            Infrastructure.prepareStateDir(config.statePath());
            StateLock lock = StateLock.acquire(config.statePath(), "taskmanager");
            TaskmanagerService tm = new TaskmanagerService(config, store, bus, vault, lock.taskmanagerName()).start();
            return runUntilStopped("taskmanager", tm, bus, store, lock);
        }
    }

    @Command(name = "conductor", mixinStandardHelpOptions = true, description = "Run the conductor service.")
    static final class Conductor implements Callable<Integer> {
        @Mixin
        Main.Common common = new Main.Common();

        @Override
        public Integer call() throws Exception {
            JtroveConfig config = common.load();
            MetadataStore store = Infrastructure.openStore(config, MetadataStore.SchemaMode.VALIDATE);
            MessageBus bus = Infrastructure.openBus(config);
            ConductorService conductor = new ConductorService(store, bus).start();
            return runUntilStopped("conductor", conductor, bus, store);
        }
    }

    @Command(name = "guestagent", mixinStandardHelpOptions = true,
            description = "Run this host's guest agents (the host side of the local compute driver).")
    static final class GuestAgent implements Callable<Integer> {
        @Mixin
        Main.Common common = new Main.Common();

        @Override
        public Integer call() throws Exception {
            JtroveConfig config = common.load();
            MessageBus bus = Infrastructure.openBus(config);
            Infrastructure.prepareStateDir(config.statePath());
            StateLock lock = StateLock.acquire(config.statePath(), "guestagent");
            GuestAgentService host = new GuestAgentService(config, bus, Infrastructure.backupVault(config)).start();
            return runUntilStopped("guestagent", host, bus, lock);
        }
    }
}
