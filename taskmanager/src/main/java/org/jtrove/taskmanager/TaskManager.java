package org.jtrove.taskmanager;

import java.time.Duration;
import java.util.List;
import org.jtrove.backupstorage.BackupVault;
import org.jtrove.bus.GuestApi;
import org.jtrove.bus.GuestChannels;
import org.jtrove.bus.MessageBus;
import org.jtrove.bus.TaskmanagerApi;
import org.jtrove.bus.Topics;
import org.jtrove.compute.ComputeDriver;
import org.jtrove.store.MetadataStore;
import org.jtrove.taskmanager.engine.TaskEngine;
import org.jtrove.taskmanager.tasks.ApplyConfiguration;
import org.jtrove.taskmanager.tasks.CreateInstance;
import org.jtrove.taskmanager.tasks.CreateReplica;
import org.jtrove.taskmanager.tasks.DetachReplica;
import org.jtrove.taskmanager.tasks.EjectReplicaSource;
import org.jtrove.taskmanager.tasks.Failover;
import org.jtrove.taskmanager.tasks.RejoinReplica;
import org.jtrove.taskmanager.tasks.PromoteToReplicaSource;
import org.jtrove.taskmanager.tasks.DeleteBackups;
import org.jtrove.taskmanager.tasks.DeleteInstance;
import org.jtrove.taskmanager.tasks.InstanceSteps;
import org.jtrove.taskmanager.tasks.Placements;
import org.jtrove.taskmanager.tasks.ReplicaSets;
import org.jtrove.taskmanager.tasks.ResizeFlavor;
import org.jtrove.taskmanager.tasks.RestartInstance;
import org.jtrove.taskmanager.tasks.SetReplicationMode;
import org.jtrove.taskmanager.tasks.TakeBackup;
import org.jtrove.taskmanager.tasks.UpdateAccess;

/**
 * The taskmanager service: every task type's definition, the engine that runs them, the failover monitor
 * (automatic failover of replica sources), and the {@code taskmanager} topic ({@code run_task}: a task was recorded; {@code wake_instance}: something a task waits for was stored).
 */
public final class TaskManager implements AutoCloseable {
    /**
     * @param buildTimeout a create must be ACTIVE this long after the request
     * @param backupTimeout a backup must be COMPLETED this long after the request
     * @param janitorInterval how often unfinished backup objects are looked for
     * @param scheduleInterval how often due backup schedules and retention are looked at
     * @param failover when a source counts as down, and how often sources are looked at (automatic failover)
     */
    public record Settings(Duration buildTimeout, Duration backupTimeout, Duration janitorInterval,
                           Duration scheduleInterval, TaskEngine.Settings engine, FailoverMonitor.Settings failover) {}

    private final MessageBus bus;
    private final Settings settings;
    private final TaskEngine engine;
    private final BackupJanitor janitor;
    private final BackupScheduler scheduler;
    private final FailoverMonitor failover;
    private MessageBus.Subscription subscription;

    /** @param owner this taskmanager's name in task leases (see {@link TaskEngine}) */
    public TaskManager(MetadataStore store, MessageBus bus, ComputeDriver compute, GuestChannels channels,
                       BackupVault vault, Settings settings, String owner) {
        this.bus = bus;
        GuestApi guests = new GuestApi(bus);
        TaskmanagerApi taskmanager = new TaskmanagerApi(bus);
        InstanceSteps instances = new InstanceSteps(store, settings.buildTimeout());
        Placements placements = new Placements(store, compute, bus, channels);
        TakeBackup backups = new TakeBackup(store, guests, vault, settings.backupTimeout());
        ReplicaSets sets = new ReplicaSets(store, guests, placements);
        this.engine = new TaskEngine(store.tasks, List.of(
                new CreateInstance(store, placements, guests, instances),
                new CreateReplica(store, placements, guests, instances, backups, vault, sets),
                new DetachReplica(store, guests, sets),
                new PromoteToReplicaSource(store, placements, guests, sets),
                new EjectReplicaSource(store, placements, guests, sets),
                new Failover(store, placements, guests, sets),
                new RejoinReplica(store, placements, guests, instances, backups, vault, sets),
                new SetReplicationMode(store, sets),
                new RestartInstance(store, guests, instances),
                new ResizeFlavor(store, guests, instances),
                new ApplyConfiguration(store, guests, taskmanager),
                new DeleteInstance(store, placements, guests, vault, sets),
                backups,
                new DeleteBackups(store, vault),
                new UpdateAccess(store, placements, instances)), owner, settings.engine());
        this.janitor = new BackupJanitor(store, vault);
        this.scheduler = new BackupScheduler(store, taskmanager, vault);
        this.failover = new FailoverMonitor(store, taskmanager, new ServerProbe(Duration.ofSeconds(1)),
                settings.failover());
        this.settings = settings;
    }

    /** Serves the taskmanager topic, then starts taking tasks (those a previous process left are resumed). */
    public void start() {
        subscription = bus.subscribe(Topics.TASKMANAGER, m -> {
            switch (m.method()) {
                case TaskmanagerApi.RUN_TASK -> engine.wake(m.args().path("task_id").asText());
                case TaskmanagerApi.WAKE_INSTANCE -> engine.wakeInstance(m.args().path("instance_id").asText());
                default -> { }
            }
            return null;
        });
        engine.start();
        janitor.start(settings.janitorInterval());
        scheduler.start(settings.scheduleInterval());
        failover.start();
    }

    public TaskEngine engine() {
        return engine;
    }

    @Override
    public void close() {
        if (subscription != null) {
            subscription.close();
        }
        failover.close();
        janitor.close();
        scheduler.close();
        engine.close();
    }
}
