-- Tenant API tokens: how another service starts runs on a person's behalf and works runs over
-- HTTP. Only the SHA-256 of a token is kept; a token is bound to its tenant, its scopes and,
-- when `types` is set, those operation types. Revoking keeps the row (for the audit trail's
-- sake and so a name can be reused at once).
CREATE TABLE api_tokens (
    id            TEXT PRIMARY KEY,
    tenant_id     TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    name          TEXT NOT NULL,
    token_hash    TEXT NOT NULL UNIQUE,
    scopes        TEXT NOT NULL,  -- space-separated: runs:start runs:work
    types         TEXT,           -- space-separated operation type keys; NULL: every type
    created_by    TEXT REFERENCES users (id) ON DELETE SET NULL,
    created_at    INTEGER NOT NULL,
    expires_at    INTEGER,
    revoked_at    INTEGER
);

-- One live token of a name per tenant: `token revoke --name` means one token.
CREATE UNIQUE INDEX api_tokens_live_name ON api_tokens (tenant_id, name) WHERE revoked_at IS NULL;
