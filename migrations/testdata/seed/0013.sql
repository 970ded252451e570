-- Schema 13, fiches: Léa's published fiche (renamed once), saved by Karim.
INSERT INTO fiches (id, slug, title, summary, body, html, toc, revision, creator_id, published_at, save_count, created_at, updated_at) VALUES
    (1, 'creer-une-adresse-e-mail', 'Créer une adresse e-mail', 'Pas à pas, sans rien faire à sa place.',
     '## Choisir le fournisseur

Ensemble, en expliquant pourquoi.
', '<h2 id="choisir-le-fournisseur">Choisir le fournisseur</h2>
<p>Ensemble, en expliquant pourquoi.</p>
', '[{"level":2,"id":"choisir-le-fournisseur","text":"Choisir le fournisseur"}]', 1, 1,
     '2024-03-01 10:05:00+00:00', 1, '2024-03-01 10:00:00+00:00', '2024-03-01 10:05:00+00:00');
INSERT INTO fiche_revisions (id, fiche_id, number, author_id, title, summary, body, tags, audiences, comment, size, added, created_at) VALUES
    (1, 1, 1, 1, 'Créer une adresse e-mail', 'Pas à pas, sans rien faire à sa place.', '## Choisir le fournisseur

Ensemble, en expliquant pourquoi.
', 'courriel', 'seniors', 'Création de la fiche', 59, 7, '2024-03-01 10:00:00+00:00');
INSERT INTO fiche_authors (fiche_id, user_id, added_at) VALUES (1, 1, '2024-03-01 10:00:00+00:00');
INSERT INTO fiche_slugs (slug, fiche_id) VALUES ('adresse-e-mail', 1);
INSERT INTO fiche_tags (fiche_id, tag_id) VALUES (1, 2);
INSERT INTO fiche_audiences (fiche_id, audience_id) VALUES (1, 1);
INSERT INTO collections (id, owner_id, name, is_default, created_at, updated_at) VALUES
    (1, 2, 'Mes enregistrements', 1, '2024-03-02 09:00:00+00:00', '2024-03-02 09:00:00+00:00');
INSERT INTO collection_items (collection_id, fiche_id, added_at) VALUES (1, 1, '2024-03-02 09:00:00+00:00');
