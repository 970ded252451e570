-- Schema 15, notifications: Léa is told of Karim's answer.
INSERT INTO notifications (id, user_id, kind, rank, grp, object_type, object_id, target_type, target_id, number, actor_id, count, created_at) VALUES
    (1, 1, 'reply', 5, 'activity', 'topic', 1, 'post', 2, 2, 2, 1, '2024-03-05 11:00:00+00:00');
