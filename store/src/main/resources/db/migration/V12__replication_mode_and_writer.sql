-- A replica set's shared settings, held on the row of its current source (moved with the source role on promote
-- and eject): replication_mode ('synchronous' or NULL, asynchronous: PostgreSQL's synchronous_standby_names names
-- the replicas), and writer_address, the set's stable address for writes (NULL: none yet), which the host forwards
-- to the current source.
ALTER TABLE instances ADD COLUMN replication_mode VARCHAR(16);
ALTER TABLE instances ADD COLUMN writer_address VARCHAR(64);
ALTER TABLE instances ADD COLUMN writer_host VARCHAR(255);
