package chat

import (
	"testing"

	"github.com/mmobot/mmobot/internal/mmo"
)

func TestNextMarkCycles(t *testing.T) {
	for _, c := range []struct {
		x    *mmo.Attendance
		want mmo.Mark
	}{
		{nil, mmo.MarkPresent},
		{&mmo.Attendance{Mark: mmo.MarkPresent}, mmo.MarkAbsent},
		{&mmo.Attendance{Mark: mmo.MarkAbsent}, mmo.MarkExcused},
		{&mmo.Attendance{Mark: mmo.MarkExcused}, mmo.MarkPresent},
	} {
		if got := nextMark(c.x); got != c.want {
			t.Errorf("nextMark(%+v) = %s, want %s", c.x, got, c.want)
		}
	}
}

// TestShownMarkRoundTrips: the mark a row shows goes into its button and
// comes back, none included; a row drawn before rows carried it reads as
// not shown, for the stored mark to be cycled as before.
func TestShownMarkRoundTrips(t *testing.T) {
	for _, m := range []mmo.Mark{"", mmo.MarkPresent, mmo.MarkAbsent, mmo.MarkExcused} {
		x, ok := shownMark(markCode(m))
		if !ok {
			t.Errorf("%q: the code %q is not read back", m, markCode(m))
			continue
		}
		if m == "" && x != nil || m != "" && (x == nil || x.Mark != m) {
			t.Errorf("%q: read back as %+v", m, x)
		}
	}
	for _, old := range []string{"", "x", "P"} {
		if _, ok := shownMark(old); ok {
			t.Errorf("%q is read as a shown mark", old)
		}
	}
}
