package org.jtrove.server.config;

import java.nio.file.Path;

/** This host: where jtrove keeps its state (the embedded store, templates, instance data, keys) and its public address. */
public record HostConfig(
        @Key(name = "host", description = "This node's name (oslo's option): a guest-agent host serves topic"
                + " guestagent-host.<host> and instances placed on it are recorded with it (default: the machine's"
                + " host name).")
        String host,
        @Key(name = "state_path", description = "State directory (default /var/lib/jtrove as root, else"
                + " ~/.local/share/jtrove).", legacy = "state_dir")
        String statePath,
        @Key(name = "public_address", description = "The host's own address (IPv4 or IPv6) that public instances"
                + " are published on; unset: is_public is refused with 400.", legacy = "public_address")
        String publicAddress,
        @Key(name = "public_ports", value = "16000-16999", description = "Ports handed out on public_address, one per"
                + " public instance (lowest free first).", legacy = "public_ports")
        String publicPorts) {

    /** This node's name: {@code host}, or the machine's host name. */
    public String hostName() {
        if (host != null) {
            return host;
        }
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            return "localhost";
        }
    }

    /** The state directory, absolute. */
    public Path state() {
        if (statePath != null) {
            return Path.of(statePath).toAbsolutePath();
        }
        boolean root = "root".equals(System.getProperty("user.name"));
        return Path.of(root ? "/var/lib/jtrove" : System.getProperty("user.home") + "/.local/share/jtrove");
    }
}
