-- Notification e-mail: how each member wants each kind of notification,
-- when their digests go out, what was mailed, and a mail queue that
-- retries with back-off and carries an HTML part and headers.

-- A member's choice per kind; no row means the kind's default
-- (content.NotificationKinds).
CREATE TABLE notification_prefs (
    user_id  INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind     TEXT NOT NULL,
    delivery TEXT NOT NULL CHECK (delivery IN ('site', 'immediate', 'daily', 'weekly', 'never')),
    PRIMARY KEY (user_id, kind)
) WITHOUT ROWID;

-- When a member's digests go out, in Paris time; no row: 8 h, on Monday.
CREATE TABLE digest_settings (
    user_id INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    hour    INTEGER NOT NULL CHECK (hour BETWEEN 0 AND 23),
    weekday INTEGER NOT NULL CHECK (weekday BETWEEN 0 AND 6) -- 0 is Sunday, as Go's time.Weekday
);

-- The digest of one period (the day or week it belongs to) was handled:
-- at most one per member and period, even across a crash or restart.
CREATE TABLE digest_sends (
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    period     TEXT NOT NULL CHECK (period IN ('daily', 'weekly')),
    period_key TEXT NOT NULL, -- the Paris date of the scheduled send, 2026-11-22
    items      INTEGER NOT NULL, -- notifications told; 0: nothing readable, no mail
    sent_at    DATETIME NOT NULL,
    UNIQUE (user_id, period, period_key)
);

-- Set when a mail told this notification; a row updated with new content
-- comes back to NULL, so the next mail tells what is new.
ALTER TABLE notifications ADD COLUMN mailed_at DATETIME;
CREATE INDEX notifications_unmailed ON notifications (created_at) WHERE mailed_at IS NULL AND read_at IS NULL;

ALTER TABLE mails ADD COLUMN html TEXT NOT NULL DEFAULT '';
ALTER TABLE mails ADD COLUMN list_unsubscribe TEXT NOT NULL DEFAULT ''; -- the one-click URL, or ''
ALTER TABLE mails ADD COLUMN user_id INTEGER REFERENCES users (id) ON DELETE SET NULL;
ALTER TABLE mails ADD COLUMN next_attempt_at DATETIME; -- NULL: as soon as possible
ALTER TABLE mails ADD COLUMN failed_at DATETIME; -- refused for good, or out of attempts
