package org.jtrove.conductor;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.jtrove.bus.ConductorApi;
import org.jtrove.bus.Message;
import org.jtrove.bus.MessageBus;
import org.jtrove.bus.TaskmanagerApi;
import org.jtrove.bus.Topics;
import org.jtrove.model.JtroveException;
import org.jtrove.model.ServiceStatus;
import org.jtrove.model.guest.ArchiveReport;
import org.jtrove.model.guest.BackupReport;
import org.jtrove.model.guest.Heartbeat;
import org.jtrove.model.guest.HostHeartbeat;
import org.jtrove.model.guest.OperationReport;
import org.jtrove.store.GuestOperationRecord;
import org.jtrove.store.LogArchiveRecord;
import org.jtrove.store.BackupRecord;
import org.jtrove.store.MetadataStore;
import org.jtrove.store.ServiceStatusRepository;
import org.jtrove.store.StoreFailures;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes the guest agents' reports and writes them to the metadata store. It owns the service status only; it
 * never touches an instance's task status. It takes its topic's messages in batches and stores all the
 * heartbeats of a batch in one transaction. When something a task may wait for is stored (a service status that
 * changed, a backup's progress, a long operation's outcome), it wakes that instance's tasks ({@code wake_instance}).
 *
 * <p>On a bus that authenticates senders (RabbitMQ, where each guest agent has its own broker user), a report is
 * taken only from the guest agent of the instance it is about: its envelope's sender must be
 * {@code guestagent.<instance id>}; any other report is dropped with a warning. In-process every part is trusted.
 */
public final class Conductor implements AutoCloseable {
    /** The most messages handled (and heartbeats stored) at once. */
    static final int MAX_BATCH = 500;
    private static final Logger LOG = LoggerFactory.getLogger(Conductor.class);
    private final MetadataStore store;
    private final MessageBus bus;
    private final TaskmanagerApi taskmanager;
    private MessageBus.Subscription subscription;

    public Conductor(MetadataStore store, MessageBus bus) {
        this.store = store;
        this.bus = bus;
        this.taskmanager = new TaskmanagerApi(bus);
    }

    public void start() {
        subscription = bus.subscribe(Topics.CONDUCTOR, MAX_BATCH, this::handle);
    }

    /**
     * Handles one batch of reports.
     *
     * @throws JtroveException 503 when the metadata store is unavailable for a while (a broker bus delivers the
     *                         batch again)
     */
    List<Object> handle(List<Message> messages) {
        List<ServiceStatusRepository.Heartbeat> heartbeats = new ArrayList<>();
        try {
            for (Message m : messages) {
                try {
                    take(m, heartbeats);
                } catch (RuntimeException e) {
                    if (StoreFailures.isTransient(e)) {
                        throw e;
                    }
                    // one malformed report must not cost the others of its batch
                    LOG.warn("conductor: dropped {} from {}: {}", m.method(), m.sender(), e.toString());
                }
            }
            store(heartbeats);
        } catch (RuntimeException e) {
            if (StoreFailures.isTransient(e)) {
                throw new JtroveException(503, "The metadata store is unavailable: " + e.getMessage());
            }
            throw e;
        }
        return Collections.nCopies(messages.size(), null);
    }

    /** Handles a backup report at once; collects a heartbeat for the batch's one store. */
    private void take(Message m, List<ServiceStatusRepository.Heartbeat> heartbeats) {
        switch (m.method()) {
            case ConductorApi.HEARTBEAT -> {
                Heartbeat h = m.args(Heartbeat.class);
                if (fromItsGuest(m, h.instanceId())) {
                    heartbeats.add(row(h));
                }
            }
            case ConductorApi.UPDATE_BACKUP -> {
                BackupReport r = m.args(BackupReport.class);
                if (fromItsGuest(m, r.instanceId())) {
                    updateBackup(r);
                }
            }
            case ConductorApi.HOST_HEARTBEAT -> {
                HostHeartbeat h = m.args(HostHeartbeat.class);
                if (bus.authenticatesSenders() && String.valueOf(m.sender()).startsWith(Topics.guest(""))) {
                    LOG.warn("conductor: dropped a host heartbeat for {} sent by guest agent {}", h.host(), m.sender());
                } else {
                    store.computeHosts.report(h.host(), h.instances(), Instant.now());
                }
            }
            case ConductorApi.LOG_ARCHIVED -> {
                ArchiveReport r = m.args(ArchiveReport.class);
                if (fromItsGuest(m, r.instanceId())) {
                    logArchived(r);
                }
            }
            case ConductorApi.OPERATION_DONE -> {
                OperationReport r = m.args(OperationReport.class);
                if (fromItsGuest(m, r.instanceId())) {
                    operationDone(r);
                }
            }
            default -> LOG.warn("conductor: unknown method {} from {}", m.method(), m.sender());
        }
    }

