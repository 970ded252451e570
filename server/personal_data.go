package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/ligue-mednum/ligue/content"
)

// Personal data (RGPD): the privacy page, « Mes données » (the ZIP export,
// prepared in the background), the account's deletion, and the retention
// job that purges old IP traces and inactive accounts.

func (s *Server) personalDataRoutes(app *fiber.App) {
	app.Get("/confidentialite", s.handlePrivacy)
	account := app.Group("/compte", s.requireMember)
	account.Get("/donnees", s.handleDataPage)
	account.Post("/donnees", s.handleDataExport)
	account.Get("/donnees/"+exportDownloadName, s.handleDataDownload)
	account.Get("/supprimer", s.handleAccountDeleteForm)
	account.Post("/supprimer", s.handleAccountDelete)
	account.Post("/reconnexion", s.handleReauth)
}

// exportDownloadName is the last part of the download's path.
const exportDownloadName = "mes-donnees.zip"

func (s *Server) handlePrivacy(c *fiber.Ctx) error {
	return s.render(c, 200, "pages/privacy", &privacyPage{Page: s.page(c, "Confidentialité"),
		ContributionDays: days(content.ContributionIPRetention), OtherDays: days(content.OtherIPRetention),
		ExportDays: days(content.ExportRetention), MailDays: days(content.SentMailRetention), Contact: s.cfg.MailFrom})
}

type privacyPage struct {
	Page
	ContributionDays, OtherDays, ExportDays, MailDays int
	Contact                                           string // the address members write to
}

func days(d time.Duration) int { return int(d / (24 * time.Hour)) }

type dataPage struct {
	Page
	Export     *content.DataExport // nil: never asked
	Next       time.Time           // when the next request is possible (zero: now)
	Refusal    string
	ExportDays int
}

func (s *Server) dataPage(c *fiber.Ctx) (*dataPage, error) {
	p := &dataPage{Page: s.page(c, "Mes données"), ExportDays: days(content.ExportRetention)}
	e, err := s.store.LatestExport(c.UserContext(), p.User.ID)
	switch {
	case errors.Is(err, content.ErrNotFound):
	case err != nil:
		return nil, err
	default:
		p.Export = e
		if next := e.RequestedAt.Add(content.ExportEvery); next.After(s.store.Now()) && e.State != content.ExportFailed {
			p.Next = next
		}
	}
	return p, nil
}

func (s *Server) handleDataPage(c *fiber.Ctx) error {
	p, err := s.dataPage(c)
	if err != nil {
		return err
	}
	return s.render(c, 200, "accounts/data", p)
}

func (s *Server) handleDataExport(c *fiber.Ctx) error {
	u := currentUser(c)
	_, err := s.store.RequestExport(c.UserContext(), u)
	var soon *content.ExportTooSoonError
	if errors.As(err, &soon) {
		s.log.Warn("data export refused: one a day", "user", u.ID, "next", soon.Next, "request_id", requestID(c))
		p, err := s.dataPage(c)
		if err != nil {
			return err
		}
		p.Refusal = "Vous avez déjà demandé vos données le " + frenchDateTime(p.Export.RequestedAt) +
			" : un export par jour au plus. Vous pourrez en demander un nouveau à partir du " + frenchDateTime(soon.Next) + "."
		if p.Export.Busy() {
			p.Refusal = "Votre export est déjà en préparation : inutile de le redemander, il sera prêt dans quelques instants."
		}
		c.Set(fiber.HeaderRetryAfter, strconv.Itoa(int(max(time.Second, soon.Next.Sub(s.store.Now())).Seconds())))
		return s.render(c, fiber.StatusTooManyRequests, "accounts/data", p)
	}
	if err != nil {
		return err
	}
	s.log.Info("data export requested", "user", u.ID, "request_id", requestID(c))
	s.pokeExports()
	return s.redirectWithFlash(c, "/compte/donnees", "C’est noté : vos données sont en préparation. "+
		"Vous recevrez un e-mail dès que le fichier sera prêt ; vous pouvez aussi actualiser cette page.")
}

