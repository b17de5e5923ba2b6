-- Instances live on guest-agent hosts: the one each instance is placed on, and the hosts that report themselves.
-- A public port is a port of its host's public address: unique per host, not across hosts.
ALTER TABLE instances ADD COLUMN compute_host VARCHAR(255);
DROP INDEX ux_instances_public_port;
CREATE TABLE compute_hosts (
    name VARCHAR(255) PRIMARY KEY,
    instances INT NOT NULL,
    updated_at ${timestamp} NOT NULL
);
