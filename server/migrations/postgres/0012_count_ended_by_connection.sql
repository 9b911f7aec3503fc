-- The overview's daily counts were sharded by the run id's last hex digit. A batch of
-- completions touches most of the 16 shards, in the order the runs ended, so two writers
-- committing batches at once waited on each other's shards and deadlocked (PostgreSQL breaks
-- the cycle only after `deadlock_timeout`, a second). Now the shard is the connection's: a
-- connection's completions only ever wait on another connection that has the same shard
-- (backend pid mod 16), and never on a transaction that waits on them. Readers sum the
-- shards as before; the rows already counted stay where they are.
CREATE OR REPLACE FUNCTION opsux_count_ended() RETURNS trigger AS $$
BEGIN
    INSERT INTO run_outcomes_daily (tenant_id, day, outcome, shard, runs)
    VALUES (NEW.tenant_id, NEW.completed_at / 86400000, NEW.outcome,
            to_hex(pg_backend_pid() % 16), 1)
    ON CONFLICT (tenant_id, day, outcome, shard)
    DO UPDATE SET runs = run_outcomes_daily.runs + 1;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;
