-- Configuration groups. The parameter catalogue of each datastore version is loaded from its plugin's data file
-- when the version is registered, so the API validates groups without the guest agent.
CREATE TABLE datastore_parameters (
    datastore_version_id VARCHAR(36) NOT NULL REFERENCES datastore_versions(id) ON DELETE CASCADE,
    name VARCHAR(128) NOT NULL,
    data_type VARCHAR(16) NOT NULL,
    min_value VARCHAR(40),
    max_value VARCHAR(40),
    restart_required BOOLEAN NOT NULL,
    allowed_values VARCHAR(4000),
    PRIMARY KEY (datastore_version_id, name)
);

CREATE TABLE configurations (
    id VARCHAR(36) PRIMARY KEY,
    project_id VARCHAR(64) NOT NULL,
    name VARCHAR(255) NOT NULL,
    description VARCHAR(255),
    datastore_version_id VARCHAR(36) NOT NULL REFERENCES datastore_versions(id),
    created TIMESTAMP NOT NULL,
    updated TIMESTAMP NOT NULL
);
CREATE INDEX ix_configurations_project ON configurations(project_id);

-- One row per parameter; the value is its JSON text, so its type survives.
CREATE TABLE configuration_values (
    configuration_id VARCHAR(36) NOT NULL REFERENCES configurations(id) ON DELETE CASCADE,
    name VARCHAR(128) NOT NULL,
    json_value VARCHAR(1024) NOT NULL,
    PRIMARY KEY (configuration_id, name)
);

ALTER TABLE instances ADD COLUMN configuration_id VARCHAR(36);
CREATE INDEX ix_instances_configuration ON instances(configuration_id);
