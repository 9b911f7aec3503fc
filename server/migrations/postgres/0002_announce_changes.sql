-- Every committed change that a stream shows is announced on the `opsux_events` channel, so
-- each server process (not only the one that made it) can tell its subscribers. NOTIFY is
-- transactional: nothing is announced before the commit, a rolled-back change never.
--   r <run id> <version>       a run was created or changed (not on lease renewals)
--   n <notification id> <user> a notification was written
--   m <user>                   some of a user's notifications were marked read
-- Identical payloads within one transaction are delivered once.

CREATE FUNCTION opsux_announce_run() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'INSERT' OR NEW.version <> OLD.version THEN
        PERFORM pg_notify('opsux_events', 'r ' || NEW.id || ' ' || NEW.version);
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER operation_runs_announce
    AFTER INSERT OR UPDATE ON operation_runs
    FOR EACH ROW EXECUTE FUNCTION opsux_announce_run();

CREATE FUNCTION opsux_announce_notification() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM pg_notify('opsux_events', 'n ' || NEW.id || ' ' || NEW.user_id);
    ELSIF NEW.read_at IS DISTINCT FROM OLD.read_at THEN
        PERFORM pg_notify('opsux_events', 'm ' || NEW.user_id);
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER notifications_announce
    AFTER INSERT OR UPDATE ON notifications
    FOR EACH ROW EXECUTE FUNCTION opsux_announce_notification();
