package server

import (
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/ligue-mednum/ligue/content"
)

// uploadDir is where attached files live, inside the data folder.
func (s *Server) uploadDir() string { return filepath.Join(s.cfg.DataDir, "fichiers") }

// attach handles the "Joindre le fichier" button of an editor: the file is
// stored and its markdown appended to the body being written, which comes
// back intact whatever happens.
func (s *Server) attach(c *fiber.Ctx, f *form) error {
	up, alt, err := s.upload(c)
	if err := s.writeRefusal(f, err); err != nil || f.HasErrors() {
		return err
	}
	body := strings.TrimRight(f.Get("body"), "\n")
	if body != "" {
		body += "\n\n"
	}
	f.Values["body"] = body + up.Markdown(alt) + "\n"
	f.Values["attached"] = "1"
	return nil
}

// upload stores the file of the request's "fichier" field (checked,
// re-encoded, one decode slot at a time) and returns it with the
// description to give it; a refusal is a validation error.
func (s *Server) upload(c *fiber.Ctx) (*content.Upload, string, error) {
	fh, err := c.FormFile("fichier")
	if err != nil {
		return nil, "", content.Invalid("fichier", "Choisissez un fichier à joindre.")
	}
	// Each attempt counts: decoding is what costs.
	if err := s.store.CheckLimit(c.UserContext(), currentUser(c), content.LimitUploads); err != nil {
		return nil, "", err
	}
	if fh.Size > s.cfg.MaxUpload {
		return nil, "", content.Invalid("fichier", "Ce fichier est trop volumineux : "+strings.TrimSpace(humanMB(s.cfg.MaxUpload))+" au plus.")
	}
	file, err := fh.Open()
	if err != nil {
		return nil, "", err
	}
	defer file.Close()
	data, err := io.ReadAll(io.LimitReader(file, s.cfg.MaxUpload+1))
	if err != nil {
		return nil, "", err
	}
	var up *content.Upload
	err = s.decoding(func() (err error) {
		up, err = s.store.SaveUpload(c.UserContext(), currentUser(c), fh.Filename, data, s.cfg.MaxUpload, s.uploadDir())
		return err
	})
	if err != nil {
		return nil, "", err
	}
	alt := strings.TrimSpace(c.FormValue("alt"))
	if alt == "" {
		alt = "image jointe par " + currentUser(c).Pseudo
	}
	return up, alt, nil
}

// preview renders the body of a composer into f.Preview ("Aperçu", the
// no-JS way to see a text before publishing it).
func (s *Server) preview(c *fiber.Ctx, f *form) error {
	html, err := s.store.Preview(c.UserContext(), f.Get("body"))
	if err := f.fail(err); err != nil {
		return err
	}
	f.Preview = html
	return nil
}

func humanMB(n int64) string {
	mb := strconv.FormatFloat(float64(n)/(1<<20), 'f', -1, 64)
	return strings.Replace(mb, ".", ",", 1) + "\u00a0Mo"
}

var uploadName = regexp.MustCompile(`^[0-9a-f]{32}(\.small)?\.(jpg|png|pdf)$`)

// handleUploadShow serves an attached file with the type found at upload,
// documents as downloads, all cached forever (names are content hashes).
func (s *Server) handleUploadShow(c *fiber.Ctx) error {
	name := c.Params("name")
	if !uploadName.MatchString(name) {
		return content.ErrNotFound
	}
	up, err := s.store.UploadByName(c.UserContext(), name)
	if err != nil {
		return err
	}
	data, err := os.ReadFile(filepath.Join(s.uploadDir(), name))
	if os.IsNotExist(err) {
		return content.ErrNotFound
	}
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, up.ContentType)
	c.Set(fiber.HeaderCacheControl, "public, max-age=31536000, immutable")
	c.Set("Content-Security-Policy", "default-src 'none'; img-src 'self'; sandbox")
	if !up.IsImage() {
		c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+strings.ReplaceAll(up.Original, `"`, "")+`"`)
	}
	return c.Send(data)
}
