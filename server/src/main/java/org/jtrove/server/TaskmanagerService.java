package org.jtrove.server;

import java.time.Duration;
import java.time.Instant;
import org.jtrove.backupstorage.BackupVault;
import org.jtrove.bus.GuestChannels;
import org.jtrove.bus.HostApi;
import org.jtrove.bus.MessageBus;
import org.jtrove.bus.rabbitmq.BrokerGuestChannels;
import org.jtrove.compute.local.LocalComputeDriver;
import org.jtrove.server.config.TaskmanagerConfig;
import org.jtrove.store.MetadataStore;
import org.jtrove.taskmanager.FailoverMonitor;
import org.jtrove.taskmanager.TaskManager;
import org.jtrove.taskmanager.engine.TaskEngine;

/**
 * The taskmanager service ({@code jtrove taskmanager}): runs tasks, places instances on the guest-agent hosts that
 * reported within {@link #HOST_EXPIRY} through the local compute driver, and gives each guest agent its own broker
 * user when the bus is a broker.
 */
final class TaskmanagerService implements AutoCloseable {
    /** A host that has not reported for this long takes no new instances. */
    static final Duration HOST_EXPIRY = Duration.ofSeconds(60);
    private final LocalComputeDriver compute;
    private final TaskManager taskmanager;

    /** @param owner this taskmanager's name in task leases */
    TaskmanagerService(JtroveConfig config, MetadataStore store, MessageBus bus, BackupVault vault, String owner) {
        this.compute = new LocalComputeDriver(new HostApi(bus),
                () -> store.computeHosts.liveSince(Instant.now().minus(HOST_EXPIRY)));
        GuestChannels channels = config.messaging.transportUrl() == null ? GuestChannels.SHARED
                : new BrokerGuestChannels(config.messaging);
        TaskmanagerConfig t = config.taskmanager;
        TaskEngine.Settings d = TaskEngine.Settings.defaults();
        this.taskmanager = new TaskManager(store, bus, compute, channels, vault, new TaskManager.Settings(
                t.buildTimeout(), t.backupTimeout(), Duration.ofMinutes(10), t.backupScheduleInterval(),
                new TaskEngine.Settings(t.taskLease(), d.pollInterval(), d.workers(), d.maxAttempts(), d.maxBackoff()),
                new FailoverMonitor.Settings(t.failoverWindow(), t.failoverProbeInterval())), owner);
    }

    TaskmanagerService start() {
        taskmanager.start();
        return this;
    }

    @Override
    public void close() {
        taskmanager.close();
        compute.close();
    }
}
