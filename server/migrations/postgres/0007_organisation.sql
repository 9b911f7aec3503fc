-- An organisation's own set-up (SPEC §9), PostgreSQL dialect: users who can be disabled, the
-- workspace's owners, invitations, failed sign-ins counted per account, and an audit log that
-- also records workspace changes (with no tenant), made by a person, the console or the system,
-- and that the database itself keeps append-only (R19, R21).

ALTER TABLE users ADD COLUMN disabled_at BIGINT;
ALTER TABLE users ADD COLUMN last_sign_in_at BIGINT;

-- Who may add tenants and see the workspace's own audit entries.
CREATE TABLE workspace_owners (
    workspace_id  TEXT NOT NULL REFERENCES workspaces (id),
    user_id       TEXT NOT NULL REFERENCES users (id),
    created_at    BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, user_id)
);

-- A single-use link to join a tenant; only the SHA-256 of its token is stored.
CREATE TABLE invitations (
    id           TEXT PRIMARY KEY,
    tenant_id    TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    email        TEXT NOT NULL,
    role         TEXT NOT NULL CHECK (role IN ('owner', 'operator', 'reader')),
    token_hash   TEXT NOT NULL UNIQUE,
    created_by   TEXT REFERENCES users (id),
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    accepted_at  BIGINT,
    revoked_at   BIGINT
);
CREATE INDEX invitations_tenant_created ON invitations (tenant_id, created_at DESC, id DESC);

-- Failed sign-ins of an account not yet written to the audit log: counted here, recorded as
-- one audit entry at most every few minutes (not one row per attempt).
CREATE TABLE sign_in_failures (
    user_id      TEXT PRIMARY KEY REFERENCES users (id),
    pending      BIGINT NOT NULL,
    recorded_at  BIGINT NOT NULL
);

ALTER TABLE audit_log ADD COLUMN workspace_id TEXT REFERENCES workspaces (id);
-- Who acted when it was not a person: `cli (OS user)` or `system`.
ALTER TABLE audit_log ADD COLUMN actor_label TEXT;
CREATE INDEX audit_log_workspace_at ON audit_log (workspace_id, at DESC, id DESC)
    WHERE tenant_id IS NULL;

CREATE FUNCTION opsux_audit_log_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only';
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER audit_log_no_update_or_delete
    BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION opsux_audit_log_append_only();

CREATE TRIGGER audit_log_no_truncate
    BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION opsux_audit_log_append_only();
