-- Changes of someone's access — a membership changed or ended, a user disabled or enabled, a
-- session ended — left here by triggers, so the server process hears those another process
-- made (the console) and ends that person's open streams within a second (R21). PostgreSQL
-- announces the same changes with NOTIFY instead (its migration 0009). Rows are swept after a
-- day.

CREATE TABLE access_changes (
    seq      INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id  TEXT NOT NULL,
    at       INTEGER NOT NULL
);

CREATE TRIGGER memberships_access_ended AFTER DELETE ON memberships
BEGIN
    INSERT INTO access_changes (user_id, at)
    VALUES (OLD.user_id, CAST(unixepoch('subsec') * 1000 AS INTEGER));
END;

CREATE TRIGGER memberships_access_changed AFTER UPDATE OF role ON memberships
BEGIN
    INSERT INTO access_changes (user_id, at)
    VALUES (OLD.user_id, CAST(unixepoch('subsec') * 1000 AS INTEGER));
END;

CREATE TRIGGER sessions_access_ended AFTER DELETE ON sessions
BEGIN
    INSERT INTO access_changes (user_id, at)
    VALUES (OLD.user_id, CAST(unixepoch('subsec') * 1000 AS INTEGER));
END;

CREATE TRIGGER users_access_changed AFTER UPDATE OF disabled_at ON users
WHEN NEW.disabled_at IS NOT OLD.disabled_at
BEGIN
    INSERT INTO access_changes (user_id, at)
    VALUES (NEW.id, CAST(unixepoch('subsec') * 1000 AS INTEGER));
END;
