-- Replication (issue 11): the instance a replica follows (NULL for a standalone instance or a source), and the
-- replication lag (seconds) the replica's guest agent last reported in its heartbeat (NULL: not a replica).
-- Version 9.1: version 9 is held by the vendor migrations V9__compute_hosts.
ALTER TABLE instances ADD COLUMN replica_of VARCHAR(36);
CREATE INDEX ix_instances_replica_of ON instances(replica_of);
ALTER TABLE service_statuses ADD COLUMN replication_lag DOUBLE PRECISION;
