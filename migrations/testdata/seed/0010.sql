-- Schema 10: Karim saved Léa's question.
INSERT INTO bookmarks (user_id, post_id, created_at) VALUES (2, 1, '2024-02-07 09:00:00+00:00');
