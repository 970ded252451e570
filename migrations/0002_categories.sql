-- Discussion categories, with the defaults a new community starts with.
CREATE TABLE categories (
    id          INTEGER PRIMARY KEY,
    slug        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    position    INTEGER NOT NULL DEFAULT 0
);

INSERT INTO categories (slug, name, description, position) VALUES
    ('metier-et-reconnaissance', 'Métier et reconnaissance', 'Le métier de médiateur·rice numérique, les statuts, la formation, la reconnaissance.', 1),
    ('accompagnement-des-publics', 'Accompagnement des publics', 'Accueillir et accompagner les personnes éloignées du numérique.', 2),
    ('demarches-en-ligne', 'Démarches en ligne', 'CAF, France Travail, impôts, ANTS, santé : les démarches et leurs pièges.', 3),
    ('outils-et-materiel', 'Outils et matériel', 'Logiciels, smartphones, ordinateurs, ressources pédagogiques.', 4),
    ('territoires-et-reseaux', 'Territoires et réseaux', 'Les réseaux locaux, les partenariats, les financements.', 5),
    ('vie-de-la-ligue', 'Vie de la Ligue', 'Le fonctionnement de la Ligue, ses règles, ses projets.', 6);
