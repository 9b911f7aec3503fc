-- The tenant's data the operations work on (SPEC §3, §5). Ids are UUID text, times Unix
-- milliseconds, JSON as text — as everywhere in this schema.

-- How to reach a tenant's provider. The client secret is sealed (AES-256-GCM under the server's
-- secrets key): `secret_sealed` is base64 of nonce ‖ ciphertext ‖ tag.
CREATE TABLE tenant_connections (
    tenant_id      TEXT PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
    directory_id   TEXT NOT NULL,
    client_id      TEXT NOT NULL,
    secret_sealed  TEXT NOT NULL,
    login_url      TEXT NOT NULL,
    graph_url      TEXT NOT NULL,
    updated_at     BIGINT NOT NULL
);

CREATE TABLE policies (
    id                TEXT PRIMARY KEY,
    tenant_id         TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    external_id       TEXT NOT NULL,
    kind              TEXT NOT NULL,
    name              TEXT NOT NULL,
    ignored           BOOLEAN NOT NULL DEFAULT FALSE,
    provider_version  BIGINT NOT NULL,
    last_modified     TEXT,
    last_synced_at    BIGINT NOT NULL,
    UNIQUE (tenant_id, external_id)
);
CREATE INDEX policies_tenant_name ON policies (tenant_id, name, id);

-- What a policy looked like at each provider version inventory sync saw.
CREATE TABLE policy_versions (
    id                TEXT PRIMARY KEY,
    policy_id         TEXT NOT NULL REFERENCES policies (id) ON DELETE CASCADE,
    provider_version  BIGINT NOT NULL,
    snapshot          TEXT NOT NULL,
    captured_at       BIGINT NOT NULL,
    UNIQUE (policy_id, provider_version)
);

CREATE TABLE directory_groups (
    id              TEXT PRIMARY KEY,
    tenant_id       TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    external_id     TEXT NOT NULL,
    name            TEXT NOT NULL,
    description     TEXT,
    last_synced_at  BIGINT NOT NULL,
    UNIQUE (tenant_id, external_id)
);
CREATE INDEX directory_groups_tenant_name ON directory_groups (tenant_id, name, id);

CREATE TABLE backup_schedules (
    id                TEXT PRIMARY KEY,
    tenant_id         TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    name              TEXT NOT NULL,
    cron              TEXT NOT NULL,
    -- JSON: {"all": true} | {"kinds": [...]} | {"policy_ids": [...]}
    policy_selection  TEXT NOT NULL,
    keep_last         BIGINT NOT NULL CHECK (keep_last >= 1),
    enabled           BOOLEAN NOT NULL,
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL
);

CREATE TABLE backup_sets (
    id              TEXT PRIMARY KEY,
    tenant_id       TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    schedule_id     TEXT REFERENCES backup_schedules (id) ON DELETE SET NULL,
    name            TEXT NOT NULL,
    -- The run that made it: a rerun after a rescue finds its set instead of making another.
    created_by_run  TEXT UNIQUE,
    created_at      BIGINT NOT NULL
);
CREATE INDEX backup_sets_tenant_created ON backup_sets (tenant_id, created_at DESC, id DESC);

CREATE TABLE backup_items (
    id                TEXT PRIMARY KEY,
    backup_set_id     TEXT NOT NULL REFERENCES backup_sets (id) ON DELETE CASCADE,
    policy_id         TEXT NOT NULL REFERENCES policies (id) ON DELETE CASCADE,
    provider_version  BIGINT NOT NULL,
    snapshot          TEXT NOT NULL,
    captured_at       BIGINT NOT NULL,
    UNIQUE (backup_set_id, policy_id)
);

CREATE TABLE restore_runs (
    id               TEXT PRIMARY KEY,
    tenant_id        TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    backup_set_id    TEXT REFERENCES backup_sets (id) ON DELETE SET NULL,
    name             TEXT NOT NULL,
    archived         BOOLEAN NOT NULL DEFAULT FALSE,
    executed_at      BIGINT,
    created_at       BIGINT NOT NULL
);
CREATE INDEX restore_runs_tenant_created ON restore_runs (tenant_id, created_at DESC, id DESC);

-- A policy export's file, written by its run.
CREATE TABLE exports (
    id          TEXT PRIMARY KEY,
    tenant_id   TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    run_id      TEXT NOT NULL UNIQUE REFERENCES operation_runs (id) ON DELETE CASCADE,
    file_name   TEXT NOT NULL,
    path        TEXT NOT NULL,
    bytes       BIGINT NOT NULL,
    created_at  BIGINT NOT NULL
);

CREATE INDEX audit_log_tenant_at ON audit_log (tenant_id, at DESC, id DESC);
