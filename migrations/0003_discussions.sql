-- Discussions: topics and their posts, tags, reactions, follows, read marks,
-- drafts, uploads, and the outbox that feeds search and notifications.
CREATE TABLE topics (
    id               INTEGER PRIMARY KEY,
    category_id      INTEGER NOT NULL REFERENCES categories (id),
    author_id        INTEGER NOT NULL REFERENCES users (id),
    title            TEXT NOT NULL,
    slug             TEXT NOT NULL,
    kind             TEXT NOT NULL CHECK (kind IN ('question', 'discussion')),
    pinned           INTEGER NOT NULL DEFAULT 0,
    locked           INTEGER NOT NULL DEFAULT 0,
    merged_into      INTEGER REFERENCES topics (id),
    accepted_post_id INTEGER, -- a post of this topic
    post_count       INTEGER NOT NULL DEFAULT 1, -- posts shown, the opening one included
    last_number      INTEGER NOT NULL DEFAULT 1, -- highest post number ever given
    views            INTEGER NOT NULL DEFAULT 0,
    last_poster_id   INTEGER REFERENCES users (id),
    created_at       DATETIME NOT NULL,
    last_activity_at DATETIME NOT NULL
);
CREATE INDEX topics_activity ON topics (merged_into, last_activity_at DESC, id DESC);
CREATE INDEX topics_category ON topics (category_id, last_activity_at DESC, id DESC);
CREATE INDEX topics_author ON topics (author_id);

CREATE TABLE posts (
    id           INTEGER PRIMARY KEY,
    topic_id     INTEGER NOT NULL REFERENCES topics (id),
    number       INTEGER NOT NULL, -- 1 is the opening post; permalinks use it
    author_id    INTEGER NOT NULL REFERENCES users (id),
    reply_to     INTEGER, -- number of the post answered, in the same topic
    body         TEXT NOT NULL, -- markdown as typed
    html         TEXT NOT NULL, -- rendered and sanitized at write time
    merci_count  INTEGER NOT NULL DEFAULT 0,
    reply_count  INTEGER NOT NULL DEFAULT 0,
    created_at   DATETIME NOT NULL,
    edited_at    DATETIME,
    deleted_at   DATETIME, -- withdrawn by its author: "message supprimé par son auteur"
    hidden_at    DATETIME, -- hidden by a moderator
    hidden_by    INTEGER REFERENCES users (id),
    UNIQUE (topic_id, number)
);
CREATE INDEX posts_author ON posts (author_id, created_at);
CREATE INDEX posts_reply_to ON posts (topic_id, reply_to);

-- Earlier versions of an edited post, oldest first.
CREATE TABLE post_versions (
    id         INTEGER PRIMARY KEY,
    post_id    INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    body       TEXT NOT NULL,
    html       TEXT NOT NULL,
    editor_id  INTEGER REFERENCES users (id),
    created_at DATETIME NOT NULL -- when this version was written
);
CREATE INDEX post_versions_post ON post_versions (post_id, id);

CREATE TABLE tags (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
);

CREATE TABLE topic_tags (
    topic_id INTEGER NOT NULL REFERENCES topics (id) ON DELETE CASCADE,
    tag_id   INTEGER NOT NULL REFERENCES tags (id),
    PRIMARY KEY (topic_id, tag_id)
);
CREATE INDEX topic_tags_tag ON topic_tags (tag_id, topic_id);

CREATE TABLE mercis (
    post_id    INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at DATETIME NOT NULL,
    PRIMARY KEY (post_id, user_id)
);

CREATE TABLE follows (
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    target_type TEXT NOT NULL CHECK (target_type IN ('topic', 'category', 'tag')),
    target_id   INTEGER NOT NULL,
    muted       INTEGER NOT NULL DEFAULT 0, -- an explicit "stop following" beats the automatic follow
    created_at  DATETIME NOT NULL,
    PRIMARY KEY (user_id, target_type, target_id)
);
CREATE INDEX follows_target ON follows (target_type, target_id);

CREATE TABLE topic_reads (
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    topic_id    INTEGER NOT NULL REFERENCES topics (id) ON DELETE CASCADE,
    last_number INTEGER NOT NULL, -- highest post number seen
    PRIMARY KEY (user_id, topic_id)
);

-- Server-side drafts: one per member and place ("topic" for a new topic,
-- "reply:<topic id>" for a reply), resumed on any device.
CREATE TABLE drafts (
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    place      TEXT NOT NULL,
    title      TEXT NOT NULL DEFAULT '',
    body       TEXT NOT NULL DEFAULT '',
    extra      TEXT NOT NULL DEFAULT '{}', -- other fields as JSON (category, tags, kind, reply_to)
    updated_at DATETIME NOT NULL,
    PRIMARY KEY (user_id, place)
);

CREATE TABLE uploads (
    id           INTEGER PRIMARY KEY,
    name         TEXT NOT NULL UNIQUE, -- content hash + extension, served under /fichiers/
    user_id      INTEGER NOT NULL REFERENCES users (id),
    original     TEXT NOT NULL, -- the file name as uploaded
    content_type TEXT NOT NULL,
    size         INTEGER NOT NULL,
    width        INTEGER NOT NULL DEFAULT 0,
    height       INTEGER NOT NULL DEFAULT 0,
    created_at   DATETIME NOT NULL
);

-- Changes to index and notify, written in the same transaction as the change.
CREATE TABLE outbox (
    id          INTEGER PRIMARY KEY,
    entity_type TEXT NOT NULL,
    entity_id   INTEGER NOT NULL,
    created_at  DATETIME NOT NULL
);
