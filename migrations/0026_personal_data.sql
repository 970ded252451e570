-- Personal data (RGPD): the IP address and time of each contribution, kept
-- one year (the identification data a host of members' content must keep);
-- the members' exports of their data; erased accounts; inactive accounts.

-- One row per contribution written from a request: a post, a topic, a
-- fiche revision, a text's change, an amendment, a signature, a private
-- message. The retention job deletes rows older than a year.
CREATE TABLE contribution_ips (
    id          INTEGER PRIMARY KEY,
    entity_type TEXT NOT NULL,
    entity_id   INTEGER NOT NULL,
    kind        TEXT NOT NULL, -- the event: created, edited…
    user_id     INTEGER REFERENCES users (id) ON DELETE SET NULL, -- NULL: a visitor (a signature)
    ip          TEXT NOT NULL,
    created_at  DATETIME NOT NULL
);
CREATE INDEX contribution_ips_at ON contribution_ips (created_at);
CREATE INDEX contribution_ips_user ON contribution_ips (user_id);

-- « Télécharger mes données »: a ZIP prepared in the background, kept a
-- few days under the data folder (exports/), then deleted. Rows stay a
-- while after, for the one-a-day limit.
CREATE TABLE data_exports (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    state        TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'running', 'ready', 'failed', 'expired')),
    progress     INTEGER NOT NULL DEFAULT 0, -- percent
    file         TEXT NOT NULL DEFAULT '',   -- name under exports/
    size         INTEGER NOT NULL DEFAULT 0,
    requested_at DATETIME NOT NULL,
    ready_at     DATETIME,
    expires_at   DATETIME
);
CREATE INDEX data_exports_user ON data_exports (user_id, requested_at DESC);
CREATE INDEX data_exports_state ON data_exports (state, id);

-- An erased account keeps its row, emptied, so that what stays of it
-- (fiche revisions, anonymised posts) shows « Ancien membre »; it can
-- never log in again.
ALTER TABLE users ADD COLUMN erased_at DATETIME;
-- The last time the member used the site (a session, an API token), and
-- when they were warned that two years without a visit anonymise the
-- account a month later.
ALTER TABLE users ADD COLUMN active_at DATETIME;
ALTER TABLE users ADD COLUMN inactive_warned_at DATETIME;
UPDATE users SET active_at = coalesce((SELECT max(s.last_seen_at) FROM sessions s WHERE s.user_id = users.id), updated_at);
CREATE INDEX users_active ON users (active_at) WHERE erased_at IS NULL;
