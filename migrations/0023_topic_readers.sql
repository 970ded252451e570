-- Who reads a discussion. Nearly all are read by everyone. The comments of
-- a texte de propositions follow the text: read by members only while it
-- is open to members only, and only through the text's page — by those who
-- read the text — while it is a brouillon again.
ALTER TABLE topics ADD COLUMN readers TEXT NOT NULL DEFAULT 'everyone'
    CHECK (readers IN ('everyone', 'members', 'page'));

UPDATE topics SET readers = (
    SELECT CASE
        WHEN p.state = 'draft' THEN 'page'
        WHEN p.state = 'open' AND p.members_only THEN 'members'
        ELSE 'everyone' END
    FROM proposals p WHERE p.topic_id = topics.id)
WHERE id IN (SELECT topic_id FROM proposals WHERE topic_id IS NOT NULL);
