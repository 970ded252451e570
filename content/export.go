package content

import (
	"archive/zip"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
)

// « Télécharger mes données »: a member asks for everything the site holds
// about them; the server prepares a ZIP in the background (one JSON file
// per kind of data, plus their attached files), tells them by mail, and
// deletes it after ExportRetention.

// Export limits.
const (
	ExportEvery     = 24 * time.Hour     // one request a day
	ExportRetention = 7 * 24 * time.Hour // a prepared ZIP stays downloadable this long
	exportRowsKept  = 30 * 24 * time.Hour
)

// Export states.
const (
	ExportPending = "pending"
	ExportRunning = "running"
	ExportReady   = "ready"
	ExportFailed  = "failed"
	ExportExpired = "expired"
)

// DataExport is one request of a member's data.
type DataExport struct {
	ID          int64      `db:"id"`
	UserID      int64      `db:"user_id"`
	State       string     `db:"state"`
	Progress    int        `db:"progress"`
	File        string     `db:"file"`
	Size        int64      `db:"size"`
	RequestedAt time.Time  `db:"requested_at"`
	ReadyAt     *time.Time `db:"ready_at"`
	ExpiresAt   *time.Time `db:"expires_at"`
}

// Busy tells whether the export is still being prepared.
func (e *DataExport) Busy() bool { return e.State == ExportPending || e.State == ExportRunning }

// SizeLabel is the ZIP's size in French ("1,2 Mo").
func (e *DataExport) SizeLabel() string { return humanSize(e.Size) }

// ExportTooSoonError refuses an export requested before Next.
type ExportTooSoonError struct{ Next time.Time }

func (e *ExportTooSoonError) Error() string {
	return "too soon, next at " + e.Next.Format(time.RFC3339)
}

const exportColumns = `id, user_id, state, progress, file, size, requested_at, ready_at, expires_at`

// RequestExport queues an export of u's data: at most one a day, and none
// while one is being prepared.
func (s *Store) RequestExport(ctx context.Context, u *User) (*DataExport, error) {
	now := s.Now()
	var out DataExport
	err := s.withTx(ctx, func(tx *sqlx.Tx) error {
		var last DataExport
		err := tx.GetContext(ctx, &last, `SELECT `+exportColumns+` FROM data_exports WHERE user_id = ? ORDER BY id DESC LIMIT 1`, u.ID)
		if err == nil && (last.Busy() || now.Sub(last.RequestedAt) < ExportEvery) {
			return &ExportTooSoonError{Next: last.RequestedAt.Add(ExportEvery)}
		}
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO data_exports (user_id, requested_at) VALUES (?, ?)`, u.ID, now)
		if err != nil {
			return err
		}
		id, _ := res.LastInsertId()
		return tx.GetContext(ctx, &out, `SELECT `+exportColumns+` FROM data_exports WHERE id = ?`, id)
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// LatestExport is u's most recent export request, or ErrNotFound.
func (s *Store) LatestExport(ctx context.Context, userID int64) (*DataExport, error) {
	var e DataExport
	err := s.db.R.GetContext(ctx, &e, `SELECT `+exportColumns+` FROM data_exports WHERE user_id = ? ORDER BY id DESC LIMIT 1`, userID)
	return &e, notFound(err)
}

// ClaimExport takes the oldest pending export for preparing, or ErrNotFound.
func (s *Store) ClaimExport(ctx context.Context) (*DataExport, error) {
	var e DataExport
	err := s.withTx(ctx, func(tx *sqlx.Tx) error {
		if err := tx.GetContext(ctx, &e, `SELECT `+exportColumns+` FROM data_exports WHERE state = 'pending' ORDER BY id LIMIT 1`); err != nil {
			return notFound(err)
		}
		e.State = ExportRunning
		_, err := tx.ExecContext(ctx, `UPDATE data_exports SET state = 'running', progress = 0 WHERE id = ?`, e.ID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &e, nil
}

// RequeueRunningExports puts back the exports a stopped server was preparing.
func (s *Store) RequeueRunningExports(ctx context.Context) error {
	_, err := s.db.W.ExecContext(ctx, `UPDATE data_exports SET state = 'pending', progress = 0 WHERE state = 'running'`)
	return err
}

// SetExportProgress records how far export id is, in percent.
func (s *Store) SetExportProgress(ctx context.Context, id int64, percent int) error {
	_, err := s.db.W.ExecContext(ctx, `UPDATE data_exports SET progress = ? WHERE id = ? AND state = 'running'`, percent, id)
	return err
}

// FinishExport marks export id ready as file, and queues mail (the link to
// the page) in the same transaction.
func (s *Store) FinishExport(ctx context.Context, id int64, file string, size int64, mail Mail) error {
	now := s.Now()
	return s.withTx(ctx, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE data_exports SET state = 'ready', progress = 100, file = ?, size = ?, ready_at = ?,
			expires_at = ? WHERE id = ? AND state = 'running'`, file, size, now, now.Add(ExportRetention), id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound // the account was erased meanwhile
		}
		return enqueueMail(ctx, tx, now, mail)
	})
}