func (s *Server) handleDataDownload(c *fiber.Ctx) error {
	u := currentUser(c)
	e, err := s.store.LatestExport(c.UserContext(), u.ID)
	if err != nil && !errors.Is(err, content.ErrNotFound) {
		return err
	}
	if err != nil || e.State != content.ExportReady || e.File == "" {
		return &httpError{fiber.StatusNotFound, "not_found", "Aucun export prêt à télécharger : demandez-en un depuis la page « Mes données »."}
	}
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="ligue-mes-donnees-`+e.ReadyAt.In(paris).Format("2006-01-02")+`.zip"`)
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	c.Type("zip")
	return c.SendFile(filepath.Join(s.exportDir(), filepath.Base(e.File)), false)
}

// Exports are prepared by one background loop, woken at each request.

func (s *Server) exportDir() string { return filepath.Join(s.cfg.DataDir, "exports") }

func (s *Server) pokeExports() {
	select {
	case s.exportWake <- struct{}{}:
	default:
	}
}

// RunExports prepares every export waiting now (tests call it; the
// running server does it in the background).
func (s *Server) RunExports(ctx context.Context) error {
	for {
		e, err := s.store.ClaimExport(ctx)
		if errors.Is(err, content.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		if err := s.prepareExport(ctx, e); err != nil {
			s.log.Error("data export failed", "export", e.ID, "user", e.UserID, "err", err)
			if err := s.store.FailExport(ctx, e.ID); err != nil {
				return err
			}
		}
	}
}

func (s *Server) prepareExport(ctx context.Context, e *content.DataExport) error {
	if err := os.MkdirAll(s.exportDir(), 0o750); err != nil {
		return err
	}
	var random [12]byte
	if _, err := rand.Read(random[:]); err != nil {
		return err
	}
	name := strconv.FormatInt(e.ID, 10) + "-" + hex.EncodeToString(random[:]) + ".zip"
	tmp, err := os.CreateTemp(s.exportDir(), ".export-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	last := -1
	err = s.store.WriteExport(ctx, e.UserID, tmp, s.uploadDir(), func(percent int) {
		if percent/10 != last/10 { // a write every tenth is enough for a page refreshed by hand
			last = percent
			if err := s.store.SetExportProgress(ctx, e.ID, percent); err != nil {
				s.log.Error("data export progress", "export", e.ID, "err", err)
			}
		}
	})
	if err == nil {
		err = tmp.Sync()
	}
	info, statErr := tmp.Stat()
	if cerr := tmp.Close(); err == nil {
		err = errors.Join(cerr, statErr)
	}
	if err != nil {
		return err
	}
	path := filepath.Join(s.exportDir(), name)
	if err := os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	u, err := s.store.UserByID(ctx, e.UserID)
	if err == nil {
		err = s.store.FinishExport(ctx, e.ID, name, info.Size(), s.mail(u.Email, "export", linkMail{Pseudo: u.Pseudo,
			URL: s.cfg.BaseURL + "/compte/donnees"}))
	}
	if err != nil {
		os.Remove(path)
		return err
	}
	s.log.Info("data export ready", "export", e.ID, "user", e.UserID, "bytes", info.Size())
	s.mailer.poke()
	return nil
}

// exportLoop prepares exports as they are asked for, until ctx ends.
func (s *Server) exportLoop(ctx context.Context) {
	if err := s.store.RequeueRunningExports(ctx); err != nil && ctx.Err() == nil {
		s.log.Error("data exports", "err", err)
	}
	tick := time.NewTicker(time.Minute)
	defer tick.Stop()
	for {
		if err := s.RunExports(ctx); err != nil && ctx.Err() == nil {
			s.log.Error("data exports", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		case <-s.exportWake:
		}
	}
}

// RunRetention applies the retention periods now: IP traces past their
// time, exports past their date, inactive accounts warned then
// anonymised. The running server does it every hour.
func (s *Server) RunRetention(ctx context.Context) error {
	purged, err := s.store.PurgeTraces(ctx)
	if err != nil {
		return err
	}
	files, err := s.store.ExpireExports(ctx)
	if err != nil {
		return err
	}
	s.removeFiles(s.exportDir(), files)
	warned, err := s.store.WarnInactiveAccounts(ctx, func(u *content.User, erasedOn time.Time) content.Mail {
		return s.inactiveMail(u, erasedOn)
	})
	if warned > 0 {
		s.mailer.poke()
	}
	if err != nil {
		return err
	}
	erased, err := s.store.AnonymizeInactiveAccounts(ctx)
	for _, e := range erased {
		s.removeErased(e)
	}
	if purged+int64(len(files))+int64(warned)+int64(len(erased)) > 0 {
		s.log.Info("retention", "traces_purged", purged, "exports_expired", len(files), "inactive_warned", warned,
			"inactive_anonymised", len(erased))
	}
	return err
}

// removeErased deletes the files an erased account leaves.
func (s *Server) removeErased(e *content.Erased) {
	s.removeFiles(s.exportDir(), e.Exports)
	s.removeFiles(s.uploadDir(), e.Uploads)
}

func (s *Server) removeFiles(dir string, names []string) {
	for _, n := range names {
		if n == "" {
			continue
		}
		if err := os.Remove(filepath.Join(dir, filepath.Base(n))); err != nil && !errors.Is(err, os.ErrNotExist) {
			s.log.Error("remove file", "dir", dir, "name", n, "err", err)
		}
	}
}

// inactiveMailView is what the warning to an inactive account shows.
type inactiveMailView struct {
	Pseudo, URL, Date string
}

func (s *Server) inactiveMail(u *content.User, erasedOn time.Time) content.Mail {
	subject, body, err := s.views.Mail("inactive", inactiveMailView{Pseudo: u.Pseudo, URL: s.cfg.BaseURL + "/connexion",
		Date: frenchDate(erasedOn)})
	if err != nil {
		panic(err) // embedded templates: caught by the tests that render every mail
	}
	return content.Mail{To: u.Email, Subject: subject, Body: body, HTML: s.plainHTML(subject, body)}
}
