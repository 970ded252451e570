-- Attempts that rate limits count (failed logins, reset requests, sign-ups),
-- kept in the database so a restart does not hand an attacker fresh tries.
CREATE TABLE strikes (
    bucket TEXT NOT NULL,    -- which limit: "login-ip", "login-account"…
    key    TEXT NOT NULL,    -- whom it counts: an IP, "user:42", "login:…"
    at     DATETIME NOT NULL
);
CREATE INDEX strikes_key ON strikes (bucket, key, at);
CREATE INDEX strikes_at ON strikes (at);
