package org.jtrove.bus.rabbitmq;

import java.net.URI;

/**
 * Where and as whom to reach the broker's HTTP management API ({@code rabbitmq_management}).
 *
 * @param base     e.g. {@code http://127.0.0.1:15672}, without a trailing slash
 * @param password never logged
 */
public record ManagementEndpoint(URI base, String user, String password) {
    @Override
    public String toString() {
        return "ManagementEndpoint[" + base + " as " + user + "]";
    }
}
