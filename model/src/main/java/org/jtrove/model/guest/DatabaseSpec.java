package org.jtrove.model.guest;

/** A database (schema) to create on an instance. */
public record DatabaseSpec(String name, String characterSet, String collate) {}
