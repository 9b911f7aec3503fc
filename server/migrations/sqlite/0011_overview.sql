-- The tenant overview: how many runs ended each (UTC) day with each outcome, kept by triggers
-- in the transaction of the transition that ends the run, so the 30-day chart reads at most
-- 30 × 4 × 16 rows however many runs the tenant has.
--
-- `shard` is the run id's last hex digit: on PostgreSQL, concurrent completions in one tenant
-- update 16 rows instead of queueing on one row's lock (SQLite writes one at a time anyway;
-- both backends share the table's shape).
CREATE TABLE run_outcomes_daily (
    tenant_id  TEXT NOT NULL,
    day        INTEGER NOT NULL,  -- days since 1970-01-01, UTC
    outcome    TEXT NOT NULL,
    shard      TEXT NOT NULL,
    runs       INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, day, outcome, shard)
) WITHOUT ROWID;

INSERT INTO run_outcomes_daily (tenant_id, day, outcome, shard, runs)
SELECT tenant_id, completed_at / 86400000, outcome, substr(id, 36, 1), COUNT(*)
FROM operation_runs
WHERE status = 'completed'
GROUP BY tenant_id, completed_at / 86400000, outcome, substr(id, 36, 1);

CREATE TRIGGER operation_runs_count_ended AFTER UPDATE OF status ON operation_runs
WHEN NEW.status = 'completed' AND OLD.status <> 'completed'
BEGIN
    INSERT INTO run_outcomes_daily (tenant_id, day, outcome, shard, runs)
    VALUES (NEW.tenant_id, NEW.completed_at / 86400000, NEW.outcome, substr(NEW.id, 36, 1), 1)
    ON CONFLICT (tenant_id, day, outcome, shard) DO UPDATE SET runs = runs + 1;
END;

-- Runs stored already ended (imports, benchmarks) count too.
CREATE TRIGGER operation_runs_count_stored_ended AFTER INSERT ON operation_runs
WHEN NEW.status = 'completed'
BEGIN
    INSERT INTO run_outcomes_daily (tenant_id, day, outcome, shard, runs)
    VALUES (NEW.tenant_id, NEW.completed_at / 86400000, NEW.outcome, substr(NEW.id, 36, 1), 1)
    ON CONFLICT (tenant_id, day, outcome, shard) DO UPDATE SET runs = runs + 1;
END;

-- The last ended run of each type, and the failures of the last days, without a scan.
CREATE INDEX operation_runs_tenant_type_ended
    ON operation_runs (tenant_id, type, completed_at DESC) WHERE status = 'completed';
CREATE INDEX operation_runs_tenant_failures
    ON operation_runs (tenant_id, completed_at DESC)
    WHERE status = 'completed' AND outcome IN ('failed', 'partially_succeeded');
