package sandbox

import (
	"net/http"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/mmobot/mmobot/internal/boltdb"
	"github.com/mmobot/mmobot/internal/mmo"
)

// TestClockJumps: «к 09:00» moves to the next 09:00 in the bot's zone,
// «к следующему мероприятию» to a minute before the next published
// event, again to the one after, and «сбросить часы» back to the real
// time; with no event ahead the jump says so and the clock stays.
func TestClockJumps(t *testing.T) {
	s, c := startSandbox(t, filepath.Join(t.TempDir(), "sandbox.db"), true)
	var clk ClockJSON
	c.post("/api/clock", map[string]any{"to": JumpMorning}, &clk)
	local := clk.Now.In(s.loc)
	if local.Hour() != 9 || local.Minute() != 0 || clk.Now.Sub(time.Now()) <= 0 || clk.Now.Sub(time.Now()) > 24*time.Hour {
		t.Errorf("«к 09:00» went to %v", local)
	}

	var starts []time.Time
	s.DB().View(func(tx *boltdb.Tx) error {
		return tx.Events(func(e *mmo.Event) bool {
			if e.State == mmo.EventPublished && e.Start.After(clk.Now.Add(90*time.Second)) {
				starts = append(starts, e.Start)
			}
			return true
		})
	})
	slices.SortFunc(starts, func(a, b time.Time) int { return a.Compare(b) })
	if len(starts) < 2 {
		t.Fatalf("the demo has %d events ahead, want 2 or more", len(starts))
	}
	for _, start := range starts[:2] {
		c.post("/api/clock", map[string]any{"to": JumpEvent}, &clk)
		if d := start.Sub(clk.Now); d < 55*time.Second || d > 65*time.Second {
			t.Errorf("«к следующему мероприятию» went to %v, %v before the event at %v", clk.Now, d, start)
		}
	}
	for range starts[2:] {
		c.post("/api/clock", map[string]any{"to": JumpEvent}, &clk)
	}
	before := c.state().Now
	if code := c.do("POST", "/api/clock", map[string]any{"to": JumpEvent}, nil); code != http.StatusConflict {
		t.Errorf("a jump with no event ahead: %d", code)
	}
	if moved := c.state().Now.Sub(before); moved > time.Minute {
		t.Errorf("the clock moved %v with no event ahead", moved)
	}

	c.post("/api/clock", map[string]any{"to": JumpReset}, &clk)
	if d := clk.Now.Sub(time.Now()); d > time.Minute || d < -time.Minute {
		t.Errorf("«сбросить часы» left the clock %v off the real time", d)
	}
	if code := c.do("POST", "/api/clock", map[string]any{"to": "tomorrow"}, nil); code != http.StatusInternalServerError && code != http.StatusBadRequest {
		t.Errorf("an unknown jump: %d", code)
	}
}

// TestPressesFoldIntoOnePill: presses on one message show as one pill,
// the latest, standing for the others; a press on another message has
// its own.
func TestPressesFoldIntoOnePill(t *testing.T) {
	for _, tc := range []struct {
		log  []entry
		want []int
	}{
		{[]entry{{Kind: "press", On: 5}}, []int{0}},
		{[]entry{{Kind: "press", On: 5}, {Kind: "press", On: 5}, {Kind: "text"}, {Kind: "press", On: 5}}, []int{-1, -1, 0, 2}},
		{[]entry{{Kind: "press", On: 5}, {Kind: "press", On: 6}, {Kind: "press", On: 5}}, []int{-1, 0, 1}},
		{[]entry{{Kind: "press"}, {Kind: "press"}}, []int{0, 0}}, // no message known: nothing to fold into
	} {
		if got := foldPresses(tc.log); !slices.Equal(got, tc.want) {
			t.Errorf("foldPresses(%+v) = %v, want %v", tc.log, got, tc.want)
		}
	}
}

// TestPressesOnOneViewShowOnePill: switching the language twice on the
// settings view (one message, redrawn in place) leaves one pill, the
// latest press, standing for the other.
func TestPressesOnOneViewShowOnePill(t *testing.T) {
	_, c := startSandbox(t, filepath.Join(t.TempDir(), "sandbox.db"), true)
	c.send(LeaderMath, "/settings")
	view := c.waitBot(LeaderMath, "Ваш профиль")
	c.press(LeaderMath, view, "English")
	view = c.waitBot(LeaderMath, "Your profile")
	c.press(LeaderMath, view, "Русский")
	c.waitBot(LeaderMath, "Ваш профиль")
	var pills []ItemJSON
	for _, it := range c.chat(LeaderMath).Items {
		if it.Kind == "press" {
			pills = append(pills, it)
		}
	}
	if len(pills) != 1 || plain(pills[0]) != "Русский" || pills[0].Folded != 1 || pills[0].On != view.ID {
		t.Errorf("the pills of two presses on one view: %+v", pills)
	}
}
