-- Built-in identity (Keystone v3 compatible): projects, users, role assignments, tokens.
CREATE TABLE identity_projects (
    id VARCHAR(64) PRIMARY KEY,
    name VARCHAR(64) NOT NULL UNIQUE,
    enabled BOOLEAN NOT NULL,
    created TIMESTAMP NOT NULL
);

CREATE TABLE identity_users (
    id VARCHAR(64) PRIMARY KEY,
    name VARCHAR(255) NOT NULL UNIQUE,
    password_hash VARCHAR(255) NOT NULL,
    enabled BOOLEAN NOT NULL,
    created TIMESTAMP NOT NULL
);

CREATE TABLE identity_role_assignments (
    user_id VARCHAR(64) NOT NULL REFERENCES identity_users(id) ON DELETE CASCADE,
    project_id VARCHAR(64) NOT NULL REFERENCES identity_projects(id) ON DELETE CASCADE,
    role VARCHAR(32) NOT NULL,
    PRIMARY KEY (user_id, project_id, role)
);

-- Only a hash of each token is kept, so a copy of the store gives no usable token.
CREATE TABLE identity_tokens (
    token_hash VARCHAR(64) PRIMARY KEY,
    user_id VARCHAR(64) NOT NULL,
    project_id VARCHAR(64) NOT NULL,
    issued_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    revoked BOOLEAN NOT NULL
);
CREATE INDEX ix_identity_tokens_expiry ON identity_tokens(expires_at);
