package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"sort"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"

	"github.com/ligue-mednum/ligue/content"
)

// httpError is an error with its status and French message, for the user.
// movedError answers with a redirect from deep in a handler's helpers (a
// fiche under an old slug, from every page of the fiche).
type movedError struct {
	to     string
	status int
}

func (m *movedError) Error() string { return "moved to " + m.to }

func redirectTo(to string, status int) error { return &movedError{to, status} }

type httpError struct {
	Status  int
	Code    string
	Message string
}

func (e *httpError) Error() string { return e.Code + ": " + e.Message }

var (
	errUnauthorized = &httpError{fiber.StatusUnauthorized, "unauthorized",
		"Identification requise : connectez-vous ou fournissez un jeton d’API valide."}
	errUnverified = &httpError{fiber.StatusForbidden, "unverified",
		"Confirmez d’abord votre adresse e-mail : ouvrez le lien reçu à l’inscription, ou demandez-en un nouveau depuis votre compte."}
	errBadJSON = &httpError{fiber.StatusBadRequest, "bad_request",
		"Le corps de la requête n’est pas lisible : envoyez du JSON (Content-Type: application/json) ou un formulaire."}
	errSuspended = &httpError{fiber.StatusForbidden, "suspended",
		"Votre compte est suspendu : vous ne pouvez plus rien publier ni modifier, et rien n’a été enregistré. " +
			"Pour en savoir plus, écrivez à l’équipe de la Ligue."}
	errBusy = &httpError{fiber.StatusServiceUnavailable, "busy",
		"Le serveur est très sollicité en ce moment. Réessayez dans quelques secondes."}
	errDiskFull = &httpError{fiber.StatusServiceUnavailable, "disk_full",
		"Le serveur manque de place pour enregistrer : rien n’a été publié, mais votre texte est conservé ci-dessous. " +
			"Réessayez un peu plus tard ; l’équipe technique est prévenue."}
)

type errorPage struct {
	Page
	Status  int
	Heading string
	Message string
}

// classify maps any error to what the user is told.
func classify(err error) *httpError {
	var he *httpError
	var fe *fiber.Error
	var tooSoon *content.TooSoonError
	switch {
	case errors.As(err, &he):
		return he
	case errors.Is(err, content.ErrNotFound):
		return &httpError{404, "not_found", "Cette page n’existe pas, ou plus. Vérifiez l’adresse, ou repartez de l’accueil."}
	case errors.Is(err, content.ErrUnverified):
		return errUnverified
	case errors.Is(err, content.ErrSuspended):
		return errSuspended
	case errors.As(err, &tooSoon):
		return &httpError{fiber.StatusTooManyRequests, "rate_limited", tooSoon.Message()}
	case errors.Is(err, content.ErrForbidden):
		return &httpError{403, "forbidden", "Vous n’avez pas accès à cette page."}
	case content.IsDiskFull(err):
		return errDiskFull
	case errors.Is(err, content.ErrConflict):
		return &httpError{409, "conflict", "Quelqu’un a modifié ce contenu entre-temps. Rechargez la page."}
	case errors.As(err, &fe):
		switch fe.Code {
		case 404:
			return &httpError{404, "not_found", "Cette page n’existe pas, ou plus. Vérifiez l’adresse, ou repartez de l’accueil."}
		case 405:
			return &httpError{405, "method_not_allowed", "Cette adresse n’accepte pas ce type de requête."}
		case 413:
			return &httpError{413, "too_large", "L’envoi est trop volumineux."}
		case 411:
			return &httpError{411, "length_required", "Envoyez la taille du contenu (en-tête Content-Length)."}
		case 431:
			return &httpError{431, "headers_too_large", "Votre navigateur a envoyé des en-têtes trop longs, souvent à cause " +
				"de cookies accumulés : effacez les cookies de ce site, puis rechargez la page."}
		}
		if fe.Code >= 400 && fe.Code < 500 {
			return &httpError{fe.Code, "bad_request", "La requête n’a pas pu être comprise."}
		}
	}
	if v, ok := content.AsValidation(err); ok {
		msgs := make([]string, len(v.Fields))
		for i, f := range v.Fields {
			msgs[i] = f.Message
		}
		return &httpError{422, "invalid", strings.Join(msgs, " ")}
	}
	return nil
}

