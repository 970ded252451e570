-- Schema 9: the question's title as Léa first wrote it.
INSERT INTO topic_versions (id, topic_id, title, category_id, tags, editor_id, created_at) VALUES
    (1, 1, 'Adresse courriel pour la CAF ?', 3, 'caf', 1, '2024-02-01 10:30:00+00:00');
