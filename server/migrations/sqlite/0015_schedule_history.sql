-- Each backup schedule's history (the Backups page's last runs, `/metrics`' last success): its
-- runs found by the schedule id in their parameters, newest first, without reading the
-- tenant's other runs. Queries must use this exact expression to use the index.
CREATE INDEX operation_runs_schedule
    ON operation_runs (tenant_id, (context ->> '$.params.schedule_id'), created_at DESC)
    WHERE type = 'backup_schedule_run';
