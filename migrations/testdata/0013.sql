-- The rows of a database at schema 13. Made by go test ./migrations -run TestUpgradeFromEverySchema -update
-- from testdata/seed: do not edit.
INSERT INTO account_tokens (hash, purpose, user_id, data, created_at, expires_at, used_at) VALUES
    ('7c6a180b36896a0a8c02787eeafb0e4c', 'verify', 2, '', '2024-01-11 14:00:00+00:00', '2024-01-12 14:00:00+00:00', '2024-01-11 14:03:00+00:00'),
    ('9f86d081884c7d659a2feaa0c55ad015', 'email-undo', 2, 'karim@ancien.fr', '2024-02-06 10:00:00+00:00', '2024-02-13 10:00:00+00:00', NULL);
INSERT INTO api_tokens (id, user_id, name, hash, hint, created_at, last_used_at, revoked_at) VALUES
    (1, 2, 'Tableau de bord', '2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae', 'ligue_2c2', '2024-01-12 09:00:00+00:00', NULL, NULL);
INSERT INTO audit_log (id, actor_id, action, target_type, target_id, detail, created_at) VALUES
    (1, 1, 'role', 'user', 2, 'member', '2024-01-11 15:00:00+00:00');
INSERT INTO bookmarks (user_id, post_id, created_at) VALUES
    (2, 1, '2024-02-07 09:00:00+00:00');
INSERT INTO collection_items (collection_id, fiche_id, added_at) VALUES
    (1, 1, '2024-03-02 09:00:00+00:00');
INSERT INTO collections (id, owner_id, name, description, public, is_default, created_at, updated_at) VALUES
    (1, 2, 'Mes enregistrements', '', 0, 1, '2024-03-02 09:00:00+00:00', '2024-03-02 09:00:00+00:00');
INSERT INTO drafts (user_id, place, title, body, extra, updated_at) VALUES
    (2, 'topic', 'Pass numérique : qui les distribue ?', 'Je cherche les structures qui…', '{"category":"demarches-en-ligne"}', '2024-02-03 09:00:00+00:00');
INSERT INTO fiche_audiences (fiche_id, audience_id) VALUES
    (1, 1);
INSERT INTO fiche_authors (fiche_id, user_id, added_at) VALUES
    (1, 1, '2024-03-01 10:00:00+00:00');
