package server

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/ligue-mednum/ligue/content"
)

const (
	sessionCookie = "ligue_session"
	csrfCookie    = "ligue_csrf"
	csrfField     = "_csrf"
	csrfHeader    = "X-CSRF-Token"
)

// Locals keys.
const (
	localUser      = "user"
	localBearer    = "bearer"
	localRequestID = "request_id"
	localCSRF      = "csrf"
	localSuspended = "suspended"  // the member of a suspended account's session
	localPageVisit = "page_visit" // what a visitor's page records, kept with it by the page cache
	localCacheHit  = "cache_hit"  // the page cache answered
)

// contentSecurityPolicy allows only our own scripts, styles and images.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"

// requestContext gives each request an ID, security headers, and one log line.
func (s *Server) requestContext(c *fiber.Ctx) error {
	start := time.Now()
	id := newRequestID()
	c.Locals(localRequestID, id)
	// The store keeps the address of each contribution a year (content.WithClientIP).
	c.SetUserContext(content.WithClientIP(c.UserContext(), s.resolveClientIP(c)))
	c.Set("X-Request-Id", id)
	c.Set("Content-Security-Policy", contentSecurityPolicy)
	c.Set("X-Content-Type-Options", "nosniff")
	c.Set("Referrer-Policy", "same-origin")
	c.Set("X-Frame-Options", "DENY")
	c.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
	if s.secureRequest(c) {
		c.Set("Strict-Transport-Security", "max-age=31536000")
	}
	err := c.Next()
	if err != nil {
		if herr := c.App().ErrorHandler(c, err); herr != nil {
			c.Status(fiber.StatusInternalServerError)
		}
	}
	if took, status := time.Since(start), c.Response().StatusCode(); s.logsRequest(took, status) {
		// The path only: query strings may carry one-time link tokens.
		s.log.Info("request", "method", c.Method(), "path", c.Path(), "status", status,
			"duration_ms", took.Milliseconds(), "request_id", id)
	}
	return nil
}

// logsRequest tells whether the access log writes down a request: a line
// per request would fill the disk (14.7 M requests wrote 2.3 GB).
func (s *Server) logsRequest(took time.Duration, status int) bool {
	switch s.cfg.AccessLog {
	case "all":
		return true
	case "off":
		return false
	}
	return status >= 500 || took >= SlowRequest
}

