package mmo

import (
	"testing"
	"time"
)

func TestAnswerEvent(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	e := &Event{ID: 7, State: EventPublished, Start: now.Add(time.Hour), Duration: time.Hour, Version: 2}
	tests := []struct {
		name    string
		member  bool
		version int
		ans     Answer
		want    Code // "" for stored
	}{
		{"a member says yes", true, 2, AnswerYes, ""},
		{"a member says maybe", true, 2, AnswerMaybe, ""},
		{"a member says no", true, 2, AnswerNo, ""},
		{"an answer that is none of the three", true, 2, Answer("x"), CodeInvalid},
		{"not a member: refused before the answer is looked at", false, 2, Answer("x"), CodeNotMember},
		{"an old version", true, 1, AnswerYes, CodeConflict},
	}
	if got, err := AnswerEvent(nil, 42, true, 2, AnswerYes, now); codeOf(err) != CodeGone || got != nil {
		t.Errorf("an event that is no more: %+v, %v, want %q", got, err, CodeGone)
	}
	for _, tt := range tests {
		got, err := AnswerEvent(e, 42, tt.member, tt.version, tt.ans, now)
		if codeOf(err) != tt.want {
			t.Errorf("%s: %v, want %q", tt.name, err, tt.want)
			continue
		}
		if tt.want != "" {
			if got != nil {
				t.Errorf("%s: refused, yet an answer %+v to store", tt.name, got)
			}
			continue
		}
		want := RSVP{EventID: 7, UserID: 42, Answer: tt.ans, Version: 2, At: now}
		if got == nil || *got != want {
			t.Errorf("%s: %+v, want %+v", tt.name, got, want)
		}
	}
}

func TestDecideRSVP(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	event := func(start time.Time, manual string) *Event {
		return &Event{ID: 7, State: EventPublished, Start: start, Duration: time.Hour, Version: 2, Checkin: Checkin{Manual: manual}}
	}
	tests := []struct {
		name    string
		e       *Event
		version int
		refused Code // "" for taken
	}{
		{"taken, a day before", event(now.Add(24*time.Hour), ""), 2, ""},
		{"taken, the leader opened check-in early", event(now.Add(24*time.Hour), "open"), 2, ""},
		{"taken, inside the check-in window before the start", event(now.Add(10*time.Minute), ""), 2, ""},
		{"refused: an old version", event(now.Add(10*time.Minute), ""), 1, CodeConflict},
		{"refused: started", event(now.Add(-10*time.Minute), ""), 2, CodeStarted},
		{"refused: gone", nil, 2, CodeGone},
	}
	for _, tt := range tests {
		d := DecideRSVP(tt.e, 42, true, tt.version, AnswerYes, now)
		if codeOf(d.Refused) != tt.refused {
			t.Errorf("%s: refused %v, want %q", tt.name, d.Refused, tt.refused)
		}
		if (d.RSVP == nil) != (tt.refused != "") {
			t.Errorf("%s: answer to store %+v with refusal %v", tt.name, d.RSVP, d.Refused)
		}
	}
}
