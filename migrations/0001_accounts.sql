-- Accounts, sessions, tokens, the mail queue and the audit log.
CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    pseudo        TEXT NOT NULL,
    pseudo_key    TEXT NOT NULL UNIQUE, -- lower-cased, accents folded: "Hélène" and "helene" clash
    email         TEXT NOT NULL UNIQUE, -- stored lower-cased
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL DEFAULT 'member' CHECK (role IN ('member', 'moderator', 'admin')),
    structure     TEXT NOT NULL DEFAULT '',
    departement   TEXT NOT NULL DEFAULT '',
    metier        TEXT NOT NULL DEFAULT '',
    verified_at   DATETIME,
    suspended_at  DATETIME,
    created_at    DATETIME NOT NULL,
    updated_at    DATETIME NOT NULL
);

CREATE TABLE sessions (
    id_hash      TEXT PRIMARY KEY, -- sha256 of the cookie value; the value itself is never stored
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    user_agent   TEXT NOT NULL DEFAULT '',
    created_at   DATETIME NOT NULL,
    last_seen_at DATETIME NOT NULL,
    expires_at   DATETIME NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expiry ON sessions (expires_at);

-- Single-use links sent by mail (verification, reset, e-mail change) and the
-- first-administrator link printed in the log.
CREATE TABLE account_tokens (
    hash       TEXT PRIMARY KEY,
    purpose    TEXT NOT NULL CHECK (purpose IN ('verify', 'reset', 'email', 'setup')),
    user_id    INTEGER REFERENCES users (id) ON DELETE CASCADE,
    data       TEXT NOT NULL DEFAULT '',
    created_at DATETIME NOT NULL,
    expires_at DATETIME NOT NULL,
    used_at    DATETIME
);
CREATE INDEX account_tokens_user ON account_tokens (user_id, purpose);

CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    hash         TEXT NOT NULL UNIQUE,
    hint         TEXT NOT NULL, -- the first characters, so a member can tell tokens apart
    created_at   DATETIME NOT NULL,
    last_used_at DATETIME,
    revoked_at   DATETIME
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

-- Outgoing mail, written in the same transaction as the change that causes it.
CREATE TABLE mails (
    id         INTEGER PRIMARY KEY,
    to_addr    TEXT NOT NULL,
    subject    TEXT NOT NULL,
    body       TEXT NOT NULL,
    created_at DATETIME NOT NULL,
    sent_at    DATETIME,
    attempts   INTEGER NOT NULL DEFAULT 0,
    last_error TEXT NOT NULL DEFAULT ''
);
CREATE INDEX mails_pending ON mails (sent_at, id);

CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY,
    actor_id    INTEGER REFERENCES users (id) ON DELETE SET NULL,
    action      TEXT NOT NULL,
    target_type TEXT NOT NULL,
    target_id   INTEGER NOT NULL,
    detail      TEXT NOT NULL DEFAULT '',
    created_at  DATETIME NOT NULL
);
CREATE INDEX audit_log_target ON audit_log (target_type, target_id);
