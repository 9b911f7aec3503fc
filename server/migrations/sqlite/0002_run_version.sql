-- Every change to a run increments its version, so clients can drop events that arrive out of
-- order (two writers may publish after their commits in either order).
ALTER TABLE operation_runs ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
