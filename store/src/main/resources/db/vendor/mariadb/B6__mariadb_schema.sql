-- The schema of versions 1 to 6 for MariaDB, as one Flyway baseline migration: a new MariaDB store starts here,
-- then takes the shared migrations after 6 from db/migration. V1 to V6 themselves stay as they were released (H2
-- and PostgreSQL stores hold their checksums); their SQL does not run on MariaDB (VARCHAR(65535) is larger than a
-- row may be, TIMESTAMP keeps whole seconds only, converts to the session's zone and ends in 2038).
--
-- MariaDB's forms of the shared types: instants are DATETIME(6) (microseconds, as TIMESTAMP on H2 and PostgreSQL;
-- the store writes them in UTC), long text is MEDIUMTEXT, BOOLEAN is TINYINT(1).
--
-- Every table of the store compares and sorts text byte by byte, trailing spaces included, as H2 and PostgreSQL
-- do: the database's default becomes utf8mb4 with the utf8mb4_nopad_bin collation, so later migrations' tables get
-- it too (a database made with CREATE DATABASE and the server's defaults is latin1 and case-insensitive).
ALTER DATABASE CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin;

CREATE TABLE datastores (
    id VARCHAR(36) NOT NULL PRIMARY KEY,
    name VARCHAR(255) NOT NULL UNIQUE,
    manager VARCHAR(64) NOT NULL,
    default_version_id VARCHAR(36)
) ENGINE=InnoDB;

CREATE TABLE datastore_versions (
    id VARCHAR(36) NOT NULL PRIMARY KEY,
    datastore_id VARCHAR(36) NOT NULL,
    name VARCHAR(255) NOT NULL,
    version VARCHAR(64) NOT NULL,
    manager VARCHAR(64) NOT NULL,
    active BOOLEAN NOT NULL,
    build_source VARCHAR(512) NOT NULL,
    bin_dir VARCHAR(1024) NOT NULL,
    base_dir VARCHAR(1024) NOT NULL,
    created DATETIME(6) NOT NULL,
    CONSTRAINT uq_version_name UNIQUE (datastore_id, name),
    CONSTRAINT fk_versions_datastore FOREIGN KEY (datastore_id) REFERENCES datastores(id)
) ENGINE=InnoDB;

CREATE TABLE flavors (
    id VARCHAR(64) NOT NULL PRIMARY KEY,
    name VARCHAR(255) NOT NULL UNIQUE,
    ram INT NOT NULL,
    vcpus INT NOT NULL,
    disk INT NOT NULL,
    ephemeral INT NOT NULL
) ENGINE=InnoDB;

CREATE TABLE instances (
    id VARCHAR(36) NOT NULL PRIMARY KEY,
    project_id VARCHAR(64) NOT NULL,
    name VARCHAR(255) NOT NULL,
    flavor_id VARCHAR(64) NOT NULL,
    datastore_version_id VARCHAR(36) NOT NULL,
    volume_size INT NOT NULL,
    address VARCHAR(45),
    address_index INT UNIQUE,
    task_status VARCHAR(40) NOT NULL,
    fault_message VARCHAR(4000),
    fault_created DATETIME(6),
    created DATETIME(6) NOT NULL,
    updated DATETIME(6) NOT NULL,
    deleted BOOLEAN NOT NULL DEFAULT FALSE,
    deleted_at DATETIME(6),
    configuration_id VARCHAR(36),
    CONSTRAINT fk_instances_version FOREIGN KEY (datastore_version_id) REFERENCES datastore_versions(id)
) ENGINE=InnoDB;
CREATE INDEX ix_instances_project ON instances(project_id, deleted);
CREATE INDEX ix_instances_configuration ON instances(configuration_id);

CREATE TABLE service_statuses (
    instance_id VARCHAR(36) NOT NULL PRIMARY KEY,
    status VARCHAR(40) NOT NULL,
    updated_at DATETIME(6) NOT NULL
) ENGINE=InnoDB;

CREATE TABLE conductor_lastseen (
    instance_id VARCHAR(36) NOT NULL,
    method_name VARCHAR(64) NOT NULL,
    sent DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (instance_id, method_name)
) ENGINE=InnoDB;

CREATE TABLE tasks (
    id VARCHAR(36) NOT NULL PRIMARY KEY,
    instance_id VARCHAR(36) NOT NULL,
    task_type VARCHAR(40) NOT NULL,
    step VARCHAR(40) NOT NULL,
    state VARCHAR(20) NOT NULL,
    payload MEDIUMTEXT NOT NULL,
    error VARCHAR(4000),
    created DATETIME(6) NOT NULL,
    updated DATETIME(6) NOT NULL,
    lease_owner VARCHAR(128),
    lease_until DATETIME(6),
    attempt INT DEFAULT 0 NOT NULL,
    next_run_at DATETIME(6),
    step_started DATETIME(6),
    outputs MEDIUMTEXT,
    fault_status INT
) ENGINE=InnoDB;
CREATE INDEX ix_tasks_state ON tasks(state);
CREATE INDEX ix_tasks_due ON tasks(state, next_run_at);
CREATE INDEX ix_tasks_instance ON tasks(instance_id, state);

CREATE TABLE root_history (
    instance_id VARCHAR(36) NOT NULL PRIMARY KEY,
    enabled_at DATETIME(6) NOT NULL,
    user_name VARCHAR(64) NOT NULL
) ENGINE=InnoDB;

CREATE TABLE identity_projects (
    id VARCHAR(64) NOT NULL PRIMARY KEY,
    name VARCHAR(64) NOT NULL UNIQUE,
    enabled BOOLEAN NOT NULL,
    created DATETIME(6) NOT NULL
) ENGINE=InnoDB;

CREATE TABLE identity_users (
    id VARCHAR(64) NOT NULL PRIMARY KEY,
    name VARCHAR(255) NOT NULL UNIQUE,
    password_hash VARCHAR(255) NOT NULL,
    enabled BOOLEAN NOT NULL,
    created DATETIME(6) NOT NULL
) ENGINE=InnoDB;

CREATE TABLE identity_role_assignments (
    user_id VARCHAR(64) NOT NULL,
    project_id VARCHAR(64) NOT NULL,
    role VARCHAR(32) NOT NULL,
    PRIMARY KEY (user_id, project_id, role),
    CONSTRAINT fk_roles_user FOREIGN KEY (user_id) REFERENCES identity_users(id) ON DELETE CASCADE,
    CONSTRAINT fk_roles_project FOREIGN KEY (project_id) REFERENCES identity_projects(id) ON DELETE CASCADE
) ENGINE=InnoDB;

CREATE TABLE identity_tokens (
    token_hash VARCHAR(64) NOT NULL PRIMARY KEY,
    user_id VARCHAR(64) NOT NULL,
    project_id VARCHAR(64) NOT NULL,
    issued_at DATETIME(6) NOT NULL,
    expires_at DATETIME(6) NOT NULL,
    revoked BOOLEAN NOT NULL
) ENGINE=InnoDB;
CREATE INDEX ix_identity_tokens_expiry ON identity_tokens(expires_at);

CREATE TABLE quotas (
    project_id VARCHAR(64) NOT NULL,
    resource VARCHAR(32) NOT NULL,
    hard_limit INT NOT NULL,
    PRIMARY KEY (project_id, resource)
) ENGINE=InnoDB;

CREATE TABLE quota_locks (
    project_id VARCHAR(64) NOT NULL PRIMARY KEY
) ENGINE=InnoDB;

CREATE TABLE backups (
    id VARCHAR(36) NOT NULL PRIMARY KEY,
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
    meta MEDIUMTEXT,
    fault VARCHAR(4000),
    created DATETIME(6) NOT NULL,
    updated DATETIME(6) NOT NULL,
    deleted BOOLEAN NOT NULL DEFAULT FALSE
) ENGINE=InnoDB;
CREATE INDEX ix_backups_project ON backups(project_id, deleted);
CREATE INDEX ix_backups_instance ON backups(instance_id, deleted);
CREATE INDEX ix_backups_parent ON backups(parent_id);

CREATE TABLE datastore_parameters (
    datastore_version_id VARCHAR(36) NOT NULL,
    name VARCHAR(128) NOT NULL,
    data_type VARCHAR(16) NOT NULL,
    min_value VARCHAR(40),
    max_value VARCHAR(40),
    restart_required BOOLEAN NOT NULL,
    allowed_values VARCHAR(4000),
    PRIMARY KEY (datastore_version_id, name),
    CONSTRAINT fk_parameters_version FOREIGN KEY (datastore_version_id) REFERENCES datastore_versions(id)
        ON DELETE CASCADE
) ENGINE=InnoDB;

CREATE TABLE configurations (
    id VARCHAR(36) NOT NULL PRIMARY KEY,
    project_id VARCHAR(64) NOT NULL,
    name VARCHAR(255) NOT NULL,
    description VARCHAR(255),
    datastore_version_id VARCHAR(36) NOT NULL,
    created DATETIME(6) NOT NULL,
    updated DATETIME(6) NOT NULL,
    CONSTRAINT fk_configurations_version FOREIGN KEY (datastore_version_id) REFERENCES datastore_versions(id)
) ENGINE=InnoDB;
CREATE INDEX ix_configurations_project ON configurations(project_id);

CREATE TABLE configuration_values (
    configuration_id VARCHAR(36) NOT NULL,
    name VARCHAR(128) NOT NULL,
    json_value VARCHAR(1024) NOT NULL,
    PRIMARY KEY (configuration_id, name),
    CONSTRAINT fk_values_configuration FOREIGN KEY (configuration_id) REFERENCES configurations(id)
        ON DELETE CASCADE
) ENGINE=InnoDB;

CREATE TABLE guest_operations (
    id VARCHAR(36) NOT NULL PRIMARY KEY,
    instance_id VARCHAR(36) NOT NULL,
    method VARCHAR(40) NOT NULL,
    state VARCHAR(20) NOT NULL,
    status INT,
    message VARCHAR(4000),
    result MEDIUMTEXT,
    reported_at DATETIME(6) NOT NULL
) ENGINE=InnoDB;
CREATE INDEX ix_guest_operations_instance ON guest_operations(instance_id);
