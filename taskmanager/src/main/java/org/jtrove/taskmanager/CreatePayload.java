package org.jtrove.taskmanager;

import java.util.List;
import org.jtrove.model.guest.DatabaseSpec;
import org.jtrove.model.guest.UserSpec;

/** What a create task needs beyond the instance row: the databases and users to create on the server. */
public record CreatePayload(List<DatabaseSpec> databases, List<UserSpec> users) {
    public CreatePayload {
        databases = databases == null ? List.of() : databases;
        users = users == null ? List.of() : users;
    }
}