INSERT INTO fiche_revisions (id, fiche_id, number, author_id, title, summary, body, tags, audiences, comment, size, added, removed, restored, hidden_at, hidden_by, created_at) VALUES
    (1, 1, 1, 1, 'Créer une adresse e-mail', 'Pas à pas, sans rien faire à sa place.', '## Choisir le fournisseur

Ensemble, en expliquant pourquoi.
', 'courriel', 'seniors', 'Création de la fiche', 59, 7, 0, NULL, NULL, NULL, '2024-03-01 10:00:00+00:00');
INSERT INTO fiche_slugs (slug, fiche_id) VALUES
    ('adresse-e-mail', 1);
INSERT INTO fiche_tags (fiche_id, tag_id) VALUES
    (1, 2);
INSERT INTO fiches (id, slug, title, summary, body, html, toc, revision, creator_id, published_at, protected, views, save_count, topic_id, source_topic_id, merged_into, deleted_at, created_at, updated_at) VALUES
    (1, 'creer-une-adresse-e-mail', 'Créer une adresse e-mail', 'Pas à pas, sans rien faire à sa place.', '## Choisir le fournisseur

Ensemble, en expliquant pourquoi.
', '<h2 id="choisir-le-fournisseur">Choisir le fournisseur</h2>
<p>Ensemble, en expliquant pourquoi.</p>
', '[{"level":2,"id":"choisir-le-fournisseur","text":"Choisir le fournisseur"}]', 1, 1, '2024-03-01 10:05:00+00:00', 0, 0, 1, NULL, NULL, NULL, NULL, '2024-03-01 10:00:00+00:00', '2024-03-01 10:05:00+00:00');
INSERT INTO follows (user_id, target_type, target_id, muted, created_at) VALUES
    (1, 'topic', 1, 0, '2024-02-01 10:00:00+00:00'),
    (2, 'category', 4, 1, '2024-02-02 09:00:00+00:00'),
    (2, 'topic', 1, 0, '2024-02-01 11:00:00+00:00');
INSERT INTO mails (id, to_addr, subject, body, created_at, sent_at, attempts, last_error) VALUES
    (1, 'karim@exemple.fr', 'Confirmez votre adresse', 'Bonjour Karim, confirmez votre adresse…', '2024-01-11 14:00:00+00:00', '2024-01-11 14:00:02+00:00', 1, '');
INSERT INTO mercis (post_id, user_id, created_at) VALUES
    (2, 1, '2024-02-01 12:00:00+00:00');
INSERT INTO outbox (id, entity_type, entity_id, created_at, kind, actor_id, parent_type, parent_id, data) VALUES
    (1, 'topic', 1, '2024-02-01 10:00:00+00:00', 'changed', NULL, '', 0, '{}'),
    (2, 'post', 1, '2024-02-01 10:00:00+00:00', 'changed', NULL, '', 0, '{}'),
    (3, 'post', 2, '2024-02-01 11:00:00+00:00', 'changed', NULL, '', 0, '{}');
INSERT INTO post_versions (id, post_id, body, html, editor_id, created_at, next_diff) VALUES
    (1, 2, 'On crée l’adresse avec elle.', '<p>On crée l’adresse avec elle.</p>
', 2, '2024-02-01 11:00:00+00:00', NULL);
INSERT INTO posts (id, topic_id, number, author_id, reply_to, body, html, merci_count, reply_count, created_at, edited_at, deleted_at, hidden_at, hidden_by) VALUES
    (1, 1, 1, 1, NULL, 'Une dame vient **chaque semaine** faire sa demande à la CAF.', '<p>Une dame vient <strong>chaque semaine</strong> faire sa demande à la CAF.</p>
', 0, 1, '2024-02-01 10:00:00+00:00', NULL, NULL, NULL, NULL),
    (2, 1, 2, 2, 1, 'On crée l’adresse avec elle, @Léa, et elle la note dans son carnet.', '<p>On crée l’adresse avec elle, <a href="/membres/L%C3%A9a" class="mention">@Léa</a>, et elle la note dans son carnet.</p>
', 1, 0, '2024-02-01 11:00:00+00:00', '2024-02-01 11:20:00+00:00', NULL, NULL, NULL);
INSERT INTO sessions (id_hash, user_id, user_agent, created_at, last_seen_at, expires_at) VALUES
    ('5d41402abc4b2a76b9719d911017c592ae1e0a1ab1f6f5e5a0d6b3f4c8e9d0a1', 2, 'Firefox', '2024-01-11 14:05:00+00:00', '2024-01-12 08:00:00+00:00', '2099-01-01 00:00:00+00:00');
INSERT INTO strikes (bucket, key, at) VALUES
    ('login-ip', '203.0.113.7', '2024-02-05 08:00:00+00:00');
INSERT INTO tags (id, name, fold) VALUES
    (1, 'caf', NULL),
    (2, 'courriel', NULL);
INSERT INTO topic_reads (user_id, topic_id, last_number) VALUES
    (1, 1, 2),
    (2, 1, 2);
INSERT INTO topic_tags (topic_id, tag_id) VALUES
    (1, 1),
    (1, 2);
INSERT INTO topic_versions (id, topic_id, title, category_id, tags, editor_id, created_at) VALUES
    (1, 1, 'Adresse courriel pour la CAF ?', 3, 'caf', 1, '2024-02-01 10:30:00+00:00');
INSERT INTO topics (id, category_id, author_id, title, slug, kind, pinned, locked, merged_into, accepted_post_id, post_count, last_number, views, last_poster_id, created_at, last_activity_at, answer_count, edited_at) VALUES
    (1, 3, 1, 'Aider une personne sans adresse courriel', 'aider-une-personne-sans-adresse-courriel', 'question', 0, 0, NULL, NULL, 2, 2, 12, 2, '2024-02-01 10:00:00+00:00', '2024-02-01 11:00:00+00:00', 1, '2024-02-01 10:30:00+00:00');
INSERT INTO users (id, pseudo, pseudo_key, email, password_hash, role, structure, departement, metier, verified_at, suspended_at, created_at, updated_at) VALUES
    (1, 'Léa', 'lea', 'lea@exemple.fr', '$argon2id$v=19$m=19456,t=2,p=1$VqVly7XY/7wTVn5SqBvqAg$mrfHHuFUQAszIOljIoEQ+w0ZsieB8u+iEpriBUyEGLc', 'admin', 'Médiathèque de Brest', '29', '', '2024-01-10 09:00:00+00:00', NULL, '2024-01-10 09:00:00+00:00', '2024-01-10 09:00:00+00:00'),
    (2, 'Karim', 'karim', 'karim@exemple.fr', '$argon2id$v=19$m=19456,t=2,p=1$2ZvZMMlkq46ck6Tni/UD5Q$grWDBdOZiB0ZzN/NP9xF/I5s43RZuKV3EV3MDRvu1PU', 'member', 'Centre social des Lilas', '93', '', '2024-01-11 14:00:00+00:00', NULL, '2024-01-11 14:00:00+00:00', '2024-01-11 14:00:00+00:00');
