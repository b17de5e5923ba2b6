package org.jtrove.store;

import java.time.Instant;

/** A configuration group: named values for one datastore version, owned by one project. */
public record ConfigurationRecord(String id, String projectId, String name, String description,
                                  String datastoreVersionId, Instant created, Instant updated) {}
