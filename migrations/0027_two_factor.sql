-- Two-factor authentication (TOTP, RFC 6238) with single-use recovery codes,
-- the half-way state of a login waiting for its code, and what a member's
-- list of sessions shows.

-- One authenticator per account. The secret is kept as it is (base32): codes
-- are computed from it. confirmed_at is NULL while the member enrols.
CREATE TABLE totp_secrets (
    user_id      INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    secret       TEXT NOT NULL,
    last_step    INTEGER NOT NULL DEFAULT 0, -- the last 30 s step accepted: a code of that step or before is a replay
    created_at   DATETIME NOT NULL,
    confirmed_at DATETIME
);

-- Ten recovery codes per account, stored hashed, each single-use.
CREATE TABLE recovery_codes (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    hash       TEXT NOT NULL,
    created_at DATETIME NOT NULL,
    used_at    DATETIME
);
CREATE INDEX recovery_codes_user ON recovery_codes (user_id, hash);

-- A password accepted, its code not yet: the cookie value (hashed here)
-- only opens the second step's page, never a session.
CREATE TABLE login_challenges (
    id_hash    TEXT PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    return_to  TEXT NOT NULL DEFAULT '/',
    attempts   INTEGER NOT NULL DEFAULT 0,
    created_at DATETIME NOT NULL,
    expires_at DATETIME NOT NULL
);
CREATE INDEX login_challenges_expiry ON login_challenges (expires_at);

-- Where a session was opened from, approximately: the IP address truncated
-- (/24 in IPv4, /48 in IPv6), never the whole address.
ALTER TABLE sessions ADD COLUMN ip_prefix TEXT NOT NULL DEFAULT '';
