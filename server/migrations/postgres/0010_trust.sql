-- A schedule says why it last skipped a slot; an audit entry names the run that made the
-- change it records.

-- When the scheduler last skipped one of the schedule's slots, and why (the scheduled share
-- of the tenant's active runs was full). Cleared when a slot fires.
ALTER TABLE backup_schedules ADD COLUMN skipped_at BIGINT;
ALTER TABLE backup_schedules ADD COLUMN skip_reason TEXT;

-- The run whose work the entry records (a retention, a restore…). No foreign key: runs are
-- pruned, and the log is append-only, so it keeps the id after the run is gone.
ALTER TABLE audit_log ADD COLUMN run_id TEXT;
