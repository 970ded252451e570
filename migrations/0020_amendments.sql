-- Amendments to a texte de propositions open to contributions: a member
-- proposes a new wording of a proposition, a new one, or its removal, with
-- a justification; others support it; co-authors accept (the change enters
-- the text crediting its author), reject with a public reason, or mark it
-- merged by hand.
CREATE TABLE amendments (
    id            INTEGER PRIMARY KEY,
    proposal_id   INTEGER NOT NULL REFERENCES proposals (id) ON DELETE CASCADE,
    kind          TEXT NOT NULL CHECK (kind IN ('change', 'add', 'remove')),
    item_id       INTEGER REFERENCES proposal_items (id) ON DELETE CASCADE, -- NULL for 'add'
    base_revision INTEGER NOT NULL DEFAULT 0, -- the proposition's revision it was written on
    base_title    TEXT NOT NULL DEFAULT '',
    base_body     TEXT NOT NULL DEFAULT '',
    title         TEXT NOT NULL DEFAULT '',
    body          TEXT NOT NULL DEFAULT '',
    html          TEXT NOT NULL DEFAULT '',
    justification TEXT NOT NULL,
    author_id     INTEGER NOT NULL REFERENCES users (id),
    state         TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'accepted', 'rejected', 'merged')),
    reason        TEXT NOT NULL DEFAULT '', -- why it was rejected
    decided_by    INTEGER REFERENCES users (id),
    decided_at    DATETIME,
    supports      INTEGER NOT NULL DEFAULT 0,
    created_at    DATETIME NOT NULL
);
CREATE INDEX amendments_proposal ON amendments (proposal_id, state, created_at);

CREATE TABLE amendment_supports (
    amendment_id INTEGER NOT NULL REFERENCES amendments (id) ON DELETE CASCADE,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at   DATETIME NOT NULL,
    PRIMARY KEY (amendment_id, user_id)
);

-- The owner may close amendments (those made stay visible).
ALTER TABLE proposals ADD COLUMN amendments_closed INTEGER NOT NULL DEFAULT 0;
-- A revision that took an accepted amendment in names it (its author is
-- the amendment's).
ALTER TABLE proposal_revisions ADD COLUMN amendment_id INTEGER REFERENCES amendments (id) ON DELETE SET NULL;
