package org.jtrove.model.guest;

import java.util.List;
import java.util.Map;

/**
 * What the taskmanager asks a guest agent to do when an instance is created: from a backup chain if
 * {@code restoreChain} is not empty. {@code configuration} holds the values of the configuration group attached at
 * create (empty or null: none), applied before the first start. {@code pointInTime} (null: none) replays the
 * source's archived logs after the chain, up to a moment.
 */
public record PrepareRequest(
        String instanceId,
        ServerBuild build,
        String address,
        int memoryMb,
        int volumeSizeGb,
        List<DatabaseSpec> databases,
        List<UserSpec> users,
        List<RestoreSource> restoreChain,
        Map<String, Object> configuration,
        PointInTime pointInTime) {
    @Override
    public String toString() {
        return "PrepareRequest[" + instanceId + " " + build.manager() + " " + build.version() + " at " + address + "]";
    }
}
