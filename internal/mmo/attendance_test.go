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
