-- Instance access (Trove's {"is_public": ..., "allowed_cidrs": [...]}) as JSON text, and the port on the host's
-- public address where the compute driver publishes a public instance (NULL while the instance is not public).
ALTER TABLE instances ADD COLUMN access VARCHAR(4000);
ALTER TABLE instances ADD COLUMN public_port INT;
CREATE UNIQUE INDEX ux_instances_public_port ON instances(public_port);
