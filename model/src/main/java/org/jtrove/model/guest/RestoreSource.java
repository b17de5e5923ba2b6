package org.jtrove.model.guest;

/** One backup of a restore chain (the full backup first): where it is stored and how to check it. */
public record RestoreSource(String backupId, String storageKey, String checksum, String meta) {}
