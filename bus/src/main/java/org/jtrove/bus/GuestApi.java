package org.jtrove.bus;

import java.time.Duration;
import java.util.Map;
import org.jtrove.model.guest.BackupRequest;
import org.jtrove.model.guest.PrepareRequest;

/**
 * How the taskmanager drives a guest agent's long work. Each long operation is a cast carrying an operation id;
 * the agent runs it once per id (a repeat is answered with the first outcome) and reports the outcome to the
 * conductor as an {@code OperationReport}, which the waiting task step reads from the store.
 */
public final class GuestApi {
    /** The long operations and their wire names. */
    public enum Operation {
        PREPARE("prepare"), RESTART("restart"), RESIZE("resize"), APPLY_CONFIGURATION("apply_configuration");

        private final String wireName;

        Operation(String wireName) {
            this.wireName = wireName;
        }

        public String wireName() {
            return wireName;
        }
    }

    private static final Duration CANCEL_TIMEOUT = Duration.ofSeconds(30);
    private final MessageBus bus;

    public GuestApi(MessageBus bus) {
        this.bus = bus;
    }

    /** Cast: builds and starts the instance's server as {@code request} says. */
    public void prepare(String instanceId, String operationId, PrepareRequest request) {
        operation(instanceId, Operation.PREPARE, operationId, request);
    }

    /** Cast: stops and starts the server. */
    public void restart(String instanceId, String operationId) {
        operation(instanceId, Operation.RESTART, operationId, Map.of());
    }

    /** Cast: rewrites the memory settings for {@code memoryMb} of RAM and restarts the server with them. */
    public void resize(String instanceId, String operationId, int memoryMb) {
        operation(instanceId, Operation.RESIZE, operationId, Map.of("memory_mb", memoryMb));
    }

    /** Cast: makes {@code values} the server's configuration-group values (empty: back to the defaults). */
    public void applyConfiguration(String instanceId, String operationId, Map<String, Object> values) {
        operation(instanceId, Operation.APPLY_CONFIGURATION, operationId, Map.of("values", values));
    }

    /** Cast: takes a backup in the background; progress is reported as {@code update_backup}. */
    public void createBackup(String instanceId, BackupRequest request) {
        bus.cast(Topics.guest(instanceId), Message.of("create_backup", request));
    }

    /** Call: stops a running backup at its next write; true if it was running. */
    public boolean cancelBackup(String instanceId, String backupId) {
        return bus.call(Topics.guest(instanceId), Message.of("cancel_backup", Map.of("backup_id", backupId)),
                CANCEL_TIMEOUT).path("cancelled").asBoolean();
    }

    private void operation(String instanceId, Operation op, String operationId, Object request) {
        bus.cast(Topics.guest(instanceId), Message.of(op.wireName(),
                Map.of("operation_id", operationId, "request", request)));
    }
}
