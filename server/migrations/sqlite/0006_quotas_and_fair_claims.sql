-- Start quotas count a tenant's and a person's active runs; the fair claim looks at each
-- tenant's queue and running count. Partial indexes: only active rows are ever counted.
CREATE INDEX operation_runs_tenant_active ON operation_runs (tenant_id, status)
    WHERE status IN ('queued', 'running');
CREATE INDEX operation_runs_initiator_active ON operation_runs (initiator_user_id)
    WHERE status IN ('queued', 'running');
CREATE INDEX operation_runs_tenant_queue ON operation_runs (tenant_id, created_at, id)
    WHERE status = 'queued';
