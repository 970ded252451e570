-- Trust and abuse: who vouched for a new member, the posts that wait for a
-- moderator's review, and which version of the charter each member accepted.

-- A moderator or a trusted member vouched for member_id: their posts go
-- through without review. One row per member (the first vouch counts).
CREATE TABLE vouches (
    member_id  INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    voucher_id INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at DATETIME NOT NULL
);

-- A topic or a reply submitted by a member whose posts wait for review. It
-- is no post yet: nothing lists, counts, indexes or notifies it until a
-- moderator approves it, which publishes it as any post (published_*).
CREATE TABLE held_posts (
    id                 INTEGER PRIMARY KEY,
    author_id          INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    topic_id           INTEGER REFERENCES topics (id) ON DELETE CASCADE, -- a reply's topic; NULL: a new topic
    reply_to           INTEGER,                                          -- number of the post answered
    title              TEXT NOT NULL DEFAULT '',                         -- a new topic's
    category_id        INTEGER REFERENCES categories (id),
    tags               TEXT NOT NULL DEFAULT '',
    kind               TEXT NOT NULL DEFAULT '',
    body               TEXT NOT NULL,
    html               TEXT NOT NULL,
    reason             TEXT NOT NULL,                                    -- new_member, links, repeated
    created_at         DATETIME NOT NULL,
    decided_at         DATETIME,
    decided_by         INTEGER REFERENCES users (id) ON DELETE SET NULL,
    approved           INTEGER NOT NULL DEFAULT 0,
    refusal            TEXT NOT NULL DEFAULT '',                         -- the reason told to the author
    published_topic_id INTEGER REFERENCES topics (id) ON DELETE SET NULL,
    published_post_id  INTEGER REFERENCES posts (id) ON DELETE SET NULL
);
CREATE INDEX held_posts_pending ON held_posts (decided_at, created_at);
CREATE INDEX held_posts_author ON held_posts (author_id, created_at);
CREATE INDEX held_posts_topic ON held_posts (topic_id) WHERE topic_id IS NOT NULL;

-- Each version of the charter a member accepted, and when.
CREATE TABLE charter_acceptances (
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    version     INTEGER NOT NULL,
    accepted_at DATETIME NOT NULL,
    PRIMARY KEY (user_id, version)
);