    /** Whether the message comes from the guest agent of the instance it reports on (always, in-process). */
    private boolean fromItsGuest(Message m, String instanceId) {
        if (!bus.authenticatesSenders() || Topics.guest(String.valueOf(instanceId)).equals(m.sender())) {
            return true;
        }
        LOG.warn("conductor: dropped {} about instance {} sent by {}; only that instance's guest agent may report it",
                m.method(), instanceId, m.sender());
        return false;
    }

    private static ServiceStatusRepository.Heartbeat row(Heartbeat h) {
        if (h.instanceId() == null) {
            throw new IllegalArgumentException("a heartbeat without instanceId");
        }
        return new ServiceStatusRepository.Heartbeat(h.instanceId(), ServiceStatus.fromDescription(h.serviceStatus()),
                h.sent(), h.replicationLag());
    }

    /** Stores heartbeats (see {@link ServiceStatusRepository#saveHeartbeats}); returns how many were stored. */
    private int store(List<ServiceStatusRepository.Heartbeat> heartbeats) {
        List<ServiceStatusRepository.Stored> stored = store.serviceStatuses.saveHeartbeats(heartbeats);
        for (ServiceStatusRepository.Stored s : stored) {
            if (s.before() != s.after()) {
                LOG.info("instance {}: service status {} -> {}", s.instanceId(), s.before(), s.after());
                taskmanager.wakeInstance(s.instanceId());
            }
        }
        return stored.size();
    }

    /**
     * Stores a heartbeat of a live instance unless an equal or newer one was stored already. The caller vouches
     * for the sender.
     */
    public boolean heartbeat(Heartbeat h) {
        return store(List.of(row(h))) == 1;
    }

    /**
     * Records a guest's backup progress. Only forward moves are taken (NEW -> BUILDING -> COMPLETED | FAILED), so a
     * late or repeated report cannot undo a newer one; a report about another instance's backup is ignored.
     */
    public void updateBackup(BackupReport r) {
        BackupRecord b = store.backups.find(r.backupId()).orElse(null);
        if (b == null || !b.instanceId().equals(r.instanceId())) {
            LOG.warn("conductor: ignoring a backup report of instance {} about backup {}", r.instanceId(), r.backupId());
            return;
        }
        switch (r.state()) {
            case BackupRecord.BUILDING -> store.backups.markBuilding(b.id());
            case BackupRecord.COMPLETED -> store.backups.complete(b.id(), r.sizeBytes() == null ? 0 : r.sizeBytes(),
                    r.location(), r.checksum(), r.meta());
            case BackupRecord.FAILED -> store.backups.failIfRunning(b.id(), r.error());
            default -> LOG.warn("conductor: unknown backup state {} for backup {}", r.state(), b.id());
        }
        taskmanager.wakeInstance(r.instanceId());
    }

    /** Records how a guest's long operation ended (the first report of it wins) and wakes the step waiting for it. */
    public void operationDone(OperationReport r) {
        boolean recorded = store.guestOperations.record(new GuestOperationRecord(r.operationId(), r.instanceId(),
                r.method(), r.ok() ? GuestOperationRecord.DONE : GuestOperationRecord.FAILED, r.ok() ? null : r.status(),
                r.message(), r.result() == null || r.result().isNull() ? null : r.result().toString(), Instant.now()));
        if (recorded) {
            LOG.info("instance {}: {} {} ({}){}", r.instanceId(), r.method(), r.ok() ? "done" : "failed",
                    r.operationId(), r.ok() ? "" : ": " + r.message());
        }
        taskmanager.wakeInstance(r.instanceId());
    }

    @Override
    public void close() {
        if (subscription != null) {
            subscription.close();
        }
    }

    /** Records an archived log file, or the archiving error the guest retries. */
    private void logArchived(ArchiveReport r) {
        Instant sent = Instant.ofEpochMilli((long) (r.sent() * 1000));
        if (r.error() != null) {
            LOG.warn("instance {}: archiving failed: {}", r.instanceId(), r.error());
            store.logArchive.recordError(r.instanceId(), r.error(), sent);
            return;
        }
        store.logArchive.record(new LogArchiveRecord(r.instanceId(), r.name(), r.storageKey(), r.checksum(),
                r.sizeBytes(), r.restorableUntil() == null ? null : Instant.parse(r.restorableUntil()), sent));
    }
}
