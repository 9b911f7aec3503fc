-- Sign-in with the organisation's OpenID Connect provider (R22), SQLite dialect: a user is
-- linked to the provider's subject the first time they sign in with it (matched by verified
-- e-mail), and each sign-in in flight keeps its PKCE verifier and nonce here, by the hash of its
-- `state`, for the few minutes until the provider sends the person back.

ALTER TABLE users ADD COLUMN oidc_issuer TEXT;
ALTER TABLE users ADD COLUMN oidc_subject TEXT;
CREATE UNIQUE INDEX users_oidc_subject ON users (oidc_issuer, oidc_subject)
    WHERE oidc_subject IS NOT NULL;

CREATE TABLE oidc_sign_ins (
    state_hash     TEXT PRIMARY KEY NOT NULL,
    pkce_verifier  TEXT NOT NULL,
    nonce          TEXT NOT NULL,
    next_path      TEXT NOT NULL,
    expires_at     INTEGER NOT NULL
);
