package org.jtrove.server.config;

import java.nio.file.Path;

/** This host: where jtrove keeps its state (the embedded store, templates, instance data, keys) and its public address. */
public record HostConfig(
        @Key(name = "state_path", description = "State directory (default /var/lib/jtrove as root, else"
                + " ~/.local/share/jtrove).", legacy = "state_dir")
        String statePath,
        @Key(name = "public_address", description = "The host's own address (IPv4 or IPv6) that public instances"
                + " are published on; unset: is_public is refused with 400.", legacy = "public_address")
        String publicAddress,
        @Key(name = "public_ports", value = "16000-16999", description = "Ports handed out on public_address, one per"
                + " public instance (lowest free first).", legacy = "public_ports")
        String publicPorts) {

    /** The state directory, absolute. */
    public Path state() {
        if (statePath != null) {
            return Path.of(statePath).toAbsolutePath();
        }
        boolean root = "root".equals(System.getProperty("user.name"));
        return Path.of(root ? "/var/lib/jtrove" : System.getProperty("user.home") + "/.local/share/jtrove");
    }
}
