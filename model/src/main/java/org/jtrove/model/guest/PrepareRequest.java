package org.jtrove.model.guest;

import java.util.List;

/** What the taskmanager asks a guest agent to do when an instance is created (from a backup chain if not empty). */
public record PrepareRequest(
        String instanceId,
        ServerBuild build,
        String address,
        int memoryMb,
        int volumeSizeGb,
        List<DatabaseSpec> databases,
        List<UserSpec> users,
        List<RestoreSource> restoreChain) {
    @Override
    public String toString() {
        return "PrepareRequest[" + instanceId + " " + build.manager() + " " + build.version() + " at " + address + "]";
    }
}