// FailExport marks export id failed; the member may ask again at once.
func (s *Store) FailExport(ctx context.Context, id int64) error {
	_, err := s.db.W.ExecContext(ctx, `UPDATE data_exports SET state = 'failed', requested_at = ? WHERE id = ?`,
		s.Now().Add(-ExportEvery), id)
	return err
}

// ExpireExports marks the exports past their date expired and returns their
// files, for the caller to delete; old rows are forgotten.
func (s *Store) ExpireExports(ctx context.Context) ([]string, error) {
	now := s.Now()
	var files []string
	err := s.withTx(ctx, func(tx *sqlx.Tx) error {
		if err := tx.SelectContext(ctx, &files, `SELECT file FROM data_exports WHERE state = 'ready' AND expires_at <= ?`, now); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE data_exports SET state = 'expired', file = '' WHERE state = 'ready' AND expires_at <= ?`, now); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM data_exports WHERE state IN ('expired', 'failed') AND requested_at < ?`, now.Add(-exportRowsKept))
		return err
	})
	return files, err
}

// exportSection is one JSON file of the ZIP: a query over the member's rows.
type exportSection struct {
	file, query string
	object      bool // one row, written as an object rather than a list
}

// exportSections lists everything the site holds about a member. The
// queries take the member's id, then the hash of their address (their
// signatures as a visitor).
var exportSections = []exportSection{
	{file: "profil.json", object: true, query: `SELECT pseudo, email, role, structure, departement, metier,
		verified_at AS adresse_confirmee_le, created_at AS inscrit_le, active_at AS derniere_visite FROM users WHERE id = ?1`},
	{file: "preferences-notifications.json", query: `SELECT kind AS type, delivery AS envoi FROM notification_prefs WHERE user_id = ?1 ORDER BY kind`},
	{file: "discussions.json", query: `SELECT t.id, t.title AS titre, c.name AS categorie, t.created_at AS cree_le,
		'/discussions/' || t.id || '/' || t.slug AS adresse FROM topics t JOIN categories c ON c.id = t.category_id
		WHERE t.author_id = ?1 ORDER BY t.id`},
	{file: "messages-forum.json", query: `SELECT p.id, p.topic_id AS discussion, t.title AS titre_discussion, p.number AS numero,
		p.body AS texte, p.created_at AS ecrit_le, p.edited_at AS modifie_le, p.deleted_at AS supprime_le, p.hidden_at AS masque_le
		FROM posts p JOIN topics t ON t.id = p.topic_id WHERE p.author_id = ?1 ORDER BY p.id`},
	{file: "versions-messages.json", query: `SELECT v.post_id AS message, v.body AS texte, v.created_at AS ecrit_le
		FROM post_versions v JOIN posts p ON p.id = v.post_id WHERE p.author_id = ?1 ORDER BY v.id`},
	{file: "revisions-fiches.json", query: `SELECT f.slug AS fiche, r.number AS revision, r.title AS titre, r.summary AS chapo,
		r.body AS texte, r.tags AS etiquettes, r.comment AS commentaire, r.created_at AS enregistree_le
		FROM fiche_revisions r JOIN fiches f ON f.id = r.fiche_id WHERE r.author_id = ?1 ORDER BY r.id`},
	{file: "textes.json", query: `SELECT slug, title AS titre, state AS etat, created_at AS cree_le FROM proposals
		WHERE owner_id = ?1 ORDER BY id`},
	{file: "modifications-textes.json", query: `SELECT p.slug AS texte, r.number AS revision, r.part AS partie, r.title AS titre,
		r.body AS contenu, r.comment AS commentaire, r.created_at AS le FROM proposal_revisions r
		JOIN proposals p ON p.id = r.proposal_id WHERE r.author_id = ?1 ORDER BY r.id`},
	{file: "amendements.json", query: `SELECT p.slug AS texte, a.id, a.kind AS type, a.title AS titre, a.body AS texte_propose,
		a.justification, a.state AS etat, a.reason AS raison_du_refus, a.created_at AS propose_le FROM amendments a
		JOIN proposals p ON p.id = a.proposal_id WHERE a.author_id = ?1 ORDER BY a.id`},
	{file: "signatures.json", query: `SELECT p.slug AS texte, p.title AS titre, s.version, s.name AS nom, s.metier AS role,
		s.structure, s.departement, s.created_at AS signe_le, s.confirmed_at AS confirme_le,
		CASE WHEN s.user_id IS NULL THEN 'visiteur' ELSE 'membre' END AS signe_comme
		FROM signatures s JOIN proposals p ON p.id = s.proposal_id WHERE s.user_id = ?1 OR s.email_hash = ?2 ORDER BY s.id`},
	{file: "signalements-fiches.json", query: `SELECT f.slug AS fiche, r.heading AS section, r.comment AS commentaire,
		r.created_at AS le, r.handled_at AS traite_le FROM fiche_reports r JOIN fiches f ON f.id = r.fiche_id
		WHERE r.user_id = ?1 ORDER BY r.id`},
	{file: "notifications.json", query: `SELECT kind AS type, object_type AS objet, object_id AS objet_id, target_type AS cible,
		target_id AS cible_id, number AS numero, count AS nombre, detail, created_at AS le, read_at AS lue_le
		FROM notifications WHERE user_id = ?1 ORDER BY id`},
	{file: "collections.json", query: `SELECT c.id, c.name AS nom, c.description, c.public AS publique, c.created_at AS creee_le,
		coalesce((SELECT group_concat(f.slug, ', ') FROM collection_items i JOIN fiches f ON f.id = i.fiche_id
			WHERE i.collection_id = c.id), '') AS fiches
		FROM collections c WHERE c.owner_id = ?1 ORDER BY c.id`},
	{file: "messages-prives.json", query: `SELECT m.conversation_id AS conversation, c.title AS objet, m.number AS numero,
		m.body AS texte, m.created_at AS envoye_le FROM messages m JOIN conversations c ON c.id = m.conversation_id
		WHERE m.author_id = ?1 ORDER BY m.id`},
	{file: "brouillons.json", query: `SELECT place AS lieu, title AS titre, body AS texte, extra AS autres_champs,
		updated_at AS enregistre_le FROM drafts WHERE user_id = ?1 ORDER BY updated_at`},
	{file: "abonnements.json", query: `SELECT target_type AS type, target_id AS id, level AS niveau, created_at AS depuis
		FROM follows WHERE user_id = ?1 ORDER BY created_at`},
	{file: "enregistrements.json", query: `SELECT post_id AS message, created_at AS le FROM bookmarks WHERE user_id = ?1 ORDER BY created_at`},
	{file: "sessions.json", query: `SELECT user_agent AS navigateur, created_at AS ouverte_le, last_seen_at AS vue_le,
		expires_at AS expire_le FROM sessions WHERE user_id = ?1 ORDER BY created_at`},
	{file: "jetons-api.json", query: `SELECT name AS nom, hint AS debut, created_at AS cree_le, last_used_at AS utilise_le,
		revoked_at AS revoque_le FROM api_tokens WHERE user_id = ?1 ORDER BY id`},
	{file: "adresses-ip.json", query: `SELECT entity_type AS type, entity_id AS id, kind AS evenement, ip, created_at AS le
		FROM contribution_ips WHERE user_id = ?1 ORDER BY id`},
	{file: "fichiers.json", query: `SELECT name AS fichier, original AS nom_d_origine, content_type AS type, size AS taille,
		created_at AS joint_le FROM uploads WHERE user_id = ?1 ORDER BY id`},
}

