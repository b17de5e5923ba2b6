package org.jtrove.bus;

/** Topic names, as Trove names its RPC queues. */
public final class Topics {
    public static final String TASKMANAGER = "taskmanager";
    public static final String CONDUCTOR = "trove-conductor";
    static final String GUEST_PREFIX = "guestagent.";
    static final String HOST_PREFIX = "guestagent-host.";

    private Topics() {}

    /**
     * The topic of an instance's guest agent. With per-guest broker credentials this is also the broker user name
     * of that agent, so it is the sender the conductor expects on that instance's reports.
     */
    public static String guest(String instanceId) {
        return GUEST_PREFIX + instanceId;
    }

    /** The topic of the guest-agent host process of machine {@code host}, which boots and removes agents there. */
    public static String host(String host) {
        return HOST_PREFIX + host;
    }
}
