package org.jtrove.model;

/**
 * Derives the public {@code status} and {@code operating_status} from the two owners' fields, with Trove's
 * precedence: a task error wins, then a running task, then the database service status.
 */
public final class InstanceStatus {
    private InstanceStatus() {}

    public static String publicStatus(InstanceTask task, ServiceStatus service, boolean heartbeatExpired) {
        return publicStatus(task, service, heartbeatExpired, false);
    }

    /** As Trove: a running backup shows as BACKUP unless a task of the instance itself says more. */
    public static String publicStatus(InstanceTask task, ServiceStatus service, boolean heartbeatExpired,
                                      boolean backupRunning) {
        if (task.publicStatus() != null) {
            return task.publicStatus();
        }
        if (backupRunning) {
            return "BACKUP";
        }
        return switch (service) {
            case NEW, BUILDING -> "BUILD";
            case RUNNING, HEALTHY -> "ACTIVE";
            case SHUTDOWN, CRASHED -> "SHUTDOWN";
            case FAILED, UNKNOWN, FAILED_TIMEOUT_GUESTAGENT -> "ERROR";
        };
    }

    public static String operatingStatus(InstanceTask task, ServiceStatus service, boolean heartbeatExpired) {
        if (task != InstanceTask.NONE) {
            return "";
        }
        return heartbeatExpired ? ServiceStatus.FAILED_TIMEOUT_GUESTAGENT.apiValue() : service.apiValue();
    }
}
