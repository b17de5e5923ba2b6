-- Continuous archiving for point-in-time restore: one row per log file a guest agent sealed into the backup
-- storage (PostgreSQL: a WAL segment or timeline history file; MariaDB: a binary log). restorable_until is the
-- latest moment whose commits are all in this file and the ones before it (NULL: the file moves it no further).
CREATE TABLE log_archive (
    instance_id VARCHAR(36) NOT NULL,
    name VARCHAR(64) NOT NULL,
    storage_key VARCHAR(255) NOT NULL,
    checksum VARCHAR(128) NOT NULL,
    size_bytes BIGINT NOT NULL,
    restorable_until ${timestamp},
    archived ${timestamp} NOT NULL,
    PRIMARY KEY (instance_id, name)
);
CREATE INDEX ix_log_archive_time ON log_archive(instance_id, archived);

-- The last archiving failure a guest agent reported per instance (cleared by its next success).
CREATE TABLE log_archive_status (
    instance_id VARCHAR(36) PRIMARY KEY,
    last_error VARCHAR(4000),
    updated ${timestamp} NOT NULL
);

-- Scheduled backups (jtrove's extension; python-troveclient's schedule-create shape): a cron pattern, and the
-- retention of the backups it makes. next_run is claimed with a conditional update, so one run is taken once.
CREATE TABLE backup_schedules (
    id VARCHAR(36) PRIMARY KEY,
    project_id VARCHAR(64) NOT NULL,
    instance_id VARCHAR(36) NOT NULL,
    name VARCHAR(255) NOT NULL,
    description VARCHAR(1024),
    pattern VARCHAR(255) NOT NULL,
    incremental BOOLEAN NOT NULL,
    retention_count INT,
    retention_days INT,
    next_run ${timestamp} NOT NULL,
    last_run ${timestamp},
    created ${timestamp} NOT NULL,
    updated ${timestamp} NOT NULL
);
CREATE INDEX ix_backup_schedules_due ON backup_schedules(next_run);
CREATE INDEX ix_backup_schedules_instance ON backup_schedules(instance_id);
-- The schedule a backup was made by (NULL: taken by hand); retention prunes only a schedule's own backups.
ALTER TABLE backups ADD COLUMN schedule_id VARCHAR(36);
