-- Earlier titles, categories and tags of a topic, kept when its author or a
-- moderator changes them after publishing.
CREATE TABLE topic_versions (
    id          INTEGER PRIMARY KEY,
    topic_id    INTEGER NOT NULL REFERENCES topics (id) ON DELETE CASCADE,
    title       TEXT NOT NULL,
    category_id INTEGER NOT NULL REFERENCES categories (id),
    tags        TEXT NOT NULL DEFAULT '', -- comma-separated, as they were
    editor_id   INTEGER REFERENCES users (id),
    created_at  DATETIME NOT NULL -- when they were replaced
);
CREATE INDEX topic_versions_topic ON topic_versions (topic_id, id);
