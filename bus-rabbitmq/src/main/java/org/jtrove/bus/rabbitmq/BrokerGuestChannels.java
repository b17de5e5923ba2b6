package org.jtrove.bus.rabbitmq;

import org.jtrove.bus.GuestChannels;

/**
 * Each instance's guest agent on RabbitMQ with a broker user of its own ({@link GuestBrokerUsers}), made when the
 * instance is placed (again with a new password when placing is repeated) and deleted with it.
 */
public final class BrokerGuestChannels implements GuestChannels {
    private final GuestBrokerUsers users;
    private final TransportUrl controlPlane;

    public BrokerGuestChannels(MessagingConfig config) {
        this.users = new GuestBrokerUsers(config);
        this.controlPlane = config.requireTransportUrl();
    }

    @Override
    public String transportUrlFor(String instanceId) {
        return users.create(instanceId).transportUrl(controlPlane).format();
    }

    @Override
    public void forget(String instanceId) {
        users.delete(instanceId);
    }
}
