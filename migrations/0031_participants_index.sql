-- Topic lists show each topic's most frequent writers. This index holds
-- everything that query reads, so it never opens the posts' rows (their
-- bodies make them several kilobytes each).
CREATE INDEX posts_participants ON posts (topic_id, author_id, number) WHERE deleted_at IS NULL AND hidden_at IS NULL;
