-- Textes de propositions: a text drafted privately by its owner and
-- co-authors ('draft'), opened to the members' contributions ('open'),
-- published as frozen numbered versions ('published') and finally archived.
-- The proposals row and its items hold the working text; every change is
-- a revision; each publication copies the text into proposal_versions.
CREATE TABLE proposals (
    id              INTEGER PRIMARY KEY,
    slug            TEXT NOT NULL UNIQUE,
    owner_id        INTEGER NOT NULL REFERENCES users (id),
    title           TEXT NOT NULL,
    preamble        TEXT NOT NULL DEFAULT '',
    preamble_html   TEXT NOT NULL DEFAULT '',
    conclusion      TEXT NOT NULL DEFAULT '',
    conclusion_html TEXT NOT NULL DEFAULT '',
    state           TEXT NOT NULL DEFAULT 'draft' CHECK (state IN ('draft', 'open', 'published', 'archived')),
    members_only    INTEGER NOT NULL DEFAULT 1, -- while open: only members read it, not visitors
    revision        INTEGER NOT NULL DEFAULT 1, -- of the working text, one more at every change
    version         INTEGER NOT NULL DEFAULT 0, -- the latest published version; 0: never published
    created_at      DATETIME NOT NULL,
    updated_at      DATETIME NOT NULL
);
CREATE INDEX proposals_state ON proposals (state, updated_at DESC);

-- Secret links that open a brouillon for reading or writing; only their
-- hash is kept.
CREATE TABLE proposal_share_links (
    id          INTEGER PRIMARY KEY,
    proposal_id INTEGER NOT NULL REFERENCES proposals (id) ON DELETE CASCADE,
    hash        TEXT NOT NULL UNIQUE,
    access      TEXT NOT NULL CHECK (access IN ('read', 'write')),
    created_by  INTEGER NOT NULL REFERENCES users (id),
    created_at  DATETIME NOT NULL,
    revoked_at  DATETIME
);
CREATE INDEX proposal_share_links_proposal ON proposal_share_links (proposal_id);

-- Who may read and write a brouillon besides its owner: co-authors (write)
-- and readers, invited by pseudo or come through a share link (via_link:
-- revoking the link takes their access back).
CREATE TABLE proposal_members (
    proposal_id INTEGER NOT NULL REFERENCES proposals (id) ON DELETE CASCADE,
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role        TEXT NOT NULL CHECK (role IN ('coauthor', 'reader')),
    via_link    INTEGER REFERENCES proposal_share_links (id) ON DELETE CASCADE,
    invited_as  TEXT CHECK (invited_as IN ('coauthor', 'reader')), -- the role given by pseudo, kept when a link's is taken back
    added_at    DATETIME NOT NULL,
    PRIMARY KEY (proposal_id, user_id)
);
CREATE INDEX proposal_members_user ON proposal_members (user_id);

-- The propositions of the working text, in order; a removed one is kept
-- (removed_at) for its history.
CREATE TABLE proposal_items (
    id          INTEGER PRIMARY KEY,
    proposal_id INTEGER NOT NULL REFERENCES proposals (id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    title       TEXT NOT NULL,
    body        TEXT NOT NULL,
    html        TEXT NOT NULL,
    revision    INTEGER NOT NULL DEFAULT 1, -- of this proposition
    created_at  DATETIME NOT NULL,
    updated_at  DATETIME NOT NULL,
    removed_at  DATETIME
);
CREATE INDEX proposal_items_proposal ON proposal_items (proposal_id, removed_at, position);

-- Every change of a text: a part rewritten (the title, the préambule, the
-- conclusion, a proposition added, changed or removed) or the order.
CREATE TABLE proposal_revisions (
    id            INTEGER PRIMARY KEY,
    proposal_id   INTEGER NOT NULL REFERENCES proposals (id) ON DELETE CASCADE,
    number        INTEGER NOT NULL, -- the text's revision after the change (its creation writes several parts as 1)
    part          TEXT NOT NULL CHECK (part IN ('title', 'preamble', 'conclusion', 'item', 'removed', 'order')),
    item_id       INTEGER REFERENCES proposal_items (id) ON DELETE CASCADE,
    item_revision INTEGER NOT NULL DEFAULT 0,
    title         TEXT NOT NULL DEFAULT '',
    body          TEXT NOT NULL DEFAULT '', -- the part's text after the change; for 'order', the item ids
    author_id     INTEGER NOT NULL REFERENCES users (id),
    comment       TEXT NOT NULL DEFAULT '',
    created_at    DATETIME NOT NULL
);
CREATE INDEX proposal_revisions_text ON proposal_revisions (proposal_id, number);
CREATE INDEX proposal_revisions_item ON proposal_revisions (item_id, item_revision);

-- Published versions, frozen: v1, v2… as readers and signatories saw them.
CREATE TABLE proposal_versions (
    proposal_id     INTEGER NOT NULL REFERENCES proposals (id) ON DELETE CASCADE,
    number          INTEGER NOT NULL,
    revision        INTEGER NOT NULL, -- the working text's revision it copies
    title           TEXT NOT NULL,
    preamble        TEXT NOT NULL,
    preamble_html   TEXT NOT NULL,
    conclusion      TEXT NOT NULL,
    conclusion_html TEXT NOT NULL,
    items           TEXT NOT NULL, -- JSON: [{"title", "body", "html"}]
    published_by    INTEGER NOT NULL REFERENCES users (id),
    published_at    DATETIME NOT NULL,
    PRIMARY KEY (proposal_id, number)
);
