-- Replication (issue 11): the instance a replica follows (NULL for a standalone instance or a source), and the
-- replication lag (seconds) the replica's guest agent last reported in its heartbeat (NULL: not a replica).
-- Version 9.1: version 9 is held by the vendor migrations V9__compute_hosts.
ALTER TABLE instances ADD COLUMN replica_of VARCHAR(36);
CREATE INDEX ix_instances_replica_of ON instances(replica_of);
ALTER TABLE service_statuses ADD COLUMN replication_lag DOUBLE PRECISION;
-- A backup the taskmanager takes for itself, a replica's snapshot of its source, names the replica it is taken for
-- (NULL: a user's backup). Such a backup is hidden: never listed, restorable, a parent or counted against a quota,
-- and its source does not show BACKUP while it is taken; it is removed once the replica is built or deleted.
ALTER TABLE backups ADD COLUMN taken_for VARCHAR(36);
