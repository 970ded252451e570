-- Schema 17, private messages: Léa and Karim plan a session; Léa reported
-- one of Karim's messages.
INSERT INTO conversations (id, title, author_id, last_number, last_message_at, created_at) VALUES
    (1, 'Permanence commune à la médiathèque', 1, 2, '2024-03-10 10:30:00+00:00', '2024-03-10 10:00:00+00:00');
INSERT INTO conversation_members (conversation_id, user_id, joined_at, last_read) VALUES
    (1, 1, '2024-03-10 10:00:00+00:00', 2), (1, 2, '2024-03-10 10:00:00+00:00', 2);
INSERT INTO messages (id, conversation_id, number, author_id, body, html, created_at) VALUES
    (1, 1, 1, 1, 'On se retrouve **jeudi** ?', '<p>On se retrouve <strong>jeudi</strong> ?</p>
', '2024-03-10 10:00:00+00:00'),
    (2, 1, 2, 2, 'Jeudi 14 h, c’est parfait.', '<p>Jeudi 14 h, c’est parfait.</p>
', '2024-03-10 10:30:00+00:00');
INSERT INTO message_reports (id, message_id, reporter_id, reason, created_at) VALUES
    (1, 2, 1, 'Un ton déplacé', '2024-03-10 11:00:00+00:00');
