package content

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"
)

// Screening: before a topic or a reply is published, inside its write
// transaction, the store counts it against the member's limits, refuses a
// duplicate or a post made of links, and decides whether it waits for a
// moderator (HoldReason).

// HoldReason says why a post waits for review.
type HoldReason string

// Reasons to hold a post.
const (
	HoldNewMember HoldReason = "new_member" // one of a new member's first posts
	HoldLinks     HoldReason = "links"      // many links, from a member not yet trusted nor vouched for
	HoldRepeated  HoldReason = "repeated"   // text repeated, from a member not yet trusted nor vouched for
)

// Label says the reason to moderators, in French.
func (r HoldReason) Label() string {
	switch r {
	case HoldLinks:
		return "beaucoup de liens"
	case HoldRepeated:
		return "texte répété"
	}
	return "premiers messages d’un nouveau membre"
}

// Thresholds of screening.
const (
	// HoldLinksOver: from a member below TrustTrusted nobody vouched for,
	// a post with more links than this waits for review.
	HoldLinksOver = 3
	// MaxLinks: from a member below TrustTrusted, a post with more links
	// than this is refused.
	MaxLinks = 20
	// DuplicateWithin: the same text by the same member in the same place
	// (topic, or new topic's title) within this period is refused: a
	// double submission.
	DuplicateWithin = 10 * time.Minute
	// RepeatedWithin: from a member below TrustTrusted nobody vouched
	// for, a text already posted within this period waits for review.
	RepeatedWithin = 7 * 24 * time.Hour
)

var linkPattern = regexp.MustCompile(`(?i)\bhttps?://|\bwww\.`)

// CountLinks counts the web addresses in a markdown text.
func CountLinks(body string) int { return len(linkPattern.FindAllStringIndex(body, -1)) }

// sameText folds what does not change a text's meaning for duplicate
// detection: case and spacing.
func sameText(body string) string { return strings.ToLower(strings.Join(strings.Fields(body), " ")) }

// repetitive tells a text that repeats itself: the same few lines again
// and again, or the same few words.
func repetitive(body string) bool {
	count := func(items []string, min int) bool {
		if len(items) < min {
			return false
		}
		distinct := map[string]bool{}
		for _, it := range items {
			distinct[strings.ToLower(it)] = true
		}
		return len(distinct)*4 <= len(items)
	}
	var lines []string
	for _, l := range strings.Split(body, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
		}
	}
	return count(lines, 8) || count(strings.Fields(body), 40)
}

// screenPlace is where a post goes, for duplicate detection: a reply's
// topic, or a new topic's title.
type screenPlace struct {
	topicID int64
	title   string
}

// repeatedMin is the length from which a text posted again elsewhere
// counts as repeated: « Merci ! » may be said in many places.
const repeatedMin = 40

// screen runs, inside the write transaction of author's body, the checks
// of screening: the limit l, duplicates, links. It returns why the post
// must wait for review ("" to publish it), or the refusal.
func screen(ctx context.Context, tx *sqlx.Tx, now time.Time, author *User, l Limit, place screenPlace, body string) (HoldReason, error) {
	facts, err := trustFacts(ctx, tx, author.ID)
	if err != nil {
		return "", err
	}
	level := TrustLevelOf(author, facts, now)
	if err := strike(ctx, tx, now, author, facts, l); err != nil {
		return "", err
	}
	// Vouched for, or trusted: nothing waits (only refusals apply).
	watched := level < TrustTrusted && !facts.Vouched
	since := now.Add(-DuplicateWithin)
	if watched {
		since = now.Add(-RepeatedWithin)
	}
	// The member's own recent texts, published or waiting; bounded by the
	// limits above.
	var recent []struct {
		Body      string    `db:"body"`
		CreatedAt time.Time `db:"created_at"`
		TopicID   int64     `db:"topic_id"` // 0: a held new topic
		Title     string    `db:"title"`    // of a topic it opens
	}
	if err := tx.SelectContext(ctx, &recent, `SELECT p.body, p.created_at, p.topic_id, CASE WHEN p.number = 1 THEN t.title ELSE '' END AS title
		FROM posts p JOIN topics t ON t.id = p.topic_id WHERE p.author_id = ?1 AND p.created_at > ?2 AND p.deleted_at IS NULL
		UNION ALL SELECT body, created_at, coalesce(topic_id, 0), title FROM held_posts WHERE author_id = ?1 AND created_at > ?2 AND decided_at IS NULL
		ORDER BY created_at DESC LIMIT 500`, author.ID, since); err != nil {
		return "", err
	}
	text, repeated := sameText(body), false
	for _, r := range recent {
		if sameText(r.Body) != text {
			continue
		}
		samePlace := (place.title == "" && r.Title == "" && r.TopicID == place.topicID) ||
			(place.title != "" && sameText(r.Title) == sameText(place.title))
		if ago := now.Sub(r.CreatedAt); samePlace && ago < DuplicateWithin {
			return "", Invalid("body", "Vous avez déjà envoyé ce même texte "+agoText(ago)+" : il n’est pas publié une seconde fois. "+
				"Si vous vouliez dire autre chose, modifiez-le ; votre texte est conservé ci-dessous.")
		}
		repeated = repeated || utf8.RuneCountInString(text) >= repeatedMin
	}
	if level >= TrustTrusted {
		return "", nil
	}
	links := CountLinks(body)
	if links > MaxLinks {
		return "", Invalid("body", "Ce message compte "+strconv.Itoa(links)+" liens : "+strconv.Itoa(MaxLinks)+
			" au plus par message. Gardez les plus utiles ; votre texte est conservé ci-dessous.")
	}
	switch {
	case !watched:
		return "", nil
	case level == TrustNew:
		return HoldNewMember, nil
	case links > HoldLinksOver:
		return HoldLinks, nil
	case repeated || repetitive(body):
		return HoldRepeated, nil
	}
	return "", nil
}

// agoText says a short delay in French: "il y a 2 minutes", "à l’instant".
func agoText(d time.Duration) string {
	m := int(d / time.Minute)
	if m < 1 {
		return "à l’instant"
	}
	return "il y a " + strconv.Itoa(m) + "\u00a0minute" + plural(m)
}
