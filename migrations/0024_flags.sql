-- Moderation: members' flags on any content, the decisions moderators
-- take on them (some waiting for a second moderator), suspensions with a
-- reason and an end, and notices of illegal content sent by visitors.

-- A decision about one piece of content or one member. A decision on a
-- moderator's content is first 'proposed', and applied once a second
-- moderator confirms it; 'auto' ones were taken by the flags' weight.
CREATE TABLE moderation_decisions (
    id           INTEGER PRIMARY KEY,
    target_type  TEXT NOT NULL CHECK (target_type IN ('post', 'revision', 'amendment', 'message', 'user')),
    target_id    INTEGER NOT NULL,
    author_id    INTEGER REFERENCES users (id) ON DELETE SET NULL, -- whose content, or who, it is about
    action       TEXT NOT NULL CHECK (action IN ('keep', 'hide', 'edit', 'delete', 'warn', 'suspend', 'held')),
    reason       TEXT NOT NULL DEFAULT '', -- told to the author
    data         TEXT NOT NULL DEFAULT '', -- the new text of an edit, the days of a suspension
    moderator_id INTEGER REFERENCES users (id) ON DELETE SET NULL, -- NULL: the flags' weight
    state        TEXT NOT NULL DEFAULT 'done' CHECK (state IN ('done', 'proposed', 'cancelled')),
    second_id    INTEGER REFERENCES users (id) ON DELETE SET NULL, -- who confirmed or cancelled a proposal
    created_at   DATETIME NOT NULL,
    decided_at   DATETIME
);
CREATE INDEX moderation_decisions_target ON moderation_decisions (target_type, target_id);
CREATE INDEX moderation_decisions_author ON moderation_decisions (author_id, created_at);
CREATE INDEX moderation_decisions_proposed ON moderation_decisions (state) WHERE state = 'proposed';

-- « Signaler »: one flag per member and content; open until a decision
-- closes it.
CREATE TABLE flags (
    id          INTEGER PRIMARY KEY,
    target_type TEXT NOT NULL CHECK (target_type IN ('post', 'revision', 'amendment', 'message')),
    target_id   INTEGER NOT NULL,
    author_id   INTEGER REFERENCES users (id) ON DELETE SET NULL, -- of the content
    flagger_id  INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    reason      TEXT NOT NULL CHECK (reason IN ('off_topic', 'disrespectful', 'spam', 'personal_data', 'illegal', 'other')),
    comment     TEXT NOT NULL DEFAULT '',
    weight      INTEGER NOT NULL DEFAULT 1,
    created_at  DATETIME NOT NULL,
    closed_at   DATETIME,
    decision_id INTEGER REFERENCES moderation_decisions (id) ON DELETE SET NULL,
    UNIQUE (target_type, target_id, flagger_id)
);
CREATE INDEX flags_open ON flags (closed_at, target_type, target_id);
CREATE INDEX flags_author ON flags (author_id);

-- Private messages' reports join the flags (as « autre », the reason
-- written kept as the comment); handled ones are closed.
INSERT INTO flags (target_type, target_id, author_id, flagger_id, reason, comment, weight, created_at, closed_at)
    SELECT 'message', r.message_id, m.author_id, r.reporter_id, 'other', r.reason, 1, r.created_at, r.handled_at
    FROM message_reports r JOIN messages m ON m.id = r.message_id;
DROP TABLE message_reports;

-- Content hidden pending review (by flags) or by a moderator.
ALTER TABLE messages ADD COLUMN hidden_at DATETIME;
ALTER TABLE amendments ADD COLUMN hidden_at DATETIME;
-- Why a moderator changed a post, shown in its history.
ALTER TABLE post_versions ADD COLUMN reason TEXT NOT NULL DEFAULT '';

-- A suspension: users.suspended_at says "suspended now"; this row says
-- why and until when (NULL: until reinstated).
CREATE TABLE suspensions (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    reason     TEXT NOT NULL DEFAULT '',
    starts_at  DATETIME NOT NULL,
    ends_at    DATETIME,
    created_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    lifted_at  DATETIME -- ended early by a reinstatement, or at its end
);
CREATE INDEX suspensions_user ON suspensions (user_id, starts_at);
CREATE INDEX suspensions_ending ON suspensions (ends_at) WHERE lifted_at IS NULL;

-- Notices of illegal content (Digital Services Act, art. 16) from anyone.
CREATE TABLE illegal_notices (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    email       TEXT NOT NULL,
    url         TEXT NOT NULL,
    explanation TEXT NOT NULL,
    target_type TEXT NOT NULL DEFAULT '', -- the content the address points to, when found
    target_id   INTEGER NOT NULL DEFAULT 0,
    created_at  DATETIME NOT NULL,
    handled_at  DATETIME,
    handled_by  INTEGER REFERENCES users (id) ON DELETE SET NULL,
    decision    TEXT NOT NULL DEFAULT '' -- what was done, as mailed to the sender
);
CREATE INDEX illegal_notices_open ON illegal_notices (handled_at, created_at);

-- The audit log is append-only: its entries never change nor go (a
-- deleted actor's ID still becomes NULL).
CREATE TRIGGER audit_log_append_only_update BEFORE UPDATE OF action, target_type, target_id, detail, created_at ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
CREATE TRIGGER audit_log_append_only_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
