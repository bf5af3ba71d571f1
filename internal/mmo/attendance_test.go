package mmo

import (
	"math"
	"testing"
	"time"
)

func TestCheckinWindow(t *testing.T) {
	start := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	base := Event{State: EventPublished, Start: start, Duration: 90 * time.Minute}
	custom := base
	custom.Checkin.Before, custom.Checkin.After = time.Hour, 10*time.Minute
	opened := base
	opened.Checkin.Manual = "open"
	closed := base
	closed.Checkin.Manual = "closed"
	draft := base
	draft.State = EventDraft
	tests := []struct {
		name string
		e    Event
		at   time.Duration // from the start
		want bool
	}{
		{"long before", base, -time.Hour, false},
		{"opens 15 min before", base, -15 * time.Minute, true},
		{"at the start", base, 0, true},
		{"29 min after", base, 29 * time.Minute, true},
		{"closes 30 min after", base, 30 * time.Minute, false},
		{"custom early", custom, -59 * time.Minute, true},
		{"custom closes", custom, 10 * time.Minute, false},
		{"opened by hand early", opened, -3 * time.Hour, true},
		{"opened by hand, until the end", opened, 89 * time.Minute, true},
		{"opened by hand, after the end", opened, 91 * time.Minute, false},
		{"closed by hand", closed, 0, false},
		{"draft", draft, 0, false},
	}
	for _, tt := range tests {
		if got := tt.e.CheckinOpen(start.Add(tt.at)); got != tt.want {
			t.Errorf("%s: open = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestDistance(t *testing.T) {
	// Ivanovo, Lenin square to the railway station: about 1.8 km.
	d := Distance(56.9972, 40.9714, 57.0126, 40.9830)
	if d < 1700 || d > 2000 {
		t.Errorf("distance %f m", d)
	}
	if d := Distance(56.9972, 40.9714, 56.9972, 40.9714); d != 0 {
		t.Errorf("same point: %f", d)
	}
	// 0.001 degree of latitude is about 111 m.
	if d := Distance(57, 41, 57.001, 41); math.Abs(d-111.2) > 1 {
		t.Errorf("0.001°: %f", d)
	}
}

func TestCheckinCode(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 200; i++ {
		c, err := NewCheckinCode()
		if err != nil || len(c) != 4 || c[0] == '0' {
			t.Fatalf("code %q, %v", c, err)
		}
		seen[c] = true
	}
	if len(seen) < 150 {
		t.Errorf("only %d distinct codes of 200", len(seen))
	}
}

func TestCheckinRules(t *testing.T) {
	start := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	base := Event{State: EventPublished, Start: start, Duration: 90 * time.Minute}
	with := func(f func(*Event)) Event { e := base; f(&e); return e }
	opened := with(func(e *Event) { e.Checkin.Manual = "open" })
	closed := with(func(e *Event) { e.Checkin.Manual = "closed" })
	cancelled := with(func(e *Event) { e.State = EventCancelled })
	announced := with(func(e *Event) { e.Checkin.Announced = true })
	tests := []struct {
		name       string
		e          Event
		at         time.Duration // from the start
		state      CheckinState
		due        bool // the "I am here" button goes out now
		adjustable bool
	}{
		{"an hour before", base, -time.Hour, CheckinLater, false, true},
		{"the window opens", base, -15 * time.Minute, CheckinInWindow, true, true},
		{"the window opens, button sent", announced, -15 * time.Minute, CheckinInWindow, false, true},
		{"the window closes", base, 30 * time.Minute, CheckinClosed, false, true},
		{"the last minute of the event", base, 89 * time.Minute, CheckinClosed, false, true},
		{"the event is over", base, 90 * time.Minute, CheckinClosed, false, false},
		{"opened early by hand", opened, -3 * time.Hour, CheckinByHand, true, true},
		{"opened by hand, past the window", opened, 45 * time.Minute, CheckinByHand, true, true},
		{"opened by hand, over", opened, 90 * time.Minute, CheckinClosed, false, false},
		{"closed by hand before the window", closed, -time.Hour, CheckinClosed, false, true},
		{"closed by hand in the window", closed, 0, CheckinClosed, false, true},
		{"cancelled", cancelled, 0, CheckinCancelled, false, false},
		{"cancelled, an hour before", cancelled, -time.Hour, CheckinCancelled, false, false},
	}
	for _, tt := range tests {
		now := start.Add(tt.at)
		if got := tt.e.CheckinStateAt(now); got != tt.state {
			t.Errorf("%s: state %d, want %d", tt.name, got, tt.state)
		}
		if got := tt.e.CheckinDue(now); got != tt.due {
			t.Errorf("%s: due %v, want %v", tt.name, got, tt.due)
		}
		if got := tt.e.CheckinAdjustable(now); got != tt.adjustable {
			t.Errorf("%s: adjustable %v, want %v", tt.name, got, tt.adjustable)
		}
	}
}

func TestCanCheckIn(t *testing.T) {
	start := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	e := &Event{State: EventPublished, Start: start, Duration: 90 * time.Minute}
	cancelled := *e
	cancelled.State = EventCancelled
	tests := []struct {
		name            string
		e               *Event
		member, present bool
		at              time.Duration
		want            Code
	}{
		{"a member in the window", e, true, false, 0, ""},
		{"not a member", e, false, false, 0, CodeNotMember},
		{"not a member, window shut: membership first", e, false, false, -time.Hour, CodeNotMember},
		{"too early", e, true, false, -time.Hour, CodeNotYet},
		{"too late", e, true, false, time.Hour, CodeClosed},
		{"cancelled", &cancelled, true, false, 0, CodeCancelled},
		{"twice", e, true, true, 0, CodeAlready},
		{"twice, after the window: closed says more", e, true, true, time.Hour, CodeClosed},
	}
	for _, tt := range tests {
		if got := codeOf(CanCheckIn(tt.e, tt.member, tt.present, start.Add(tt.at))); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestNearVenue(t *testing.T) {
	e := &Event{Checkin: Checkin{Lat: 57, Lon: 41}}
	tests := []struct {
		name   string
		radius int
		lat    float64
		ok     bool
	}{
		{"at the venue", 0, 57, true},
		{"111 m off, the default 200 m", 0, 57.001, true},
		{"222 m off, the default 200 m", 0, 57.002, false},
		{"222 m off, 500 m allowed", 500, 57.002, true},
		{"111 m off, 100 m allowed", 100, 57.001, false},
	}
	for _, tt := range tests {
		e.Checkin.Radius = tt.radius
		if dist, ok := e.NearVenue(tt.lat, 41); ok != tt.ok {
			t.Errorf("%s: %.0f m, near %v, want %v", tt.name, dist, ok, tt.ok)
		}
	}
	e.Checkin.Radius = 0
	if e.CheckinRadius() != DefaultRadius {
		t.Errorf("default radius %d", e.CheckinRadius())
	}
}

func TestMinutesVersions(t *testing.T) {
	draft := func(v int) *Minutes { return &Minutes{Version: v, Status: MinutesDraft} }
	final := func(v int) *Minutes { return &Minutes{Version: v, Status: MinutesFinal} }
	tests := []struct {
		name     string
		versions []*Minutes
		want     int
	}{
		{"the first text", nil, 1},
		{"a draft is redone in place", []*Minutes{draft(1)}, 1},
		{"final minutes are corrected in a new version", []*Minutes{final(1)}, 2},
		{"a correction's draft is redone in place", []*Minutes{final(1), draft(2)}, 2},
		{"a second correction", []*Minutes{final(1), final(2)}, 3},
	}
	for _, tt := range tests {
		if got := NextMinutesVersion(tt.versions); got != tt.want {
			t.Errorf("%s: version %d, want %d", tt.name, got, tt.want)
		}
	}

	now := time.Date(2026, 11, 23, 15, 0, 0, 0, time.UTC)
	m := draft(1)
	if err := m.Finalize(2, now); err != nil || m.Status != MinutesFinal || m.Number != 2 || !m.FinalAt.Equal(now) {
		t.Fatalf("finalized: %+v, %v", m, err)
	}
	if err := m.Finalize(3, now.Add(time.Hour)); codeOf(err) != CodeConflict || m.Number != 2 || !m.FinalAt.Equal(now) {
		t.Errorf("signed minutes changed: %+v, %v", m, err)
	}
}

func TestCheckinCodesParse(t *testing.T) {
	for range 200 {
		c, err := NewCheckinCode()
		if err != nil {
			t.Fatal(err)
		}
		if got, ok := ParseCheckinCode(" " + c + "\n"); !ok || got != c {
			t.Fatalf("code %q reads as %q, %v", c, got, ok)
		}
	}
}

func TestParseVotes(t *testing.T) {
	tests := []struct {
		in   string
		want Votes
		ok   bool
	}{
		{"12 0 1", Votes{12, 0, 1}, true},
		{"12, 0, 1", Votes{12, 0, 1}, true},
		{"12-0-1", Votes{12, 0, 1}, true},
		{"за — 12, против — 0, воздержались — 1", Votes{12, 0, 1}, true},
		{" 7\n0\n0 ", Votes{7, 0, 0}, true},
		{"12 -1 0", Votes{}, false},
		{"−3 0 0", Votes{}, false},
		{"1 2", Votes{}, false},
		{"1 2 3 4", Votes{}, false},
		{"12345 0 0", Votes{}, false},
		{"1٢3 4", Votes{}, false}, // the old pattern read 1, 3, 4
		{"двенадцать", Votes{}, false},
	}
	for _, tt := range tests {
		got, ok := ParseVotes(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("ParseVotes(%q) = %+v, %v; want %+v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}
