package content

import (
	"testing"
	"time"
)

func TestFrenchDate(t *testing.T) {
	for in, want := range map[time.Time]string{
		time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC):  "1er\u00a0décembre 2026",
		time.Date(2026, 8, 14, 23, 30, 0, 0, time.UTC): "15\u00a0août 2026", // Paris time
		time.Date(2027, 2, 28, 10, 0, 0, 0, time.UTC):  "28\u00a0février 2027",
	} {
		if got := FrenchDate(in); got != want {
			t.Errorf("FrenchDate(%v) = %q, want %q", in, got, want)
		}
	}
}
