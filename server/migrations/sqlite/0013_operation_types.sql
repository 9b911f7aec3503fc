-- Operation types registered by other services (`opsux operation-type add`): runs of these are
-- started like the built-in ones and done by the service's own workers over HTTP. Removing a
-- type keeps its row (`removed_at`), so its past runs keep their label; adding the key again
-- brings it back with the new definition.
CREATE TABLE operation_types (
    key            TEXT PRIMARY KEY,   -- namespaced: acme.invoice_export
    label          TEXT NOT NULL,
    capability     TEXT NOT NULL,      -- what a person needs to start it: inventory.sync, …
    summary_keys   TEXT NOT NULL,      -- JSON array: the counts its runs may report (R5)
    params_schema  TEXT,               -- JSON Schema its start parameters must meet; NULL: any object
    created_at     INTEGER NOT NULL,
    removed_at     INTEGER
);
