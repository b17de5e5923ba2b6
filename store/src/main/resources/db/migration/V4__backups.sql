-- Backups: one row per backup object; parent_id chains incrementals to their full backup.
CREATE TABLE backups (
    id VARCHAR(36) PRIMARY KEY,
    project_id VARCHAR(64) NOT NULL,
    name VARCHAR(255) NOT NULL,
    description VARCHAR(1024),
    instance_id VARCHAR(36) NOT NULL,
    parent_id VARCHAR(36),
    datastore_version_id VARCHAR(36) NOT NULL,
    backup_type VARCHAR(20) NOT NULL,
    state VARCHAR(20) NOT NULL,
    size_bytes BIGINT,
    location VARCHAR(1024),
    checksum VARCHAR(128),
    meta TEXT,
    fault VARCHAR(4000),
    created TIMESTAMP NOT NULL,
    updated TIMESTAMP NOT NULL,
    deleted BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX ix_backups_project ON backups(project_id, deleted);
CREATE INDEX ix_backups_instance ON backups(instance_id, deleted);
CREATE INDEX ix_backups_parent ON backups(parent_id);
