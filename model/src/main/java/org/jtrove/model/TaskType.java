package org.jtrove.model;

/** The long operations the taskmanager runs, each a pipeline of named, idempotent steps. */
public enum TaskType {
    CREATE("PROVISION", "PREPARE", "WAIT_ACTIVE"),
    RESTART("RESTART", "WAIT_ACTIVE"),
    RESIZE_FLAVOR("RESIZE", "WAIT_ACTIVE"),
    UPDATE_ACCESS("UPDATE_ACCESS", "WAIT_ACTIVE"),
    DELETE("DESTROY"),
    BACKUP("BACKUP"),
    DELETE_BACKUP("REMOVE_BACKUP");

    private final String[] steps;

    TaskType(String... steps) {
        this.steps = steps;
    }

    public String firstStep() {
        return steps[0];
    }

    /** The step after {@code step}, or null when it was the last. */
    public String next(String step) {
        for (int i = 0; i < steps.length - 1; i++) {
            if (steps[i].equals(step)) {
                return steps[i + 1];
            }
        }
        return null;
    }
}
