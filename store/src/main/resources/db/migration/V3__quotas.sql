-- Per-project quota overrides; absent rows mean the configured default applies.
CREATE TABLE quotas (
    project_id VARCHAR(64) NOT NULL,
    resource VARCHAR(32) NOT NULL,
    hard_limit INT NOT NULL,
    PRIMARY KEY (project_id, resource)
);

-- One row per project, locked while a create checks and takes quota, so concurrent creates cannot both pass.
CREATE TABLE quota_locks (
    project_id VARCHAR(64) PRIMARY KEY
);
