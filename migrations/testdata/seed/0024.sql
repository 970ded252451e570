-- Schema 24, flags: Karim flagged Léa's question as off topic; a moderator
-- kept it.
INSERT INTO moderation_decisions (id, target_type, target_id, author_id, action, moderator_id, created_at, decided_at) VALUES
    (1, 'post', 1, 1, 'keep', 1, '2024-05-01 09:00:00+00:00', '2024-05-01 09:00:00+00:00');
INSERT INTO flags (id, target_type, target_id, author_id, flagger_id, reason, weight, created_at, closed_at, decision_id) VALUES
    (2, 'post', 1, 1, 2, 'off_topic', 1, '2024-04-30 09:00:00+00:00', '2024-05-01 09:00:00+00:00', 1);
