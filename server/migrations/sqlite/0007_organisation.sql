-- An organisation's own set-up (SPEC §9), SQLite dialect: users who can be disabled, the
-- workspace's owners, invitations, failed sign-ins counted per account, and an audit log that
-- also records workspace changes (with no tenant), made by a person, the console or the system,
-- and that the database itself keeps append-only (R19, R21).

ALTER TABLE users ADD COLUMN disabled_at INTEGER;
ALTER TABLE users ADD COLUMN last_sign_in_at INTEGER;

-- Who may add tenants and see the workspace's own audit entries.
CREATE TABLE workspace_owners (
    workspace_id  TEXT NOT NULL REFERENCES workspaces (id),
    user_id       TEXT NOT NULL REFERENCES users (id),
    created_at    INTEGER NOT NULL,
    PRIMARY KEY (workspace_id, user_id)
);

-- A single-use link to join a tenant; only the SHA-256 of its token is stored.
CREATE TABLE invitations (
    id           TEXT PRIMARY KEY NOT NULL,
    tenant_id    TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    email        TEXT NOT NULL,
    role         TEXT NOT NULL CHECK (role IN ('owner', 'operator', 'reader')),
    token_hash   TEXT NOT NULL UNIQUE,
    created_by   TEXT REFERENCES users (id),
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    accepted_at  INTEGER,
    revoked_at   INTEGER
);
CREATE INDEX invitations_tenant_created ON invitations (tenant_id, created_at DESC, id DESC);

-- Failed sign-ins of an account not yet written to the audit log: counted here, recorded as
-- one audit entry at most every few minutes (not one row per attempt).
CREATE TABLE sign_in_failures (
    user_id      TEXT PRIMARY KEY NOT NULL REFERENCES users (id),
    pending      INTEGER NOT NULL,
    recorded_at  INTEGER NOT NULL
);

ALTER TABLE audit_log ADD COLUMN workspace_id TEXT REFERENCES workspaces (id);
-- Who acted when it was not a person: `cli (OS user)` or `system`.
ALTER TABLE audit_log ADD COLUMN actor_label TEXT;
CREATE INDEX audit_log_workspace_at ON audit_log (workspace_id, at DESC, id DESC)
    WHERE tenant_id IS NULL;

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
