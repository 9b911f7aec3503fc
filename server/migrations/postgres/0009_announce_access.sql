-- A change of someone's access is announced on `opsux_events` like the run changes (0002), so
-- every process ends that person's open streams at once — however the change was made, the
-- command line included (R21):
--   a <user>   a membership of theirs changed or ended, they were disabled or enabled, or a
--              session of theirs ended
-- (On SQLite, triggers record the same changes in `access_changes`, which the server reads
-- every second: its migration 0009.)

CREATE FUNCTION opsux_announce_access() RETURNS trigger AS $$
BEGIN
    IF TG_TABLE_NAME = 'users' THEN
        IF NEW.disabled_at IS DISTINCT FROM OLD.disabled_at THEN
            PERFORM pg_notify('opsux_events', 'a ' || NEW.id);
        END IF;
    ELSE
        PERFORM pg_notify('opsux_events', 'a ' || OLD.user_id);
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER memberships_announce_access
    AFTER UPDATE OR DELETE ON memberships
    FOR EACH ROW EXECUTE FUNCTION opsux_announce_access();

CREATE TRIGGER sessions_announce_access
    AFTER DELETE ON sessions
    FOR EACH ROW EXECUTE FUNCTION opsux_announce_access();

CREATE TRIGGER users_announce_access
    AFTER UPDATE OF disabled_at ON users
    FOR EACH ROW EXECUTE FUNCTION opsux_announce_access();
