-- What a topic shows of its answers follows what readers can see: replies
-- withdrawn by their authors or hidden by moderators no longer count, nor
-- make the topic rise in the lists, nor name the last poster.
ALTER TABLE topics ADD COLUMN answer_count INTEGER NOT NULL DEFAULT 0;
UPDATE topics SET
    answer_count = (SELECT count(*) FROM posts p WHERE p.topic_id = topics.id AND p.number > 1
        AND p.deleted_at IS NULL AND p.hidden_at IS NULL),
    last_activity_at = coalesce((SELECT max(p.created_at) FROM posts p WHERE p.topic_id = topics.id
        AND p.deleted_at IS NULL AND p.hidden_at IS NULL), created_at),
    last_poster_id = coalesce((SELECT p.author_id FROM posts p WHERE p.topic_id = topics.id
        AND p.deleted_at IS NULL AND p.hidden_at IS NULL ORDER BY p.number DESC LIMIT 1), author_id)
WHERE merged_into IS NULL;
