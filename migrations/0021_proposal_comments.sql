-- A texte de propositions' comments are an ordinary discussion, like a
-- fiche's: started by the first comment, in a category of its own listed
-- last, and linked from proposals.topic_id. Each comment may name the
-- proposition it is about. Comments are taken only while the text is
-- readable by everyone (published, archived, or open to visitors too): the
-- discussion is public like any other.
INSERT INTO categories (slug, name, description, position)
SELECT 'commentaires-propositions', 'Commentaires des textes de propositions',
       'Les échanges sur les textes de propositions du réseau : questions, remarques, proposition par proposition.',
       coalesce(max(position), 0) + 1
FROM categories
WHERE NOT EXISTS (SELECT 1 FROM categories WHERE slug = 'commentaires-propositions');

ALTER TABLE proposals ADD COLUMN topic_id INTEGER REFERENCES topics (id);
CREATE INDEX proposals_topic ON proposals (topic_id);
