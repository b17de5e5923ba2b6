package org.jtrove.model;

/** Database health as reported by the guest agent (Trove's service status). */
public enum ServiceStatus {
    NEW("new", "NEW"),
    BUILDING("building", "BUILD"),
    RUNNING("running", "ACTIVE"),
    HEALTHY("healthy", "HEALTHY"),
    SHUTDOWN("shutdown", "SHUTDOWN"),
    CRASHED("crashed", "SHUTDOWN"),
    FAILED("failed to spawn", "FAILED"),
    UNKNOWN("unknown", "ERROR"),
    FAILED_TIMEOUT_GUESTAGENT("guestagent error", "ERROR");

    private final String description;
    private final String apiValue;

    ServiceStatus(String description, String apiValue) {
        this.description = description;
        this.apiValue = apiValue;
    }

    public String description() {
        return description;
    }

    public String apiValue() {
        return apiValue;
    }

    public boolean isUp() {
        return this == RUNNING || this == HEALTHY;
    }

    public static ServiceStatus fromDescription(String description) {
        for (ServiceStatus s : values()) {
            if (s.description.equalsIgnoreCase(description) || s.name().equalsIgnoreCase(description)) {
                return s;
            }
        }
        return UNKNOWN;
    }
}