// ExportFiles names the files of an export ZIP, in order (attached files
// follow under fichiers/).
func ExportFiles() []string {
	names := []string{"LISEZMOI.txt"}
	for _, s := range exportSections {
		names = append(names, s.file)
	}
	return names
}

const exportReadme = `Vos données sur la Ligue
========================

Ce fichier ZIP contient tout ce que la Ligue garde à votre sujet, au format JSON
(un fichier par type de données, lisible avec un éditeur de texte) :

- profil.json : votre pseudo, votre adresse, votre profil ;
- preferences-notifications.json : vos choix d’envoi des notifications ;
- discussions.json, messages-forum.json, versions-messages.json : ce que vous avez écrit
  dans les discussions, et les versions précédentes de vos messages modifiés ;
- revisions-fiches.json : vos révisions de fiches ;
- textes.json, modifications-textes.json, amendements.json : vos textes de propositions,
  vos modifications et vos amendements ;
- signatures.json : vos signatures (comme membre, ou comme visiteur avec la même adresse) ;
- signalements-fiches.json : les informations obsolètes que vous avez signalées dans des fiches ;
- notifications.json, collections.json, abonnements.json, enregistrements.json ;
- messages-prives.json : les messages privés que vous avez envoyés ;
- brouillons.json : vos brouillons ;
- sessions.json, jetons-api.json : vos connexions en cours et vos jetons d’API ;
- adresses-ip.json : l’adresse IP et l’heure de chacune de vos contributions de
  l’année écoulée (une obligation légale des hébergeurs) ;
- fichiers.json et le dossier fichiers/ : les images et PDF que vous avez joints.

Les dates sont en temps universel (UTC). Pour toute question : voir la page
« Confidentialité » du site.
`

