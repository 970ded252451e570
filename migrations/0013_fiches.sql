-- Fiches: practice sheets written together, every save a revision.
CREATE TABLE fiches (
    id              INTEGER PRIMARY KEY,
    slug            TEXT NOT NULL UNIQUE,
    title           TEXT NOT NULL,
    summary         TEXT NOT NULL DEFAULT '', -- the chapô, plain text
    body            TEXT NOT NULL,            -- markdown of the current revision
    html            TEXT NOT NULL,            -- rendered and sanitized at write time
    toc             TEXT NOT NULL DEFAULT '[]', -- headings as JSON: [{"level":2,"id":"…","text":"…"}]
    revision        INTEGER NOT NULL DEFAULT 1, -- number of the current revision
    creator_id      INTEGER NOT NULL REFERENCES users (id),
    published_at    DATETIME, -- NULL: a brouillon, read by its authors only
    protected       INTEGER NOT NULL DEFAULT 0, -- edited by its authors and moderators only
    views           INTEGER NOT NULL DEFAULT 0,
    save_count      INTEGER NOT NULL DEFAULT 0,
    topic_id        INTEGER REFERENCES topics (id), -- its comments, from the first one
    source_topic_id INTEGER REFERENCES topics (id), -- the discussion it was made from
    merged_into     INTEGER REFERENCES fiches (id),
    deleted_at      DATETIME,
    created_at      DATETIME NOT NULL,
    updated_at      DATETIME NOT NULL
);
CREATE INDEX fiches_updated ON fiches (published_at, updated_at DESC, id DESC);
CREATE INDEX fiches_source ON fiches (source_topic_id);

-- Every saved state of a fiche; the fiche row repeats the current one.
CREATE TABLE fiche_revisions (
    id         INTEGER PRIMARY KEY,
    fiche_id   INTEGER NOT NULL REFERENCES fiches (id) ON DELETE CASCADE,
    number     INTEGER NOT NULL,
    author_id  INTEGER NOT NULL REFERENCES users (id),
    title      TEXT NOT NULL,
    summary    TEXT NOT NULL DEFAULT '',
    body       TEXT NOT NULL,
    tags       TEXT NOT NULL DEFAULT '', -- comma-separated, as saved
    audiences  TEXT NOT NULL DEFAULT '', -- comma-separated slugs, as saved
    comment    TEXT NOT NULL DEFAULT '', -- the edit summary
    size       INTEGER NOT NULL, -- characters of the body
    added      INTEGER NOT NULL DEFAULT 0, -- words added since the previous revision
    removed    INTEGER NOT NULL DEFAULT 0,
    restored   INTEGER, -- the revision number this one brought back
    hidden_at  DATETIME, -- a vandalised revision, hidden by a moderator
    hidden_by  INTEGER REFERENCES users (id),
    created_at DATETIME NOT NULL,
    UNIQUE (fiche_id, number)
);
CREATE INDEX fiche_revisions_author ON fiche_revisions (author_id);

-- Who writes a brouillon: its creator and the co-authors they invite.
CREATE TABLE fiche_authors (
    fiche_id INTEGER NOT NULL REFERENCES fiches (id) ON DELETE CASCADE,
    user_id  INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    added_at DATETIME NOT NULL,
    PRIMARY KEY (fiche_id, user_id)
);
CREATE INDEX fiche_authors_user ON fiche_authors (user_id);

-- Earlier slugs of renamed or merged fiches: they redirect.
CREATE TABLE fiche_slugs (
    slug     TEXT PRIMARY KEY,
    fiche_id INTEGER NOT NULL REFERENCES fiches (id) ON DELETE CASCADE
);

CREATE TABLE fiche_tags (
    fiche_id INTEGER NOT NULL REFERENCES fiches (id) ON DELETE CASCADE,
    tag_id   INTEGER NOT NULL REFERENCES tags (id),
    PRIMARY KEY (fiche_id, tag_id)
);
CREATE INDEX fiche_tags_tag ON fiche_tags (tag_id, fiche_id);

-- Publics visés: a fixed list that administrators edit.
CREATE TABLE audiences (
    id       INTEGER PRIMARY KEY,
    slug     TEXT NOT NULL UNIQUE,
    name     TEXT NOT NULL,
    position INTEGER NOT NULL DEFAULT 0
);
INSERT INTO audiences (slug, name, position) VALUES
    ('seniors', 'Seniors', 1),
    ('jeunes', 'Jeunes', 2),
    ('allophones', 'Personnes allophones', 3),
    ('handicap', 'Personnes en situation de handicap', 4),
    ('demandeurs-emploi', 'Demandeurs d’emploi', 5),
    ('parents', 'Parents', 6),
    ('professionnels', 'Professionnels', 7);

CREATE TABLE fiche_audiences (
    fiche_id    INTEGER NOT NULL REFERENCES fiches (id) ON DELETE CASCADE,
    audience_id INTEGER NOT NULL REFERENCES audiences (id) ON DELETE CASCADE,
    PRIMARY KEY (fiche_id, audience_id)
);
CREATE INDEX fiche_audiences_audience ON fiche_audiences (audience_id, fiche_id);

-- [[wiki links]] of the current revision of each fiche, by the slug they
-- name (a fiche not written yet has no row in fiches).
CREATE TABLE fiche_links (
    from_id INTEGER NOT NULL REFERENCES fiches (id) ON DELETE CASCADE,
    to_slug TEXT NOT NULL,
    PRIMARY KEY (from_id, to_slug)
);
CREATE INDEX fiche_links_to ON fiche_links (to_slug);

-- Collections of saved fiches; every member has "Mes fiches enregistrées".
CREATE TABLE collections (
    id          INTEGER PRIMARY KEY,
    owner_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    public      INTEGER NOT NULL DEFAULT 0,
    is_default  INTEGER NOT NULL DEFAULT 0,
    created_at  DATETIME NOT NULL,
    updated_at  DATETIME NOT NULL
);
CREATE INDEX collections_owner ON collections (owner_id, is_default DESC, name);
CREATE UNIQUE INDEX collections_one_default ON collections (owner_id) WHERE is_default = 1;

CREATE TABLE collection_items (
    collection_id INTEGER NOT NULL REFERENCES collections (id) ON DELETE CASCADE,
    fiche_id      INTEGER NOT NULL REFERENCES fiches (id) ON DELETE CASCADE,
    added_at      DATETIME NOT NULL,
    PRIMARY KEY (collection_id, fiche_id)
);
CREATE INDEX collection_items_fiche ON collection_items (fiche_id);

-- "Signaler une information obsolète" on a section of a fiche.
CREATE TABLE fiche_reports (
    id         INTEGER PRIMARY KEY,
    fiche_id   INTEGER NOT NULL REFERENCES fiches (id) ON DELETE CASCADE,
    section    TEXT NOT NULL DEFAULT '', -- heading anchor, '' for the whole fiche
    heading    TEXT NOT NULL DEFAULT '', -- heading text when reported
    user_id    INTEGER NOT NULL REFERENCES users (id),
    comment    TEXT NOT NULL,
    created_at DATETIME NOT NULL,
    handled_at DATETIME,
    handled_by INTEGER REFERENCES users (id)
);
CREATE INDEX fiche_reports_open ON fiche_reports (fiche_id, handled_at);
