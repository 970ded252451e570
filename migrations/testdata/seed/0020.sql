-- Schema 20, amendments: Karim's, supported by Léa.
INSERT INTO amendments (id, proposal_id, kind, item_id, base_revision, base_title, base_body, title, body, html, justification, author_id, supports, created_at) VALUES
    (1, 1, 'change', 1, 1, 'Un accueil physique', 'Dans chaque **commune**.', 'Un accueil physique',
     'Dans chaque commune, avec une personne formée.', '<p>Dans chaque commune, avec une personne formée.</p>
', 'Un accueil sans personne formée ne sert à rien.', 2, 1, '2024-04-02 09:00:00+00:00');
INSERT INTO amendment_supports (amendment_id, user_id, created_at) VALUES (1, 1, '2024-04-02 10:00:00+00:00');
