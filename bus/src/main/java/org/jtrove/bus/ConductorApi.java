package org.jtrove.bus;

import org.jtrove.model.guest.BackupReport;
import org.jtrove.model.guest.Heartbeat;
import org.jtrove.model.guest.HostHeartbeat;
import org.jtrove.model.guest.OperationReport;

/** How guest agents report to the conductor; every method is a cast. */
public final class ConductorApi {
    public static final String HEARTBEAT = "heartbeat";
    public static final String UPDATE_BACKUP = "update_backup";
    public static final String OPERATION_DONE = "operation_done";
    public static final String HOST_HEARTBEAT = "host_heartbeat";
    private final MessageBus bus;

    public ConductorApi(MessageBus bus) {
        this.bus = bus;
    }

    public void heartbeat(Heartbeat h) {
        bus.cast(Topics.CONDUCTOR, Message.of(HEARTBEAT, h));
    }

    public void updateBackup(BackupReport r) {
        bus.cast(Topics.CONDUCTOR, Message.of(UPDATE_BACKUP, r));
    }

    public void operationDone(OperationReport r) {
        bus.cast(Topics.CONDUCTOR, Message.of(OPERATION_DONE, r));
    }

    /** A guest-agent host is alive (see {@link HostApi}). */
    public void hostHeartbeat(HostHeartbeat h) {
        bus.cast(Topics.CONDUCTOR, Message.of(HOST_HEARTBEAT, h));
    }
}
