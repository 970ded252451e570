package server

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"github.com/gofiber/fiber/v2"

	"github.com/ligue-mednum/ligue/content"
	"github.com/ligue-mednum/ligue/pdf"
)

// The PDF of a fiche, made in the binary (package pdf), cached per
// revision: a fiche read by many is drawn once per change. A text of
// propositions' published versions go through the same drawing and cache
// (proposal_export.go).

// pdfCache keeps the latest PDFs made, by fiche, revision and address.
type pdfCache struct {
	mu      sync.Mutex
	entries map[string][]byte
	order   []string
	size    int
}

// pdfCacheBytes bounds the memory the cache holds.
const pdfCacheBytes = 32 << 20

func (p *pdfCache) get(key string) ([]byte, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	b, ok := p.entries[key]
	return b, ok
}

func (p *pdfCache) put(key string, b []byte) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.entries == nil {
		p.entries = map[string][]byte{}
	}
	if _, ok := p.entries[key]; ok || len(b) > pdfCacheBytes/4 {
		return
	}
	p.entries[key] = b
	p.order = append(p.order, key)
	p.size += len(b)
	for p.size > pdfCacheBytes && len(p.order) > 0 {
		old := p.order[0]
		p.order = p.order[1:]
		p.size -= len(p.entries[old])
		delete(p.entries, old)
	}
}

// pdfSlots bounds the PDFs drawn at once: a burst of requests for new
// revisions waits instead of taking every core.
var pdfSlots = make(chan struct{}, 2)

func (s *Server) handleFichePDF(c *fiber.Ctx) error {
	f, authors, err := s.exportedFiche(c, ".pdf")
	if err != nil {
		return err
	}
	key := "fiche:" + strconv.FormatInt(f.ID, 10) + ":" + strconv.Itoa(f.Revision) + ":" + f.Slug
	data, err := s.drawPDF(c, key, f.Published(), func() pdf.Document {
		doc := pdf.Document{Title: f.Title, Summary: f.Summary, Markdown: s.store.ExpandWikiLinks(c.UserContext(), f.Body, s.cfg.BaseURL),
			URL: s.cfg.BaseURL + f.Path(), Revision: f.Revision, Updated: f.UpdatedAt, Licence: content.FicheLicence}
		for _, a := range authors {
			doc.Authors = append(doc.Authors, a.Pseudo)
		}
		return doc
	})
	if err != nil {
		return err
	}
	return sendPDF(c, f.Slug, data)
}

// drawPDF returns the PDF of what doc describes, from the cache under key
// or drawn (at most two at once) and, when cache, kept there. A
// brouillon's PDF is not kept: it is read by few, and changes.
func (s *Server) drawPDF(c *fiber.Ctx, key string, cache bool, doc func() pdf.Document) ([]byte, error) {
	if data, ok := s.pdfs.get(key); ok {
		return data, nil
	}
	select {
	case pdfSlots <- struct{}{}:
	case <-c.UserContext().Done():
		return nil, c.UserContext().Err()
	}
	defer func() { <-pdfSlots }()
	var buf bytes.Buffer
	if err := pdf.Render(&buf, doc(), s.uploadImage); err != nil {
		return nil, err
	}
	if cache {
		s.pdfs.put(key, buf.Bytes())
	}
	return buf.Bytes(), nil
}

// sendPDF answers a PDF export, named after its slug.
func sendPDF(c *fiber.Ctx, slug string, data []byte) error {
	c.Set(fiber.HeaderContentType, "application/pdf")
	c.Set(fiber.HeaderContentDisposition, `inline; filename="`+slug+`.pdf"`)
	return c.Send(data)
}

// uploadImage opens an image members attached, for the PDF; any other
// address (another site) is not fetched.
func (s *Server) uploadImage(src string) (io.ReadCloser, error) {
	name, ok := strings.CutPrefix(src, content.UploadPrefix)
	if !ok || !uploadName.MatchString(name) {
		return nil, os.ErrNotExist
	}
	return os.Open(filepath.Join(s.uploadDir(), name))
}
