package org.jtrove.bus;

/** Topic names, as Trove names its RPC queues. */
public final class Topics {
    public static final String TASKMANAGER = "taskmanager";
    public static final String CONDUCTOR = "trove-conductor";

    private Topics() {}

    public static String guest(String instanceId) {
        return "guestagent." + instanceId;
    }
}
