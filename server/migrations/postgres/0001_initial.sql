-- opsux schema, PostgreSQL dialect: the same tables, constraints and indexes as the SQLite
-- schema, so one statement text serves both. Times are Unix milliseconds (UTC, BIGINT); ids
-- are UUID text; JSON columns hold JSON text.

CREATE TABLE workspaces (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);

CREATE TABLE tenants (
    id            TEXT PRIMARY KEY,
    workspace_id  TEXT NOT NULL REFERENCES workspaces (id),
    slug          TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    created_at    BIGINT NOT NULL
);

CREATE TABLE users (
    id             TEXT PRIMARY KEY,
    email          TEXT NOT NULL,
    display_name   TEXT NOT NULL,
    password_hash  TEXT NOT NULL,
    created_at     BIGINT NOT NULL
);
-- E-mail addresses are unique whatever their case (SQLite: COLLATE NOCASE).
CREATE UNIQUE INDEX users_email ON users (lower(email));

CREATE TABLE memberships (
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    tenant_id  TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    role       TEXT NOT NULL CHECK (role IN ('owner', 'operator', 'reader')),
    PRIMARY KEY (user_id, tenant_id)
);

-- The cookie carries a random token; only its SHA-256 is stored.
CREATE TABLE sessions (
    token_hash  TEXT PRIMARY KEY,
    user_id     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE operation_runs (
    id                 TEXT PRIMARY KEY,
    workspace_id       TEXT NOT NULL REFERENCES workspaces (id),
    tenant_id          TEXT NOT NULL REFERENCES tenants (id),
    initiator_user_id  TEXT REFERENCES users (id),
    type               TEXT NOT NULL,
    identity           TEXT NOT NULL,
    status             TEXT NOT NULL CHECK (status IN ('queued', 'running', 'completed')),
    outcome            TEXT CHECK (outcome IN ('succeeded', 'partially_succeeded', 'failed', 'cancelled')),
    created_at         BIGINT NOT NULL,
    started_at         BIGINT,
    completed_at       BIGINT,
    summary_counts     TEXT NOT NULL DEFAULT '{}',
    failure_summary    TEXT NOT NULL DEFAULT '{}',
    context            TEXT NOT NULL DEFAULT '{}',
    message            TEXT,
    reason_code        TEXT,
    attempt            BIGINT NOT NULL DEFAULT 0,
    max_attempts       BIGINT NOT NULL,
    cancel_requested   BOOLEAN NOT NULL DEFAULT FALSE,
    lease_token        TEXT,
    lease_expires_at   BIGINT,
    version            BIGINT NOT NULL DEFAULT 1,
    -- Outcome is set exactly when the run is completed (R1).
    CHECK ((status = 'completed') = (outcome IS NOT NULL)),
    -- Only a running run holds a lease.
    CHECK ((status = 'running') = (lease_token IS NOT NULL))
);

-- R4: at most one active run per (tenant, type, identity); the database decides.
CREATE UNIQUE INDEX operation_runs_active_identity
    ON operation_runs (tenant_id, type, identity)
    WHERE status IN ('queued', 'running');

CREATE INDEX operation_runs_tenant_created ON operation_runs (tenant_id, created_at DESC, id DESC);
CREATE INDEX operation_runs_queue ON operation_runs (created_at, id) WHERE status = 'queued';
CREATE INDEX operation_runs_leases ON operation_runs (lease_expires_at) WHERE status = 'running';

CREATE TABLE notifications (
    id          TEXT PRIMARY KEY,
    user_id     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    tenant_id   TEXT NOT NULL REFERENCES tenants (id),
    run_id      TEXT NOT NULL REFERENCES operation_runs (id) ON DELETE CASCADE,
    kind        TEXT NOT NULL CHECK (kind = 'run_completed'),
    outcome     TEXT NOT NULL,
    title       TEXT NOT NULL,
    body        TEXT NOT NULL,
    action_url  TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    read_at     BIGINT,
    -- R2: exactly one terminal notification per run, whatever races or retries happen.
    UNIQUE (run_id, kind)
);
CREATE INDEX notifications_user_created ON notifications (user_id, created_at DESC);

CREATE TABLE audit_log (
    id             TEXT PRIMARY KEY,
    at             BIGINT NOT NULL,
    actor_user_id  TEXT REFERENCES users (id),
    tenant_id      TEXT REFERENCES tenants (id),
    action         TEXT NOT NULL,
    before         TEXT,
    after          TEXT
);
