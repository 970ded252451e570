-- Posts a member saved to read again, in a private list.
CREATE TABLE bookmarks (
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    post_id    INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    created_at DATETIME NOT NULL,
    PRIMARY KEY (user_id, post_id)
);
CREATE INDEX bookmarks_recent ON bookmarks (user_id, created_at DESC);
