-- Signatures of a published texte de propositions. A member signs in one
-- click (user_id), with the name, role, structure and département of their
-- profile as they were then; a visitor gives them and an e-mail address,
-- confirmed by a link before the signature counts. A signature is for the
-- text (every version) and remembers the version current when it was made.
--
-- A visitor's address is kept only as a hash (email_hash): enough for one
-- signature per address, and a copy of the database is no list of addresses.
-- The links of the visitor's mail are single-use tokens, stored hashed:
-- confirm_hash until the signature is confirmed, withdraw_hash until it is
-- withdrawn. An unconfirmed signature stops counting after 7 days and is
-- then deleted by the server's clean-up.
CREATE TABLE signatures (
    id            INTEGER PRIMARY KEY,
    proposal_id   INTEGER NOT NULL REFERENCES proposals (id) ON DELETE CASCADE,
    version       INTEGER NOT NULL, -- the published version current when signed
    user_id       INTEGER REFERENCES users (id) ON DELETE CASCADE, -- a member's; NULL: a visitor's
    email_hash    TEXT, -- a visitor's address, hashed; NULL: a member's
    name          TEXT NOT NULL,
    metier        TEXT NOT NULL DEFAULT '', -- a code of content.Metiers, or ''
    structure     TEXT NOT NULL DEFAULT '',
    departement   TEXT NOT NULL DEFAULT '', -- a canonical code, or ''
    confirm_hash  TEXT UNIQUE,
    withdraw_hash TEXT UNIQUE,
    created_at    DATETIME NOT NULL,
    confirmed_at  DATETIME, -- a member's at once; NULL: a visitor's, not yet confirmed
    CHECK ((user_id IS NULL) != (email_hash IS NULL))
);
CREATE UNIQUE INDEX signatures_member ON signatures (proposal_id, user_id) WHERE user_id IS NOT NULL;
CREATE UNIQUE INDEX signatures_email ON signatures (proposal_id, email_hash) WHERE email_hash IS NOT NULL;
-- The public list, newest first, and its counts per département.
CREATE INDEX signatures_list ON signatures (proposal_id, confirmed_at);
CREATE INDEX signatures_departement ON signatures (proposal_id, departement) WHERE confirmed_at IS NOT NULL;
-- The clean-up of visitors' signatures never confirmed.
CREATE INDEX signatures_unconfirmed ON signatures (created_at) WHERE confirmed_at IS NULL;
