-- The character sets and collations (PostgreSQL: encodings and locales) each datastore version's server build
-- offers, read from the build once when the version is registered, so the API refuses an unknown one when a
-- request arrives, before anything is built.
CREATE TABLE datastore_charsets (
    datastore_version_id VARCHAR(36) NOT NULL REFERENCES datastore_versions(id) ON DELETE CASCADE,
    kind VARCHAR(16) NOT NULL,
    name VARCHAR(128) NOT NULL,
    character_set VARCHAR(64),
    is_default BOOLEAN NOT NULL,
    PRIMARY KEY (datastore_version_id, kind, name)
);
