package content

import (
	"strconv"
	"time"
)

// Paris is the time zone dates are shown in.
var Paris = func() *time.Location {
	if loc, err := time.LoadLocation("Europe/Paris"); err == nil {
		return loc
	}
	return time.UTC
}()

var frMonths = [...]string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
	"octobre", "novembre", "décembre"}

// FrenchDate formats "22 novembre 2026" (and "1er décembre 2026") in Paris
// time, for pages, mails and PDFs alike.
func FrenchDate(t time.Time) string {
	t = t.In(Paris)
	day := strconv.Itoa(t.Day())
	if t.Day() == 1 {
		day = "1er"
	}
	// The day and month stay together; the date may wrap before the year or
	// the time, so that a full date fits a phone's heading.
	return day + "\u00a0" + frMonths[t.Month()-1] + " " + strconv.Itoa(t.Year())
}
