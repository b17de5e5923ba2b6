package org.jtrove.bus;

/**
 * How an instance's guest agent reaches the bus. On a broker each agent has its own broker user, made when the
 * instance is placed and removed with it, allowed only its own queue and its own reports; in-process there is
 * nothing to make.
 */
public interface GuestChannels {
    /** The transport URL with the instance's own credentials (made now if need be), or null: the host's own bus. */
    String transportUrlFor(String instanceId);

    /** Removes what {@link #transportUrlFor} made for the instance. Safe to repeat. */
    void forget(String instanceId);

    /** The in-process bus: agents share their host's bus. */
    GuestChannels SHARED = new GuestChannels() {
        @Override
        public String transportUrlFor(String instanceId) {
            return null;
        }

        @Override
        public void forget(String instanceId) {
            // nothing was made
        }
    };
}
