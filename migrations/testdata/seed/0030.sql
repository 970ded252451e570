-- Schema 30, mail failures counted by day: a mail refused at its last attempt.
INSERT INTO mails (id, to_addr, subject, body, created_at, sent_at, attempts, last_error, html, list_unsubscribe, user_id, next_attempt_at, failed_at, last_error_at) VALUES
    (2, 'inconnue@exemple.fr', 'Confirmez votre adresse', 'Bonjour, confirmez votre adresse…', '2024-06-03 10:00:00+00:00', NULL, 1, '550 mailbox unavailable', '', '', NULL, NULL, '2024-06-03 10:00:03+00:00', '2024-06-03 10:00:03+00:00');
