package server

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/ligue-mednum/ligue/content"
)

// Watch levels as the forms name them.
var watchLevelsByForm = map[string]content.WatchLevel{
	"suivre": content.Watching, "normal": content.WatchNormal, "silencieux": content.Muted,
}

// watchControl is what the « Notifications » control of a topic, a
// category, a tag or a fiche needs: where it posts, the viewer's level and
// what is followed (« cette discussion »).
type watchControl struct {
	CSRF         csrfValue
	Action, What string
	Level        content.WatchLevel
}

func newWatchControl(csrf csrfValue, action string, level content.WatchLevel, what string) watchControl {
	return watchControl{CSRF: csrf, Action: action, Level: level, What: what}
}

// setWatch applies the level the form chose to what a page shows, and goes
// back to it saying what changes.
func (s *Server) setWatch(c *fiber.Ctx, target content.FollowTarget, id int64, back, what string) error {
	level, ok := watchLevelsByForm[c.FormValue("niveau")]
	if !ok {
		return &httpError{fiber.StatusBadRequest, "bad_request",
			"Ce niveau de suivi n’existe pas : choisissez « Suivre », « Normal » ou « Silencieux »."}
	}
	if err := s.store.SetWatch(c.UserContext(), currentUser(c), target, id, level); err != nil {
		return err
	}
	var msg string
	switch level {
	case content.Watching:
		msg = "Vous suivez " + what + " : chaque nouveauté vous sera signalée."
	case content.WatchNormal:
		msg = "Suivi normal pour " + what + " : vous serez prévenu·e seulement si l’on vous mentionne ou vous répond."
	default:
		msg = capitalize(what) + " est en silencieux : plus aucune notification à son sujet, même une mention."
	}
	return s.redirectWithFlash(c, back, msg)
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
