package server

import (
	"bytes"
	"io"
	"mime"
	"mime/multipart"
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// A request body over the limit is not cut off mid-upload (the browser
// would show a network error and the text being written would be lost):
// the server is built to stream such bodies to this check, which reads the
// form's text fields, drops the file, and answers 413 with the text ready to
// send again. Past drainLimit the connection is closed after all; a reverse
// proxy in front may cut earlier (see the README).

// maxFormText bounds the text fields kept from an oversized form.
const maxFormText = 1 << 20

// drainLimit is how much of an oversized body is read to answer it.
func (s *Server) drainLimit() int64 { return 8*s.cfg.MaxUpload + 8<<20 }

// bodyLimit is the largest body a handler receives: the largest upload and
// the text of its form.
func (s *Server) bodyLimit() int { return int(s.cfg.MaxUpload) + 1<<20 }

// refuseOversizedBodies answers bodies past bodyLimit before any handler
// reads them.
func (s *Server) refuseOversizedBodies(c *fiber.Ctx) error {
	length := c.Request().Header.ContentLength()
	if !c.Request().IsBodyStream() || length >= 0 && length <= s.bodyLimit() {
		return c.Next()
	}
	if length < 0 {
		// A chunked body, whose size is only known at its end: browsers
		// never send forms so, and reading one to its end is not bounded.
		c.Context().SetConnectionClose()
		return &httpError{fiber.StatusLengthRequired, "length_required",
			"Envoyez la taille du contenu (en-tête Content-Length) : les envois découpés (chunked) ne sont pas acceptés."}
	}
	stream := io.LimitReader(c.Context().RequestBodyStream(), s.drainLimit())
	fields := readTextFields(stream, c.Get(fiber.HeaderContentType))
	if _, err := io.Copy(io.Discard, stream); err != nil || c.Request().Header.ContentLength() > int(s.drainLimit()) {
		c.Context().SetConnectionClose() // what is left is not read
	}
	message := "Le fichier joint est trop volumineux : " + strings.TrimSpace(humanMB(s.cfg.MaxUpload)) + " au plus. " +
		"Rien n’a été enregistré, mais votre texte est conservé ci-dessous : renvoyez-le sans le fichier, " +
		"ou avec un fichier plus léger (une photo réduite, un PDF compressé)."
	if isAPI(c) || !s.sameOrigin(c) {
		return &httpError{fiber.StatusRequestEntityTooLarge, "too_large", message}
	}
	s.csrfPrepare(c) // the form sent again carries a fresh token
	c.Request().ResetBody()
	c.Request().Header.SetContentType(fiber.MIMEApplicationForm)
	c.Request().SetBodyString(fields.Encode())
	return s.resubmit(c, fiber.StatusRequestEntityTooLarge, "Fichier trop volumineux", message)
}

// readTextFields reads the text fields of a multipart or urlencoded body,
// up to maxFormText in all; file parts are skipped.
func readTextFields(body io.Reader, contentType string) url.Values {
	fields := url.Values{}
	mediaType, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return fields
	}
	switch mediaType {
	case "multipart/form-data":
		mr := multipart.NewReader(body, params["boundary"])
		budget := int64(maxFormText)
		for budget > 0 {
			part, err := mr.NextPart()
			if err != nil {
				break
			}
			if part.FileName() != "" || part.FormName() == "" {
				io.Copy(io.Discard, part)
				continue
			}
			var value bytes.Buffer
			n, _ := io.Copy(&value, io.LimitReader(part, budget))
			budget -= n
			fields.Add(part.FormName(), value.String())
		}
	case "application/x-www-form-urlencoded":
		raw, _ := io.ReadAll(io.LimitReader(body, maxFormText))
		fields, _ = url.ParseQuery(string(raw))
	}
	for name := range fields {
		if name == csrfField || strings.Contains(name, "password") {
			delete(fields, name)
		}
	}
	return fields
}
