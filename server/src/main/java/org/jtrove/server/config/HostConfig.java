package org.jtrove.server.config;

import java.nio.file.Path;

/** Where this host keeps jtrove's state: the embedded store, templates, instance data, keys. */
public record HostConfig(
        @Key(name = "state_path", description = "State directory (default /var/lib/jtrove as root, else"
                + " ~/.local/share/jtrove).", legacy = "state_dir")
        String statePath) {

    /** The state directory, absolute. */
    public Path state() {
        if (statePath != null) {
            return Path.of(statePath).toAbsolutePath();
        }
        boolean root = "root".equals(System.getProperty("user.name"));
        return Path.of(root ? "/var/lib/jtrove" : System.getProperty("user.home") + "/.local/share/jtrove");
    }
}
