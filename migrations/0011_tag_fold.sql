-- Tags compare without accents: "sécurité" and "securite" are one tag, kept
-- with the spelling first used. The column is filled by the application
-- (content.OpenDB) for tags made before it existed.
ALTER TABLE tags ADD COLUMN fold TEXT;
CREATE INDEX tags_fold ON tags (fold);
