package mmo

import (
	"testing"
	"time"
)

func TestMeetingNumbers(t *testing.T) {
	loc := time.UTC
	d := func(y int, m time.Month, day int) time.Time { return time.Date(y, m, day, 15, 0, 0, 0, loc) }
	events := []*Event{
		{ID: 1, AssociationID: 1, Format: FormatMeeting, State: EventPublished, Start: d(2026, 10, 1)},
		{ID: 2, AssociationID: 1, Format: FormatMeeting, State: EventPublished, Start: d(2026, 9, 15)},
		{ID: 3, AssociationID: 1, Format: FormatSeminar, State: EventPublished, Start: d(2026, 9, 20)},
		{ID: 4, AssociationID: 1, Format: FormatMeeting, State: EventCancelled, Start: d(2026, 9, 25)},
		{ID: 5, AssociationID: 1, Format: FormatMeeting, State: EventDraft, Start: d(2026, 9, 26)},
		{ID: 6, AssociationID: 1, Format: FormatMeeting, State: EventPublished, Start: d(2027, 3, 1)},
		{ID: 7, AssociationID: 1, Format: FormatMeeting, State: EventPublished, Start: d(2027, 9, 10)}, // next year
		{ID: 8, AssociationID: 2, Format: FormatMeeting, State: EventPublished, Start: d(2026, 9, 1)},
	}
	calendar := ivanovo()
	calendar.YearStart = MonthDay{Month: time.January, Day: 1}
	for _, tt := range []struct {
		name string
		reg  Regulation
		want map[uint64]int
	}{
		{"from 1 September", ivanovo(), map[uint64]int{2: 1, 1: 2, 6: 3, 7: 1, 8: 1}},
		// A city whose school year is the calendar year starts counting
		// again in January.
		{"from 1 January", calendar, map[uint64]int{2: 1, 1: 2, 6: 1, 7: 2, 8: 1}},
	} {
		got := MeetingNumbers(events, tt.reg, loc)
		if len(got) != len(tt.want) {
			t.Fatalf("%s: numbers %v, want %v", tt.name, got, tt.want)
		}
		for id, n := range tt.want {
			if got[id] != n {
				t.Errorf("%s: event %d: number %d, want %d", tt.name, id, got[id], n)
			}
		}
	}
}

func TestValidateEventField(t *testing.T) {
	tests := []struct {
		field, in, want string
		code            Code
	}{
		{FieldTopic, "Функциональная грамотность", "Функциональная грамотность", ""},
		{FieldTopic, "аб", "", CodeTooShort},
		{FieldAgenda, "-", "", ""},
		{FieldAgenda, "1. Доклад\n2. Обсуждение", "1. Доклад\n2. Обсуждение", ""},
		{FieldPlace, "-", "", ""},
		{FieldPlace, "МБОУ СОШ № 5, каб. 12", "МБОУ СОШ № 5, каб. 12", ""},
		{FieldLink, "https://telemost.yandex.ru/j/123", "https://telemost.yandex.ru/j/123", ""},
		{FieldLink, "-", "", ""},
		{FieldLink, "telemost.yandex.ru/j/123", "", CodeInvalid},
		{FieldLink, "javascript:alert(1)//x", "", CodeInvalid},
		{FieldLink, "https://x", "", CodeTooShort},
		{"nope", "x", "", CodeInvalid},
	}
	for _, tt := range tests {
		got, err := ValidateEventField(tt.field, tt.in)
		if codeOf(err) != tt.code || err == nil && got != tt.want {
			t.Errorf("ValidateEventField(%s, %q) = %q, %v; want %q, %q", tt.field, tt.in, got, err, tt.want, tt.code)
		}
	}
}

func TestEventLive(t *testing.T) {
	now := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	e := Event{State: EventPublished, Start: now.Add(time.Hour), Duration: time.Hour}
	if !e.Live(now) || e.Live(now.Add(time.Hour)) {
		t.Error("Live around the start")
	}
	e.State = EventCancelled
	if e.Live(now) {
		t.Error("a cancelled event is live")
	}
	if !e.End().Equal(now.Add(2 * time.Hour)) {
		t.Error("End")
	}
}

func TestCountMeetings(t *testing.T) {
	now := time.Date(2026, 11, 22, 15, 0, 0, 0, time.UTC)
	ev := func(f Format, s EventState, start time.Time) *Event {
		return &Event{Format: f, State: s, Start: start, Duration: time.Hour}
	}
	tests := []struct {
		name            string
		events          []*Event
		held, scheduled int
	}{
		{"none", nil, 0, 0},
		{"held and ahead", []*Event{ev(FormatMeeting, EventPublished, now.AddDate(0, -1, 0)), ev(FormatMeeting, EventPublished, now.AddDate(0, 1, 0))}, 1, 1},
		{"begun at this very moment is held", []*Event{ev(FormatMeeting, EventPublished, now)}, 1, 0},
		{"a second ahead is scheduled", []*Event{ev(FormatMeeting, EventPublished, now.Add(time.Second))}, 0, 1},
		{"drafts and cancelled do not count", []*Event{ev(FormatMeeting, EventDraft, now.AddDate(0, 1, 0)), ev(FormatMeeting, EventCancelled, now.AddDate(0, -1, 0))}, 0, 0},
		{"a seminar is not a заседание", []*Event{ev(FormatSeminar, EventPublished, now.AddDate(0, -1, 0)), ev(FormatWorkMeeting, EventPublished, now.AddDate(0, 1, 0))}, 0, 0},
	}
	for _, tt := range tests {
		held, scheduled := CountMeetings(tt.events, now)
		if held != tt.held || scheduled != tt.scheduled {
			t.Errorf("%s: held %d, scheduled %d; want %d, %d", tt.name, held, scheduled, tt.held, tt.scheduled)
		}
	}
}

func TestEventHeld(t *testing.T) {
	now := time.Date(2026, 11, 22, 15, 0, 0, 0, time.UTC)
	tests := []struct {
		state EventState
		start time.Time
		want  bool
	}{
		{EventPublished, now.Add(-time.Hour), true},
		{EventPublished, now, true},
		{EventPublished, now.Add(time.Minute), false},
		{EventCancelled, now.Add(-time.Hour), false},
		{EventDraft, now.Add(-time.Hour), false},
	}
	for _, tt := range tests {
		e := &Event{State: tt.state, Start: tt.start}
		if got := e.Held(now); got != tt.want {
			t.Errorf("%s event starting %v: Held %v, want %v", tt.state, tt.start.Sub(now), got, tt.want)
		}
	}
}
