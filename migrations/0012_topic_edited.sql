-- When a topic's title, category or tags last changed: its opening post
-- then links to the history even if its text never changed.
ALTER TABLE topics ADD COLUMN edited_at DATETIME;
UPDATE topics SET edited_at = (SELECT max(v.created_at) FROM topic_versions v WHERE v.topic_id = topics.id);