func newRequestID() string {
	b := make([]byte, 8)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// bearerToken is the API token of an "Authorization: Bearer …" header. Other
// schemes are not ours (a proxy guarding a staging site sends Basic): they
// are ignored, not refused.
func bearerToken(c *fiber.Ctx) (string, bool) {
	scheme, value, found := strings.Cut(strings.TrimSpace(c.Get(fiber.HeaderAuthorization)), " ")
	if !found || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	return strings.TrimSpace(value), true
}

// identify finds who is asking: a Bearer API token or the session cookie.
func (s *Server) identify(c *fiber.Ctx) error {
	if token, ok := bearerToken(c); ok {
		u, err := s.store.UserByAPIToken(c.UserContext(), token)
		if errors.Is(err, content.ErrNotFound) {
			return errUnauthorized
		}
		if errors.Is(err, content.ErrSuspended) {
			return s.suspendedError(c, u)
		}
		if err != nil {
			return err
		}
		c.Locals(localUser, u)
		c.Locals(localBearer, true)
		return c.Next()
	}
	if token := c.Cookies(sessionCookie); token != "" {
		u, err := s.store.SessionUser(c.UserContext(), token)
		switch {
		case err == nil:
			c.Locals(localUser, u)
		case errors.Is(err, content.ErrSuspended):
			c.Locals(localSuspended, u) // a visitor, told why at any write
		case errors.Is(err, content.ErrNotFound):
			s.clearCookie(c, sessionCookie)
		default:
			return err
		}
	}
	return c.Next()
}

// currentUser is the signed-in member, or nil for a visitor.
func currentUser(c *fiber.Ctx) *content.User {
	u, _ := c.Locals(localUser).(*content.User)
	return u
}

// csrf protects every state change made with the session cookie. The token
// is an HMAC of a random per-browser cookie (signed double submit), so it
// survives restarts and needs no storage; the Origin header is checked too.
func (s *Server) csrf(c *fiber.Ctx) error {
	switch c.Method() {
	case fiber.MethodGet, fiber.MethodHead, fiber.MethodOptions:
		return c.Next() // the page's forms ask for their token (csrfValue)
	}
	expected := s.csrfPrepare(c)
	if bearer, _ := c.Locals(localBearer).(bool); bearer {
		return c.Next() // an API token is not sent by browsers on their own
	}
	if isAPI(c) && currentUser(c) == nil {
		return c.Next() // no ambient credentials to abuse: the handler answers 401
	}
	if origin := c.Get(fiber.HeaderOrigin); origin != "" && origin != s.origin {
		return s.csrfFailure(c)
	}
	given := c.Get(csrfHeader)
	if given == "" {
		given = c.FormValue(csrfField)
	}
	if c.Locals("csrf_new") != nil || !hmac.Equal([]byte(given), []byte(expected)) {
		return s.csrfFailure(c)
	}
	return c.Next()
}

// csrfPrepare gives the browser its CSRF seed when it has none, and makes
// the token its forms carry available to the page; it returns that token.
func (s *Server) csrfPrepare(c *fiber.Ctx) string {
	if expected, ok := c.Locals(localCSRF).(string); ok {
		return expected
	}
	seed := c.Cookies(csrfCookie)
	if len(seed) < 20 {
		seed = randomString(24)
		c.Cookie(&fiber.Cookie{Name: csrfCookie, Value: seed, Path: "/", HTTPOnly: true, Secure: s.secureRequest(c),
			SameSite: fiber.CookieSameSiteLaxMode, Expires: time.Now().Add(365 * 24 * time.Hour)})
		c.Locals("csrf_new", true)
	}
	expected := s.sign("csrf", seed)
	c.Locals(localCSRF, expected)
	return expected
}

// sign returns an HMAC of value for purpose, with the site secret.
func (s *Server) sign(purpose, value string) string {
	mac := hmac.New(sha256.New, s.secret)
	mac.Write([]byte(purpose + "|" + value))
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

func randomString(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// requireMember sends visitors to the login page, then back.
func (s *Server) requireMember(c *fiber.Ctx) error {
	if currentUser(c) != nil {
		return c.Next()
	}
	if suspended, _ := c.Locals(localSuspended).(bool); suspended && c.Method() != fiber.MethodGet && c.Method() != fiber.MethodHead {
		return errSuspended // the error handler gives a form back filled
	}
	if isAPI(c) {
		return errUnauthorized
	}
	if c.Method() != fiber.MethodGet && c.Method() != fiber.MethodHead {
		// A form sent after the session expired: keep what was typed.
		return s.resubmit(c, fiber.StatusUnauthorized, "Session expirée",
			"Votre session a expiré, alors ce formulaire n’a pas été enregistré. Rien n’est perdu : "+
				"connectez-vous dans un nouvel onglet, puis revenez ici et renvoyez le formulaire.")
	}
	return c.Redirect(loginURL(c.OriginalURL()), fiber.StatusSeeOther)
}

// requireModerator lets moderators and administrators through.
func (s *Server) requireModerator(c *fiber.Ctx) error {
	if u := currentUser(c); u == nil {
		return s.requireMember(c)
	} else if !content.CanModerate(u) {
		return content.ErrForbidden
	}
	return c.Next()
}

// requireAdmin lets administrators through; others get 403.
func (s *Server) requireAdmin(c *fiber.Ctx) error {
	if u := currentUser(c); u == nil {
		return s.requireMember(c)
	} else if !content.CanAdminister(u) {
		return content.ErrForbidden
	}
	return c.Next()
}

// isAPI tells the requests answered in JSON, errors included: the API, and
// the helpers the composers' scripts call.
func isAPI(c *fiber.Ctx) bool {
	return strings.HasPrefix(c.Path(), "/api/") || strings.HasPrefix(c.Path(), "/composer/")
}

func (s *Server) setSessionCookie(c *fiber.Ctx, token string) {
	c.Cookie(&fiber.Cookie{Name: sessionCookie, Value: token, Path: "/", HTTPOnly: true, Secure: s.secureRequest(c),
		SameSite: fiber.CookieSameSiteLaxMode, Expires: time.Now().Add(content.SessionLifetime)})
}

func (s *Server) clearCookie(c *fiber.Ctx, name string) {
	c.Cookie(&fiber.Cookie{Name: name, Value: "", Path: "/", HTTPOnly: true, Secure: s.secureRequest(c),
		SameSite: fiber.CookieSameSiteLaxMode, Expires: time.Unix(1, 0), MaxAge: -1})
}
