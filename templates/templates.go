// Package templates holds the embedded HTML pages and mail texts and parses
// them once at start. Each page is parsed into its own copy of the layout
// and partials, so pages can define "content" and "head" without clashing.
package templates

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"path"
	"strings"
	texttemplate "text/template"
)

//go:embed layouts partials accounts admin pages errors mail discussions search fiches notifications collections messages proposals moderation
var files embed.FS

// Renderer renders pages by name ("accounts/login") and mails ("verify").
type Renderer struct {
	pages     map[string]*template.Template
	mails     map[string]*texttemplate.Template
	mailHTMLs map[string]*template.Template // the HTML parts, mail/<name>.html
}

// New parses every page and mail with funcs available to them.
func New(funcs template.FuncMap) (*Renderer, error) {
	base := template.New("").Funcs(funcs)
	for _, pattern := range []string{"layouts/*.html", "partials/*.html"} {
		if _, err := base.ParseFS(files, pattern); err != nil {
			return nil, err
		}
	}
	r := &Renderer{pages: map[string]*template.Template{}, mails: map[string]*texttemplate.Template{},
		mailHTMLs: map[string]*template.Template{}}
	err := fs.WalkDir(files, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		dir := path.Dir(p)
		switch {
		case dir == "layouts" || dir == "partials":
			return nil
		case dir == "mail" && path.Ext(p) == ".html":
			t, err := template.New(path.Base(p)).Funcs(funcs).ParseFS(files, p)
			if err != nil {
				return err
			}
			r.mailHTMLs[strings.TrimSuffix(path.Base(p), ".html")] = t
			return nil
		case dir == "mail":
			t, err := texttemplate.New(path.Base(p)).Funcs(texttemplate.FuncMap(funcs)).ParseFS(files, p)
			if err != nil {
				return err
			}
			r.mails[strings.TrimSuffix(path.Base(p), ".txt")] = t
			return nil
		}
		t, err := template.Must(base.Clone()).ParseFS(files, p)
		if err != nil {
			return err
		}
		r.pages[strings.TrimSuffix(p, ".html")] = t
		return nil
	})
	return r, err
}

// Names lists every page name (tests render them all).
func (r *Renderer) Names() []string {
	names := make([]string, 0, len(r.pages))
	for n := range r.pages {
		names = append(names, n)
	}
	return names
}

// Render writes page name, wrapped in the layout, to w. It renders to a
// buffer first so a template error never sends half a page, then applies
// French typography to the page's text (see Typography).
func (r *Renderer) Render(w io.Writer, name string, data any) error {
	t, ok := r.pages[name]
	if !ok {
		return fmt.Errorf("no page template %q", name)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", data); err != nil {
		return fmt.Errorf("render %s: %w", name, err)
	}
	_, err := w.Write(Typography(buf.Bytes()))
	return err
}

// Mail renders mail name and returns its subject and plain-text body, with
// French typography applied (see FrenchText).
func (r *Renderer) Mail(name string, data any) (subject, body string, err error) {
	t, ok := r.mails[name]
	if !ok {
		return "", "", fmt.Errorf("no mail template %q", name)
	}
	var s, b bytes.Buffer
	if err := t.ExecuteTemplate(&s, "subject", data); err != nil {
		return "", "", err
	}
	if err := t.ExecuteTemplate(&b, "body", data); err != nil {
		return "", "", err
	}
	return FrenchText(strings.TrimSpace(s.String())), FrenchText(strings.TrimSpace(b.String())) + "\n", nil
}

// MailHTML renders the HTML part of mail name (its "html" template), with
// French typography applied.
func (r *Renderer) MailHTML(name string, data any) (string, error) {
	t, ok := r.mailHTMLs[name]
	if !ok {
		return "", fmt.Errorf("no HTML mail template %q", name)
	}
	var b bytes.Buffer
	if err := t.ExecuteTemplate(&b, "html", data); err != nil {
		return "", err
	}
	return string(Typography(b.Bytes())), nil
}
