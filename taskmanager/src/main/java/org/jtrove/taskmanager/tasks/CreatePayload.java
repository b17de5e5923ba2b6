package org.jtrove.taskmanager.tasks;

import java.util.List;
import org.jtrove.model.guest.DatabaseSpec;
import org.jtrove.model.guest.UserSpec;

/**
 * What a create task needs beyond the instance row: the databases and users to create on the server, and the
 * backup to restore (null for an empty server).
 */
@com.fasterxml.jackson.annotation.JsonIgnoreProperties(ignoreUnknown = true)
record CreatePayload(List<DatabaseSpec> databases, List<UserSpec> users,
                            @com.fasterxml.jackson.annotation.JsonProperty("backup_id") String backupId) {
    public CreatePayload {
        databases = databases == null ? List.of() : databases;
        users = users == null ? List.of() : users;
    }
}
