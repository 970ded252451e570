-- Schema 26, personal data: the address Karim's answer came from.
INSERT INTO contribution_ips (id, entity_type, entity_id, kind, user_id, ip, created_at) VALUES
    (1, 'post', 2, 'created', 2, '203.0.113.7', '2024-05-03 09:00:00+00:00');
