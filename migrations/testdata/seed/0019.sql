-- Schema 19, textes de propositions: Léa's published text, Karim co-author.
INSERT INTO proposals (id, slug, owner_id, title, preamble, preamble_html, state, members_only, revision, version, created_at, updated_at) VALUES
    (1, 'dix-propositions', 1, 'Dix propositions', 'Nous, médiateurs et médiatrices…', '<p>Nous, médiateurs et médiatrices…</p>
', 'published', 1, 2, 1, '2024-04-01 10:00:00+00:00', '2024-04-01 10:10:00+00:00');
INSERT INTO proposal_members (proposal_id, user_id, role, invited_as, added_at) VALUES
    (1, 2, 'coauthor', 'coauthor', '2024-04-01 10:02:00+00:00');
INSERT INTO proposal_items (id, proposal_id, position, title, body, html, created_at, updated_at) VALUES
    (1, 1, 1, 'Un accueil physique', 'Dans chaque **commune**.', '<p>Dans chaque <strong>commune</strong>.</p>
', '2024-04-01 10:05:00+00:00', '2024-04-01 10:05:00+00:00');
INSERT INTO proposal_revisions (id, proposal_id, number, part, item_id, item_revision, title, body, author_id, created_at) VALUES
    (1, 1, 1, 'title', NULL, 0, 'Dix propositions', 'Dix propositions', 1, '2024-04-01 10:00:00+00:00'),
    (2, 1, 1, 'preamble', NULL, 0, 'Dix propositions', 'Nous, médiateurs et médiatrices…', 1, '2024-04-01 10:00:00+00:00'),
    (3, 1, 2, 'item', 1, 1, 'Un accueil physique', 'Dans chaque **commune**.', 1, '2024-04-01 10:05:00+00:00');
INSERT INTO proposal_versions (proposal_id, number, revision, title, preamble, preamble_html, conclusion, conclusion_html, items, published_by, published_at) VALUES
    (1, 1, 2, 'Dix propositions', 'Nous, médiateurs et médiatrices…', '<p>Nous, médiateurs et médiatrices…</p>
', '', '', '[{"title":"Un accueil physique","body":"Dans chaque **commune**.","html":"\u003cp\u003eDans chaque \u003cstrong\u003ecommune\u003c/strong\u003e.\u003c/p\u003e\n"}]',
     1, '2024-04-01 10:10:00+00:00');
INSERT INTO follows (user_id, target_type, target_id, level, created_at) VALUES (1, 'proposal', 1, 'watching', '2024-04-01 10:00:00+00:00');
INSERT INTO audit_log (id, actor_id, action, target_type, target_id, detail, created_at) VALUES
    (2, 1, 'proposal_published', 'proposal', 1, 'draft → published', '2024-04-01 10:10:00+00:00');
