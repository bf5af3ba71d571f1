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
