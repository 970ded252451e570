-- Schema 7: the link that gives Karim his former address back.
INSERT INTO account_tokens (hash, purpose, user_id, data, created_at, expires_at) VALUES
    ('9f86d081884c7d659a2feaa0c55ad015', 'email-undo', 2, 'karim@ancien.fr', '2024-02-06 10:00:00+00:00', '2024-02-13 10:00:00+00:00');
