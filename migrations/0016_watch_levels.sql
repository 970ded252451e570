-- Watch levels: a member follows a topic, a category, a tag, a fiche or a
-- texte de propositions at
-- one of three levels — 'watching' (told of every reply or revision),
-- 'normal' (told only what concerns them: a mention, a reply to their post)
-- or 'muted' (told nothing about it). SQLite cannot change a CHECK: the
-- table is rebuilt; an explicit "stop following" (muted = 1) was 'normal'.
CREATE TABLE follows_new (
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    target_type TEXT NOT NULL CHECK (target_type IN ('topic', 'category', 'tag', 'fiche', 'proposal')),
    target_id   INTEGER NOT NULL,
    level       TEXT NOT NULL DEFAULT 'watching' CHECK (level IN ('watching', 'normal', 'muted')),
    created_at  DATETIME NOT NULL,
    PRIMARY KEY (user_id, target_type, target_id)
);
INSERT INTO follows_new SELECT user_id, target_type, target_id, CASE WHEN muted = 0 THEN 'watching' ELSE 'normal' END, created_at
    FROM follows;
DROP TABLE follows;
ALTER TABLE follows_new RENAME TO follows;
CREATE INDEX follows_target ON follows (target_type, target_id, level);

-- The authors of a fiche and of its revisions follow it, as they were told
-- of its revisions until now.
INSERT INTO follows (user_id, target_type, target_id, created_at)
    SELECT user_id, 'fiche', fiche_id, min(created_at) FROM (
        SELECT user_id, fiche_id, added_at AS created_at FROM fiche_authors
        UNION ALL SELECT author_id, fiche_id, created_at FROM fiche_revisions)
    GROUP BY user_id, fiche_id
    ON CONFLICT DO NOTHING;

-- What a moderation decision was, for the notification telling its author.
ALTER TABLE notifications ADD COLUMN detail TEXT NOT NULL DEFAULT '';
