-- The changes from each version of a post to the one that replaced it,
-- computed once when the post is edited, so showing a history costs nothing.
ALTER TABLE post_versions ADD COLUMN next_diff TEXT;
