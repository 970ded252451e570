-- The outbox becomes a durable event stream: each row says what happened
-- (kind), who did it (actor), what it belongs to (parent: a post's topic),
-- and small typed extras as JSON (data: the members a post mentions…).
-- Each consumer (search, live updates, later notifications) keeps its own
-- position; rows are pruned below the slowest one.
ALTER TABLE outbox ADD COLUMN kind TEXT NOT NULL DEFAULT 'changed';
ALTER TABLE outbox ADD COLUMN actor_id INTEGER;
ALTER TABLE outbox ADD COLUMN parent_type TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox ADD COLUMN parent_id INTEGER NOT NULL DEFAULT 0;
ALTER TABLE outbox ADD COLUMN data TEXT NOT NULL DEFAULT '{}';

CREATE TABLE outbox_consumers (
    name       TEXT PRIMARY KEY,
    cursor     INTEGER NOT NULL, -- last outbox row this consumer has applied
    updated_at DATETIME NOT NULL
);
