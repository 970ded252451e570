package server

import (
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// safeReturn keeps a redirect target that a member can influence (?retour=)
// only when a browser would stay on this site with it; anything else becomes
// the home page. Browsers drop tabs and newlines from URLs, read "\" as "/",
// and take "//host" as another host, so the target is judged as they read it:
// a path starting with a single "/", with no control character and no
// backslash, whose decoded form does not start a second slash either.
func safeReturn(p string) string {
	if len(p) < 1 || len(p) > 2000 || p[0] != '/' {
		return "/"
	}
	for _, r := range p {
		if r < 0x20 || r == 0x7f || r == '\\' || (r >= 0x80 && r <= 0x9f) {
			return "/"
		}
	}
	decoded, err := url.PathUnescape(p)
	if err != nil || strings.HasPrefix(p, "//") || strings.HasPrefix(decoded, "//") || strings.Contains(decoded, "\\") ||
		strings.ContainsAny(decoded, "\t\r\n") {
		return "/"
	}
	u, err := url.Parse(p)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" {
		return "/"
	}
	return p
}

// canonical is path with the request's query string: a page moved to its
// canonical address keeps ?post=, ?page=, ?vue=… (a permalink lands on its
// post).
func canonical(c *fiber.Ctx, path string) string {
	if q := string(c.Request().URI().QueryString()); q != "" {
		return path + "?" + q
	}
	return path
}

// loginURL is the login page, sending the member back to target after
// (escaped as a query value; slashes stay readable).
func loginURL(target string) string {
	return "/connexion?retour=" + strings.ReplaceAll(url.QueryEscape(safeReturn(target)), "%2F", "/")
}
