-- What concerns a member: made by the notifier, a consumer of the outbox.
-- One row per member and target, kept as the most specific reason (a
-- mention in a reply to my post is one notification, a mention) or, for
-- reactions and revisions, counted while unread ("Léa et 3 autres").
CREATE TABLE notifications (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind        TEXT NOT NULL,  -- mention, reply, topic_reply, new_topic, accepted, merci, fiche_revision, fiche_report
    rank        INTEGER NOT NULL, -- how specific the kind is, within its group
    grp         TEXT NOT NULL,  -- 'activity' (a post), 'merci', 'accepted', 'revision', 'report'
    object_type TEXT NOT NULL,  -- what the page groups under: 'topic', 'fiche'
    object_id   INTEGER NOT NULL,
    target_type TEXT NOT NULL,  -- what it links to: 'post', 'fiche'
    target_id   INTEGER NOT NULL,
    number      INTEGER NOT NULL DEFAULT 0, -- the post's number, or the fiche's revision
    actor_id    INTEGER REFERENCES users (id) ON DELETE SET NULL,
    count       INTEGER NOT NULL DEFAULT 1,  -- actors or revisions gathered while unread
    created_at  DATETIME NOT NULL,
    read_at     DATETIME,
    UNIQUE (user_id, grp, target_type, target_id)
);
CREATE INDEX notifications_user ON notifications (user_id, read_at, created_at DESC);
CREATE INDEX notifications_object ON notifications (user_id, object_type, object_id);
CREATE INDEX notifications_target ON notifications (target_type, target_id);