// WriteExport writes the ZIP of userID's data to w, reading attached files
// from uploadDir; progress is told the share done, in percent.
func (s *Store) WriteExport(ctx context.Context, userID int64, w io.Writer, uploadDir string, progress func(percent int)) error {
	var email string
	if err := s.db.R.GetContext(ctx, &email, `SELECT email FROM users WHERE id = ?`, userID); err != nil {
		return notFound(err)
	}
	var uploads []string
	if err := s.db.R.SelectContext(ctx, &uploads, `SELECT name FROM uploads WHERE user_id = ? ORDER BY id`, userID); err != nil {
		return err
	}
	z := zip.NewWriter(w)
	steps, done := len(exportSections)+len(uploads)+1, 0
	step := func() {
		done++
		if progress != nil {
			progress(min(99, done*100/steps))
		}
	}
	f, err := z.Create("LISEZMOI.txt")
	if err != nil {
		return err
	}
	if _, err := io.WriteString(f, exportReadme); err != nil {
		return err
	}
	step()
	for _, sec := range exportSections {
		rows, err := s.exportRows(ctx, sec.query, userID, hashToken(NormalizeEmail(email)))
		if err != nil {
			return fmt.Errorf("export %s: %w", sec.file, err)
		}
		var v any = rows
		if sec.object && len(rows) > 0 {
			v = rows[0]
		}
		b, err := json.MarshalIndent(v, "", "  ")
		if err != nil {
			return err
		}
		f, err := z.Create(sec.file)
		if err != nil {
			return err
		}
		if _, err := f.Write(append(b, '\n')); err != nil {
			return err
		}
		step()
	}
	for _, name := range uploads {
		src, err := os.Open(filepath.Join(uploadDir, filepath.Base(name)))
		if errors.Is(err, os.ErrNotExist) {
			step()
			continue // listed in fichiers.json; the file itself is gone
		}
		if err != nil {
			return err
		}
		f, err := z.Create("fichiers/" + name)
		if err == nil {
			_, err = io.Copy(f, src)
		}
		src.Close()
		if err != nil {
			return err
		}
		step()
	}
	return z.Close()
}

// exportRows runs an export query and returns its rows as JSON objects.
func (s *Store) exportRows(ctx context.Context, query string, userID int64, emailHash string) ([]map[string]any, error) {
	args := []any{userID}
	if strings.Contains(query, "?2") {
		args = append(args, emailHash)
	}
	rows, err := s.db.R.QueryxContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []map[string]any{}
	for rows.Next() {
		m := map[string]any{}
		if err := rows.MapScan(m); err != nil {
			return nil, err
		}
		for k, v := range m {
			if b, ok := v.([]byte); ok {
				m[k] = string(b)
			}
		}
		out = append(out, m)
	}
	return out, rows.Err()
}