var headings = map[int]string{
	401: "Connexion requise",
	403: "Accès refusé",
	404: "Page introuvable",
	405: "Action impossible",
	409: "Modification concurrente",
	411: "Taille du contenu manquante",
	413: "Envoi trop volumineux",
	431: "Requête trop longue",
	422: "Données refusées",
	429: "Trop de tentatives",
	202: "Message en attente de relecture",
	503: "Serveur occupé",
}

// handleError is the one place errors become responses: a French page, or
// the JSON error shape under /api/. Internal errors are logged with the
// request ID and never shown.
func (s *Server) handleError(c *fiber.Ctx, err error) error {
	var moved *movedError
	if errors.As(err, &moved) {
		return c.Redirect(moved.to, moved.status)
	}
	if held, ok := content.AsHeld(err); ok {
		return s.answerHeld(c, held)
	}
	he := classify(err)
	s.setRetryAfter(c, err)
	if he == nil || he == errDiskFull {
		s.log.Error("internal error", "method", c.Method(), "path", c.Path(), "request_id", requestID(c), "err", err)
	}
	if he == nil {
		he = &httpError{500, "internal", "Une erreur inattendue s’est produite de notre côté. Réessayez dans un instant ; " +
			"si cela se reproduit, signalez-la en citant le numéro " + requestID(c) + "."}
	}
	if !isAPI(c) && c.Method() == fiber.MethodPost && (he == errSuspended || he.Code == "rate_limited") {
		// A refusal that is no fault of the form: what was typed comes back.
		title := headings[he.Status]
		if he == errSuspended {
			title = "Compte suspendu"
		}
		return s.resubmit(c, he.Status, title, he.Message+" Ce que vous aviez saisi est conservé ci-dessous.")
	}
	if !isAPI(c) && c.Method() == fiber.MethodPost && he.Status >= 500 {
		// The request passed the CSRF check: what was typed comes back.
		message := he.Message
		if he != errDiskFull {
			message += " Ce que vous aviez saisi est conservé ci-dessous."
		}
		return s.resubmit(c, he.Status, "Formulaire non enregistré", message)
	}
	if isAPI(c) {
		return c.Status(he.Status).JSON(fiber.Map{"error": fiber.Map{"code": he.Code, "message": he.Message}})
	}
	heading := headings[he.Status]
	if heading == "" {
		heading = "Erreur"
	}
	if he.Status >= 500 {
		heading = "Erreur du serveur"
	}
	return s.render(c, he.Status, "errors/error", &errorPage{Page: s.page(c, heading), Status: he.Status, Heading: heading, Message: he.Message})
}

// refuseUnknownMethods answers methods Fiber does not route (PROPFIND,
// BREW…) before it does, since Fiber would answer them in English plain
// text: 405 in French, as a page or the API's JSON error.
func (s *Server) refuseUnknownMethods(app *fiber.App) {
	var page bytes.Buffer
	heading := headings[fiber.StatusMethodNotAllowed]
	message := "Cette adresse n’accepte pas ce type de requête : revenez à la page précédente."
	p := Page{Title: heading, Nav: sections}
	if err := s.views.Render(&page, "errors/error", &errorPage{Page: p, Status: 405, Heading: heading, Message: message}); err != nil {
		panic(err) // the templates are embedded: a failure here is a build error
	}
	api, _ := json.Marshal(map[string]any{"error": map[string]string{"code": "method_not_allowed", "message": message}})
	known := map[string]bool{}
	for _, m := range fiber.DefaultMethods {
		known[m] = true
	}
	next := app.Server().Handler
	app.Server().Handler = func(ctx *fasthttp.RequestCtx) {
		if known[string(ctx.Method())] {
			next(ctx)
			return
		}
		ctx.SetStatusCode(fiber.StatusMethodNotAllowed)
		ctx.Response.Header.Set(fiber.HeaderAllow, "GET, HEAD, POST")
		if bytes.HasPrefix(ctx.Path(), []byte("/api/")) {
			ctx.SetContentType(fiber.MIMEApplicationJSONCharsetUTF8)
			ctx.SetBody(api)
			return
		}
		ctx.SetContentType(fiber.MIMETextHTMLCharsetUTF8)
		ctx.SetBody(page.Bytes())
	}
}

