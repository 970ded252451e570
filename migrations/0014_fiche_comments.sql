-- The discussions that hold fiches' comments (fiches.topic_id) live in a
-- category of their own, listed last: they are ordinary discussions,
-- found in the lists and in search like the others.
INSERT INTO categories (slug, name, description, position)
SELECT 'commentaires-fiches', 'Commentaires des fiches',
       'Les échanges sur les fiches pratiques : questions, compléments, propositions de modification.',
       coalesce(max(position), 0) + 1
FROM categories
WHERE NOT EXISTS (SELECT 1 FROM categories WHERE slug = 'commentaires-fiches');
