package org.jtrove.server.config;

/** The message bus between the services (oslo.messaging's keys). */
public record MessagingConfig(
        @Key(name = "transport_url", secret = true, description = "rabbit://user:pass@host:5672/vhost of the"
                + " broker; unset: the in-process bus of the all-in-one server.")
        String transportUrl,
        @Key(name = "control_exchange", value = "jtrove", description = "The exchange all of jtrove's topics live in.")
        String controlExchange) {}