// resubmitPage is shown when a form cannot be accepted as it came (no valid
// CSRF token, session expired): everything typed comes back, ready to send.
type resubmitPage struct {
	Page
	Action  string
	Message string
	Login   bool // offer a link to log in (in a new tab)
	Fields  []resubmitField
}

type resubmitField struct {
	Name, Label, Value string
	Long               bool
}

var fieldLabels = map[string]string{
	"pseudo": "Pseudo", "email": "Adresse e-mail", "login": "E-mail ou pseudo", "structure": "Structure",
	"departement": "Département", "metier": "Rôle dans le réseau", "title": "Titre", "body": "Message",
	"tags": "Étiquettes", "category": "Catégorie", "name": "Nom", "kind": "Type",
	"summary": "Chapô", "audiences": "Publics", "comment": "Résumé de la modification", "description": "Description",
	"participants": "Destinataires", "reason": "Raison du signalement",
}

func (s *Server) csrfFailure(c *fiber.Ctx) error {
	if isAPI(c) {
		return c.Status(fiber.StatusForbidden).JSON(fiber.Map{"error": fiber.Map{"code": "csrf",
			"message": "Jeton de sécurité (CSRF) absent ou invalide : envoyez l’en-tête " + csrfHeader + "."}})
	}
	if !s.sameOrigin(c) {
		// Sent from another site: offering the same fields with a fresh
		// token would complete the forgery in one click.
		return s.render(c, fiber.StatusForbidden, "errors/error", &errorPage{Page: s.page(c, "Formulaire refusé"),
			Status: fiber.StatusForbidden, Heading: "Formulaire refusé",
			Message: "Ce formulaire a été envoyé depuis un autre site : par sécurité, il n’a pas été pris en compte. " +
				"Si vous vouliez vraiment faire cette action, refaites-la depuis la Ligue."})
	}
	return s.resubmit(c, fiber.StatusForbidden, "Formulaire à renvoyer",
		"Par sécurité, ce formulaire n’a pas été accepté : la page était sans doute ouverte depuis longtemps, "+
			"ou les cookies ont été effacés. Rien n’est perdu : vérifiez ce que vous aviez saisi, puis renvoyez-le.")
}

// sameOrigin tells whether a request comes from one of our own pages: its
// Origin is ours, or, without Origin (older browsers), its Referer is.
func (s *Server) sameOrigin(c *fiber.Ctx) bool {
	if origin := c.Get(fiber.HeaderOrigin); origin != "" {
		return origin == s.origin
	}
	referer := c.Get(fiber.HeaderReferer)
	return referer == "" || referer == s.origin || strings.HasPrefix(referer, s.origin+"/")
}

// resubmit shows the fields of the refused form, filled, with a fresh token.
func (s *Server) resubmit(c *fiber.Ctx, status int, title, message string) error {
	p := &resubmitPage{Page: s.page(c, title), Action: safeReturn(c.OriginalURL()), Message: message,
		Login: status == fiber.StatusUnauthorized, Fields: resubmitFields(c)}
	return s.render(c, status, "errors/resubmit", p)
}

// resubmitFields are the fields of the request's form, to send again
// (never the token, never a password).
func resubmitFields(c *fiber.Ctx) []resubmitField {
	p := &resubmitPage{}
	if args, err := c.MultipartForm(); err == nil && args != nil {
		for name, vals := range args.Value {
			p.addField(name, vals)
		}
	} else {
		c.Request().PostArgs().VisitAll(func(k, v []byte) { p.addField(string(k), []string{string(v)}) })
	}
	sort.Slice(p.Fields, func(i, j int) bool { return p.Fields[i].Name < p.Fields[j].Name })
	return p.Fields
}

func (p *resubmitPage) addField(name string, vals []string) {
	if name == csrfField || strings.Contains(name, "password") || len(vals) == 0 {
		return
	}
	label := fieldLabels[name]
	if label == "" {
		label = name
	}
	v := vals[0]
	p.Fields = append(p.Fields, resubmitField{Name: name, Label: label, Value: v, Long: name == "body" || len(v) > 80 || strings.Contains(v, "\n")})
}
