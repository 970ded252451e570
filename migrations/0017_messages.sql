-- Private messages: conversations between members, read only by those
-- still in them (not by moderators), except a message a participant
-- reports, which moderators then read alone.
CREATE TABLE conversations (
    id              INTEGER PRIMARY KEY,
    title           TEXT NOT NULL,
    author_id       INTEGER REFERENCES users (id) ON DELETE SET NULL,
    last_number     INTEGER NOT NULL DEFAULT 0, -- number of its latest message
    last_message_at DATETIME NOT NULL,
    created_at      DATETIME NOT NULL
);

-- Who is in a conversation; a member who leaves keeps a row (left_at) so
-- that nobody can add them back, and reads nothing any more.
CREATE TABLE conversation_members (
    conversation_id INTEGER NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    user_id         INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    joined_at       DATETIME NOT NULL,
    left_at         DATETIME,
    last_read       INTEGER NOT NULL DEFAULT 0, -- number of the last message read
    PRIMARY KEY (conversation_id, user_id)
);
-- A member's list of conversations, newest first, and their unread count.
CREATE INDEX conversation_members_user ON conversation_members (user_id, left_at);
CREATE INDEX conversations_recent ON conversations (last_message_at DESC, id DESC);

CREATE TABLE messages (
    id              INTEGER PRIMARY KEY,
    conversation_id INTEGER NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    number          INTEGER NOT NULL,
    author_id       INTEGER NOT NULL REFERENCES users (id),
    body            TEXT NOT NULL,
    html            TEXT NOT NULL, -- rendered and sanitized when written
    created_at      DATETIME NOT NULL,
    UNIQUE (conversation_id, number)
);

-- A participant's report of one message: while it is open, moderators read
-- that message (and nothing else of the conversation).
CREATE TABLE message_reports (
    id          INTEGER PRIMARY KEY,
    message_id  INTEGER NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    reporter_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    reason      TEXT NOT NULL,
    created_at  DATETIME NOT NULL,
    handled_at  DATETIME,
    handled_by  INTEGER REFERENCES users (id) ON DELETE SET NULL,
    UNIQUE (message_id, reporter_id)
);
CREATE INDEX message_reports_open ON message_reports (handled_at, created_at);

-- « Ne plus recevoir de messages de … »: blocked_id cannot start a
-- conversation with blocker_id nor add them to one, and is never told.
CREATE TABLE user_blocks (
    blocker_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    blocked_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at DATETIME NOT NULL,
    PRIMARY KEY (blocker_id, blocked_id)
);
CREATE INDEX user_blocks_blocked ON user_blocks (blocked_id, blocker_id);
