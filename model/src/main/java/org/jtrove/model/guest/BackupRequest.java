package org.jtrove.model.guest;

/**
 * Taskmanager to guest agent: take backup {@code backupId} into storage object {@code storageKey}; for an
 * incremental backup, {@code parentMeta} is what the parent backup recorded about itself (null for a full one).
 */
public record BackupRequest(String backupId, String storageKey, String parentMeta) {}
