-- Schema 22, signatures: Karim signed the text.
INSERT INTO signatures (id, proposal_id, version, user_id, name, structure, departement, withdraw_hash, created_at, confirmed_at) VALUES
    (1, 1, 1, 2, 'Karim', 'Centre social des Lilas', '93', 'b5bb9d8014a0f9b1d61e21e796d78dcc', '2024-04-03 09:00:00+00:00', '2024-04-03 09:00:00+00:00');
