package org.jtrove.bus.rabbitmq;

/**
 * An instance's own broker user for its guest agent, made by {@link GuestBrokerUsers}.
 *
 * @param user     {@code guestagent.<instance id>}, the sender the conductor expects on the instance's reports
 * @param password random; goes only into the guest's boot file, never to a log
 */
public record GuestCredentials(String instanceId, String user, String password) {
    /** The control plane's transport URL with these credentials instead (for the guest's boot file). */
    public TransportUrl transportUrl(TransportUrl controlPlane) {
        return controlPlane.withCredentials(user, password);
    }

    @Override
    public String toString() {
        return "GuestCredentials[" + user + "]";
    }
}
