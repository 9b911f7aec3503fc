-- Named leases: at most one holder per name until it expires (one scheduler at a time across
-- every process on the database). Times are Unix milliseconds.
CREATE TABLE leases (
    name        TEXT PRIMARY KEY,
    holder      TEXT NOT NULL,
    expires_at  BIGINT NOT NULL
);
