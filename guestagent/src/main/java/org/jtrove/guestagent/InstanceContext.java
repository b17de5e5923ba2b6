package org.jtrove.guestagent;

import java.nio.file.Path;
import org.jtrove.model.guest.ServerBuild;

/** Where one instance's server lives and how it is sized. */
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
