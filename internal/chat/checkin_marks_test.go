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
