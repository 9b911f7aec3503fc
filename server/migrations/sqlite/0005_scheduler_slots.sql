-- The last slot the scheduler fired for each of its jobs ("schedule:<id>", "prune:<tenant id>"):
-- a slot is taken by one conditional upsert, so duplicate ticks or two schedulers never start
-- the same slot twice. Slots are Unix milliseconds.
CREATE TABLE scheduler_slots (
    name       TEXT PRIMARY KEY,
    last_slot  BIGINT NOT NULL
);
