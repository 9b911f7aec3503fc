-- Webhooks: where a tenant's owners want to hear how its runs ended, and the outbox of what
-- is owed them. A delivery row is written in the terminal transition's transaction, one per
-- run and matching endpoint (unique), and sent by a deliverer until a 2xx answer or the end
-- of its retries.
CREATE TABLE webhook_endpoints (
    id             TEXT PRIMARY KEY,
    tenant_id      TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    name           TEXT NOT NULL,
    url            TEXT NOT NULL,
    secret         TEXT NOT NULL,            -- `whsec_…`, sealed with the secrets key
    previous_secret TEXT,                    -- before the last rotation: also signed with for a day
    rotated_at     BIGINT,
    only_failed    BOOLEAN NOT NULL DEFAULT FALSE,
    only_system    BOOLEAN NOT NULL DEFAULT FALSE,
    types          TEXT,                     -- ',key,key,'; NULL: every type
    created_by     TEXT REFERENCES users (id) ON DELETE SET NULL,
    created_at     BIGINT NOT NULL,
    failing_since  BIGINT,                  -- the first failed attempt since the last 2xx
    paused_at      BIGINT,                  -- set after 24 h of failures; cleared by resuming
    UNIQUE (tenant_id, name)
);

CREATE TABLE webhook_deliveries (
    id               TEXT PRIMARY KEY,       -- its `webhook-id` is `msg_` and this
    endpoint_id      TEXT NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    run_id           TEXT REFERENCES operation_runs (id) ON DELETE CASCADE,  -- NULL: a test event
    event            TEXT NOT NULL CHECK (event IN ('run.ended', 'webhook.test')),
    state            TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'failed')),
    attempts         BIGINT NOT NULL DEFAULT 0,
    next_attempt_at  BIGINT,                -- set exactly while pending
    locked_until     BIGINT,                -- a deliverer is sending it until then
    claim_token      TEXT,                   -- the claim that holds it; its result is recorded only under it
    last_status      BIGINT,                 -- the last answer's HTTP status
    last_error       TEXT,                   -- or why there was none
    created_at       BIGINT NOT NULL,
    ended_at         BIGINT,
    CHECK ((state = 'pending') = (next_attempt_at IS NOT NULL)),
    -- Exactly one delivery per run and endpoint, whatever races or retries happen.
    UNIQUE (endpoint_id, run_id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE state = 'pending';
CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (endpoint_id, created_at DESC);
