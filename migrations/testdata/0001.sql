-- The rows of a database at schema 1. Made by go test ./migrations -run TestUpgradeFromEverySchema -update
-- from testdata/seed: do not edit.
INSERT INTO account_tokens (hash, purpose, user_id, data, created_at, expires_at, used_at) VALUES
    ('7c6a180b36896a0a8c02787eeafb0e4c', 'verify', 2, '', '2024-01-11 14:00:00+00:00', '2024-01-12 14:00:00+00:00', '2024-01-11 14:03:00+00:00');
INSERT INTO api_tokens (id, user_id, name, hash, hint, created_at, last_used_at, revoked_at) VALUES
    (1, 2, 'Tableau de bord', '2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae', 'ligue_2c2', '2024-01-12 09:00:00+00:00', NULL, NULL);
INSERT INTO audit_log (id, actor_id, action, target_type, target_id, detail, created_at) VALUES
    (1, 1, 'role', 'user', 2, 'member', '2024-01-11 15:00:00+00:00');
INSERT INTO mails (id, to_addr, subject, body, created_at, sent_at, attempts, last_error) VALUES
    (1, 'karim@exemple.fr', 'Confirmez votre adresse', 'Bonjour Karim, confirmez votre adresse…', '2024-01-11 14:00:00+00:00', '2024-01-11 14:00:02+00:00', 1, '');
INSERT INTO sessions (id_hash, user_id, user_agent, created_at, last_seen_at, expires_at) VALUES
    ('5d41402abc4b2a76b9719d911017c592ae1e0a1ab1f6f5e5a0d6b3f4c8e9d0a1', 2, 'Firefox', '2024-01-11 14:05:00+00:00', '2024-01-12 08:00:00+00:00', '2099-01-01 00:00:00+00:00');
INSERT INTO users (id, pseudo, pseudo_key, email, password_hash, role, structure, departement, metier, verified_at, suspended_at, created_at, updated_at) VALUES
    (1, 'Léa', 'lea', 'lea@exemple.fr', '$argon2id$v=19$m=19456,t=2,p=1$VqVly7XY/7wTVn5SqBvqAg$mrfHHuFUQAszIOljIoEQ+w0ZsieB8u+iEpriBUyEGLc', 'admin', 'Médiathèque de Brest', '29', '', '2024-01-10 09:00:00+00:00', NULL, '2024-01-10 09:00:00+00:00', '2024-01-10 09:00:00+00:00'),
    (2, 'Karim', 'karim', 'karim@exemple.fr', '$argon2id$v=19$m=19456,t=2,p=1$2ZvZMMlkq46ck6Tni/UD5Q$grWDBdOZiB0ZzN/NP9xF/I5s43RZuKV3EV3MDRvu1PU', 'member', 'Centre social des Lilas', '93', '', '2024-01-11 14:00:00+00:00', NULL, '2024-01-11 14:00:00+00:00', '2024-01-11 14:00:00+00:00');
