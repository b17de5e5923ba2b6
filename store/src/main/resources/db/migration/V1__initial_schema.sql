CREATE TABLE datastores (
    id VARCHAR(36) PRIMARY KEY,
    name VARCHAR(255) NOT NULL UNIQUE,
    manager VARCHAR(64) NOT NULL,
    default_version_id VARCHAR(36)
);

CREATE TABLE datastore_versions (
    id VARCHAR(36) PRIMARY KEY,
    datastore_id VARCHAR(36) NOT NULL REFERENCES datastores(id),
    name VARCHAR(255) NOT NULL,
    version VARCHAR(64) NOT NULL,
    manager VARCHAR(64) NOT NULL,
    active BOOLEAN NOT NULL,
    build_source VARCHAR(512) NOT NULL,
    bin_dir VARCHAR(1024) NOT NULL,
    base_dir VARCHAR(1024) NOT NULL,
    created TIMESTAMP NOT NULL,
    CONSTRAINT uq_version_name UNIQUE (datastore_id, name)
);

CREATE TABLE flavors (
    id VARCHAR(64) PRIMARY KEY,
    name VARCHAR(255) NOT NULL UNIQUE,
    ram INT NOT NULL,
    vcpus INT NOT NULL,
    disk INT NOT NULL,
    ephemeral INT NOT NULL
);

CREATE TABLE instances (
    id VARCHAR(36) PRIMARY KEY,
    project_id VARCHAR(64) NOT NULL,
    name VARCHAR(255) NOT NULL,
    flavor_id VARCHAR(64) NOT NULL,
    datastore_version_id VARCHAR(36) NOT NULL REFERENCES datastore_versions(id),
    volume_size INT NOT NULL,
    address VARCHAR(45),
    address_index INT UNIQUE,
    task_status VARCHAR(40) NOT NULL,
    fault_message VARCHAR(4000),
    fault_created TIMESTAMP,
    created TIMESTAMP NOT NULL,
    updated TIMESTAMP NOT NULL,
    deleted BOOLEAN NOT NULL DEFAULT FALSE,
    deleted_at TIMESTAMP
);
CREATE INDEX ix_instances_project ON instances(project_id, deleted);

CREATE TABLE service_statuses (
    instance_id VARCHAR(36) PRIMARY KEY,
    status VARCHAR(40) NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE conductor_lastseen (
    instance_id VARCHAR(36) NOT NULL,
    method_name VARCHAR(64) NOT NULL,
    sent DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (instance_id, method_name)
);

CREATE TABLE tasks (
    id VARCHAR(36) PRIMARY KEY,
    instance_id VARCHAR(36) NOT NULL,
    task_type VARCHAR(40) NOT NULL,
    step VARCHAR(40) NOT NULL,
    state VARCHAR(20) NOT NULL,
    payload VARCHAR(65535) NOT NULL,
    error VARCHAR(4000),
    created TIMESTAMP NOT NULL,
    updated TIMESTAMP NOT NULL
);
CREATE INDEX ix_tasks_state ON tasks(state);

CREATE TABLE root_history (
    instance_id VARCHAR(36) PRIMARY KEY,
    enabled_at TIMESTAMP NOT NULL,
    user_name VARCHAR(64) NOT NULL
);
