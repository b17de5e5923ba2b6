package org.jtrove.guestagent;

import java.nio.file.Path;
import org.jtrove.model.guest.ServerBuild;

/**
 * Where one instance's server lives and how it is sized. {@code address} is the instance's own loopback address;
 * jtrove's own connections to the server (admin, health checks, backups) use it as their source address too, which
 * is how the host's access rules tell them from clients limited by the instance's {@code allowed_cidrs}.
 */
public record InstanceContext(String instanceId, ServerBuild build, String address, int memoryMb, Path instanceDir) {
    public Path dataDir() {
        return instanceDir.resolve("data");
    }

    /** Server-owned runtime files: config, socket, pid, log. */
    public Path runDir() {
        return instanceDir.resolve("run");
    }

    /** Agent-owned state, readable by root only (holds the admin password). */
    public Path agentDir() {
        return instanceDir.resolve("agent");
    }

}
