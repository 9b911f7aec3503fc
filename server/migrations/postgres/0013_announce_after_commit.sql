-- Run changes and new notifications are announced by the run service's writer right after
-- each commit (see `store/announce.rs`), no longer by triggers inside the committing
-- transaction: PostgreSQL serializes the commits of transactions that NOTIFY, so the triggers
-- put every run transition of every process in one line. Marking notifications read is still
-- announced by its trigger (a person's action, not the hot path).
DROP TRIGGER operation_runs_announce ON operation_runs;
DROP TRIGGER notifications_announce ON notifications;
DROP FUNCTION opsux_announce_run();

CREATE TRIGGER notifications_announce_read
    AFTER UPDATE ON notifications
    FOR EACH ROW EXECUTE FUNCTION opsux_announce_notification();
