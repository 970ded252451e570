-- A link to the former address gives an account its address back after a
-- change ("email-undo"). SQLite cannot change a CHECK: the table is rebuilt.
CREATE TABLE account_tokens_new (
    hash       TEXT PRIMARY KEY,
    purpose    TEXT NOT NULL CHECK (purpose IN ('verify', 'reset', 'email', 'setup', 'email-undo')),
    user_id    INTEGER REFERENCES users (id) ON DELETE CASCADE,
    data       TEXT NOT NULL DEFAULT '',
    created_at DATETIME NOT NULL,
    expires_at DATETIME NOT NULL,
    used_at    DATETIME
);
INSERT INTO account_tokens_new SELECT hash, purpose, user_id, data, created_at, expires_at, used_at FROM account_tokens;
DROP TABLE account_tokens;
ALTER TABLE account_tokens_new RENAME TO account_tokens;
CREATE INDEX account_tokens_user ON account_tokens (user_id, purpose);
