-- Schema 3, discussions: Léa's question, Karim's answer (edited once, thanked
-- by Léa), their tags, follows, reads and a draft.
INSERT INTO topics (id, category_id, author_id, title, slug, kind, post_count, last_number, views, last_poster_id, created_at, last_activity_at) VALUES
    (1, 3, 1, 'Aider une personne sans adresse courriel', 'aider-une-personne-sans-adresse-courriel', 'question', 2, 2, 12, 2,
     '2024-02-01 10:00:00+00:00', '2024-02-01 11:00:00+00:00');
INSERT INTO posts (id, topic_id, number, author_id, reply_to, body, html, merci_count, reply_count, created_at, edited_at) VALUES
    (1, 1, 1, 1, NULL, 'Une dame vient **chaque semaine** faire sa demande à la CAF.',
     '<p>Une dame vient <strong>chaque semaine</strong> faire sa demande à la CAF.</p>
', 0, 1, '2024-02-01 10:00:00+00:00', NULL),
    (2, 1, 2, 2, 1, 'On crée l’adresse avec elle, @Léa, et elle la note dans son carnet.',
     '<p>On crée l’adresse avec elle, <a href="/membres/L%C3%A9a" class="mention">@Léa</a>, et elle la note dans son carnet.</p>
', 1, 0, '2024-02-01 11:00:00+00:00', '2024-02-01 11:20:00+00:00');
INSERT INTO post_versions (id, post_id, body, html, editor_id, created_at) VALUES
    (1, 2, 'On crée l’adresse avec elle.', '<p>On crée l’adresse avec elle.</p>
', 2, '2024-02-01 11:00:00+00:00');
INSERT INTO tags (id, name) VALUES (1, 'caf'), (2, 'courriel');
INSERT INTO topic_tags (topic_id, tag_id) VALUES (1, 1), (1, 2);
INSERT INTO mercis (post_id, user_id, created_at) VALUES (2, 1, '2024-02-01 12:00:00+00:00');
INSERT INTO follows (user_id, target_type, target_id, muted, created_at) VALUES
    (1, 'topic', 1, 0, '2024-02-01 10:00:00+00:00'),
    (2, 'topic', 1, 0, '2024-02-01 11:00:00+00:00'),
    (2, 'category', 4, 1, '2024-02-02 09:00:00+00:00');
INSERT INTO topic_reads (user_id, topic_id, last_number) VALUES (1, 1, 2), (2, 1, 2);
INSERT INTO drafts (user_id, place, title, body, extra, updated_at) VALUES
    (2, 'topic', 'Pass numérique : qui les distribue ?', 'Je cherche les structures qui…', '{"category":"demarches-en-ligne"}', '2024-02-03 09:00:00+00:00');
INSERT INTO outbox (id, entity_type, entity_id, created_at) VALUES
    (1, 'topic', 1, '2024-02-01 10:00:00+00:00'),
    (2, 'post', 1, '2024-02-01 10:00:00+00:00'),
    (3, 'post', 2, '2024-02-01 11:00:00+00:00');
