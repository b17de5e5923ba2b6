package org.jtrove.store;

public record DatastoreRecord(String id, String name, String manager, String defaultVersionId) {}
