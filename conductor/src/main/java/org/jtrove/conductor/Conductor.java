package org.jtrove.conductor;

import java.time.Instant;
import org.jtrove.bus.ConductorApi;
import org.jtrove.bus.Message;
import org.jtrove.bus.TaskmanagerApi;
import org.jtrove.bus.MessageBus;
import org.jtrove.bus.Topics;
import org.jtrove.model.ServiceStatus;
import org.jtrove.model.guest.BackupReport;
import org.jtrove.model.guest.Heartbeat;
import org.jtrove.model.guest.OperationReport;
import org.jtrove.store.GuestOperationRecord;
import org.jtrove.store.BackupRecord;
import org.jtrove.store.MetadataStore;
import org.jtrove.store.ServiceStatusRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes the guest agents' reports and writes them to the metadata store. It owns the service status only; it
 * never touches an instance's task status.
 */
public final class Conductor implements AutoCloseable {
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
        subscription = bus.subscribe(Topics.CONDUCTOR, this::handle);
    }

    Object handle(Message m) {
        switch (m.method()) {
            case ConductorApi.HEARTBEAT -> heartbeat(m.args(Heartbeat.class));
            case ConductorApi.UPDATE_BACKUP -> updateBackup(m.args(BackupReport.class));
            case ConductorApi.OPERATION_DONE -> operationDone(m.args(OperationReport.class));
            default -> LOG.warn("conductor: unknown method {}", m.method());
        }
        return null;
    }

    /** Records how a guest's long operation ended and wakes the task step that waits for it. */
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

    /** Stores a heartbeat unless an equal or newer one was stored already. */
    public boolean heartbeat(Heartbeat h) {
        ServiceStatus status = ServiceStatus.fromDescription(h.serviceStatus());
        if (store.instances.find(h.instanceId()).isEmpty()) {
            return false;
        }
        ServiceStatus before = store.serviceStatuses.find(h.instanceId()).map(ServiceStatusRecord::serviceStatus)
                .orElse(null);
        boolean stored = store.serviceStatuses.saveHeartbeat(h.instanceId(), status, h.sent());
        if (stored && before != status) {
            LOG.info("instance {}: service status {} -> {}", h.instanceId(), before, status);
            taskmanager.wakeInstance(h.instanceId());
        }
        return stored;
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

    @Override
    public void close() {
        if (subscription != null) {
            subscription.close();
        }
    }
}
