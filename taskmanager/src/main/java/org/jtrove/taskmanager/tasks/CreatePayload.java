package org.jtrove.taskmanager.tasks;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import org.jtrove.model.guest.DatabaseSpec;
import org.jtrove.model.guest.UserSpec;

/**
 * What a create task needs beyond the instance row: the databases and users to create on the server, and the
 * backup to restore (null for an empty server); for a point-in-time restore, the moment and the instance whose archived
 * logs are replayed up to it.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
record CreatePayload(List<DatabaseSpec> databases, List<UserSpec> users,
                            @JsonProperty("backup_id") String backupId,
                            @JsonProperty("restore_time") String restoreTime,
                            @JsonProperty("source_instance_id") String sourceInstanceId) {
    public CreatePayload {
        databases = databases == null ? List.of() : databases;
        users = users == null ? List.of() : users;
    }
}
