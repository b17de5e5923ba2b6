package org.jtrove.store;

import java.time.Instant;
import org.jtrove.model.guest.ServerBuild;

public record DatastoreVersionRecord(
        String id, String datastoreId, String name, String version, String manager, boolean active,
        String buildSource, String binDir, String baseDir, Instant created) {

    public ServerBuild build() {
        return new ServerBuild(manager, version, binDir, baseDir, buildSource);
    }
}
