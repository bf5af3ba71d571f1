package mmo

import (
	"slices"
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

func TestDueReminder(t *testing.T) {
	msk, _ := time.LoadLocation("Europe/Moscow")
	berlin, _ := time.LoadLocation("Europe/Berlin")
	at := func(d, h, m int) time.Time { return time.Date(2026, 11, d, h, m, 0, 0, msk) }
	day, hour := 24*time.Hour, time.Hour
	start := at(24, 18, 0) // Tuesday 18:00
	event := func(state EventState, changed time.Time) *Event {
		return &Event{State: state, Start: start, Duration: time.Hour, ChangedAt: changed}
	}
	published := event(EventPublished, at(23, 10, 0)) // announced the day before
	sent := func(offs ...time.Duration) map[time.Duration]bool {
		m := map[time.Duration]bool{}
		for _, o := range offs {
			m[o] = true
		}
		return m
	}
	tests := []struct {
		name    string
		e       *Event
		offsets []time.Duration
		sent    map[time.Duration]bool
		now     time.Time
		mark    []time.Duration
		send    time.Duration
	}{
		{"a minute before the first", published, []time.Duration{day, hour}, sent(), at(23, 17, 59), nil, 0},
		{"the day before", published, []time.Duration{day, hour}, sent(), at(23, 18, 0), []time.Duration{day}, day},
		{"the day's reminder sent, the hour's not yet", published, []time.Duration{day, hour}, sent(day), at(24, 16, 59), nil, 0},
		{"the hour before", published, []time.Duration{day, hour}, sent(day), at(24, 17, 0), []time.Duration{hour}, hour},
		{"everything sent", published, []time.Duration{day, hour}, sent(day, hour), at(24, 17, 30), nil, 0},
		{"the bot was down over both: one goes out, the nearest", published, []time.Duration{day, hour}, sent(), at(24, 17, 30), []time.Duration{hour, day}, hour},
		{"offsets in any order", published, []time.Duration{hour, day}, sent(), at(24, 17, 30), []time.Duration{hour, day}, hour},
		{"announced after the day's time: that one is moot", event(EventPublished, at(24, 15, 0)), []time.Duration{day, hour}, sent(), at(24, 15, 0), []time.Duration{day}, 0},
		{"announced after the day's time: the hour's goes out", event(EventPublished, at(24, 15, 0)), []time.Duration{day, hour}, sent(day), at(24, 17, 0), []time.Duration{hour}, hour},
		{"changed after both times: none", event(EventPublished, at(24, 17, 10)), []time.Duration{day, hour}, sent(), at(24, 17, 10), []time.Duration{hour, day}, 0},
		{"changed at the very time: it goes out", event(EventPublished, at(24, 17, 0)), []time.Duration{day, hour}, sent(), at(24, 17, 0), []time.Duration{hour, day}, hour},
		{"check-in open: its invitation is the reminder", published, []time.Duration{day, hour}, sent(day), at(24, 17, 50), []time.Duration{hour}, 0},
		{"the bot was down until check-in opened: none goes out", published, []time.Duration{day, hour}, sent(), at(24, 17, 50), []time.Duration{hour, day}, 0},
		{"a reminder due inside check-in's window is moot", published, []time.Duration{10 * time.Minute}, sent(), at(24, 17, 50), []time.Duration{10 * time.Minute}, 0},
		{"begun: nothing, nothing marked", published, []time.Duration{day, hour}, sent(), at(24, 18, 0), nil, 0},
		{"cancelled", event(EventCancelled, at(23, 10, 0)), []time.Duration{day, hour}, sent(), at(24, 17, 30), nil, 0},
		{"a draft", event(EventDraft, time.Time{}), []time.Duration{day, hour}, sent(), at(24, 17, 30), nil, 0},
		{"no reminders configured", published, nil, sent(), at(24, 17, 30), nil, 0},
	}
	for _, tt := range tests {
		got := DueReminder(tt.e, tt.offsets, tt.sent, tt.now)
		if !slices.Equal(got.Mark, tt.mark) || got.Send != tt.send {
			t.Errorf("%s: mark %v send %v; want mark %v send %v", tt.name, got.Mark, got.Send, tt.mark, tt.send)
		}
	}
	// Offsets are elapsed time: over Berlin's change to summer time
	// (29 March 2026) the day's reminder of a Sunday 18:00 event goes out
	// on Saturday at 17:00.
	e := &Event{State: EventPublished, Start: time.Date(2026, 3, 29, 18, 0, 0, 0, berlin), ChangedAt: time.Date(2026, 3, 20, 0, 0, 0, 0, berlin)}
	if got := DueReminder(e, []time.Duration{day}, sent(), time.Date(2026, 3, 28, 16, 59, 0, 0, berlin)); got.Send != 0 {
		t.Errorf("over the clock change, sent at 16:59: %+v", got)
	}
	if got := DueReminder(e, []time.Duration{day}, sent(), time.Date(2026, 3, 28, 17, 0, 0, 0, berlin)); got.Send != day {
		t.Errorf("over the clock change, not sent at 17:00: %+v", got)
	}
}

func TestCanAnswer(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	ev := func(state EventState, start time.Time, version int) *Event {
		return &Event{State: state, Start: start, Duration: time.Hour, Version: version}
	}
	ahead := now.Add(time.Hour)
	tests := []struct {
		name    string
		e       *Event
		member  bool
		version int
		now     time.Time
		want    Code // "" for allowed
	}{
		{"a member, in time", ev(EventPublished, ahead, 2), true, 2, now, ""},
		{"a second before the start", ev(EventPublished, ahead, 1), true, 1, ahead.Add(-time.Second), ""},
		{"not a member (left, or never joined)", ev(EventPublished, ahead, 1), false, 1, now, CodeNotMember},
		{"not a member of a cancelled event", ev(EventCancelled, ahead, 1), false, 1, now, CodeNotMember},
		{"cancelled", ev(EventCancelled, ahead, 1), true, 1, now, CodeCancelled},
		{"cancelled and begun: cancelled says more", ev(EventCancelled, now.Add(-time.Hour), 1), true, 1, now, CodeCancelled},
		{"at the start", ev(EventPublished, ahead, 1), true, 1, ahead, CodeStarted},
		{"over", ev(EventPublished, now.AddDate(0, 0, -3), 1), true, 1, now, CodeStarted},
		{"the time changed since the announcement", ev(EventPublished, ahead, 2), true, 1, now, CodeConflict},
		{"begun and changed: begun says more", ev(EventPublished, now.Add(-time.Minute), 2), true, 1, now, CodeStarted},
		{"a draft nobody was shown", ev(EventDraft, ahead, 0), true, 0, now, CodeNotFound},
	}
	for _, tt := range tests {
		err := CanAnswer(tt.e, tt.member, tt.version, tt.now)
		if codeOf(err) != tt.want {
			t.Errorf("%s: %v, want %q", tt.name, err, tt.want)
		}
	}
}

func TestEventLifecycle(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	ahead, past := now.Add(time.Hour), now.Add(-time.Hour)
	open, archived := &Association{}, &Association{ArchivedAt: now.AddDate(0, -1, 0)}
	publish := []struct {
		name  string
		state EventState
		start time.Time
		a     *Association
		want  Code
	}{
		{"a draft ahead", EventDraft, ahead, open, ""},
		{"a draft whose time has come", EventDraft, now, open, CodeStarted},
		{"a draft whose time passed", EventDraft, past, open, CodeStarted},
		{"published already (a second press)", EventPublished, ahead, open, CodeConflict},
		{"cancelled", EventCancelled, ahead, open, CodeConflict},
		{"the association was archived", EventDraft, ahead, archived, CodeConflict},
	}
	for _, tt := range publish {
		e := &Event{State: tt.state, Start: tt.start, Version: 7}
		err := e.Publish(tt.a, now)
		if codeOf(err) != tt.want {
			t.Errorf("publish %s: %v, want %q", tt.name, err, tt.want)
		}
		if err == nil && (e.State != EventPublished || e.Version != 1 || !e.ChangedAt.Equal(now) || !e.PublishedAt.Equal(now)) {
			t.Errorf("publish %s: %+v", tt.name, e)
		}
		if err != nil && (e.State != tt.state || e.Version != 7) {
			t.Errorf("publish %s: refused, yet changed: %+v", tt.name, e)
		}
	}

	for _, tt := range []struct {
		name           string
		state          EventState
		start          time.Time
		format         Format
		cancel, edit   bool
		minutes, nudge bool
	}{
		{"a draft", EventDraft, ahead, FormatMeeting, false, true, false, false},
		{"published, ahead", EventPublished, ahead, FormatMeeting, true, true, false, true},
		{"a meeting begun", EventPublished, now, FormatMeeting, false, false, true, false},
		{"a meeting over", EventPublished, past, FormatMeeting, false, false, true, false},
		{"a seminar over: no minutes", EventPublished, past, FormatSeminar, false, false, false, false},
		{"cancelled", EventCancelled, ahead, FormatMeeting, false, false, false, false},
		{"cancelled after its time", EventCancelled, past, FormatMeeting, false, false, false, false},
	} {
		e := &Event{State: tt.state, Start: tt.start, Format: tt.format, Duration: 30 * time.Minute}
		if got := e.Editable(now); got != tt.edit {
			t.Errorf("%s: editable %v, want %v", tt.name, got, tt.edit)
		}
		if got := e.TakesMinutes(now); got != tt.minutes {
			t.Errorf("%s: minutes %v, want %v", tt.name, got, tt.minutes)
		}
		if got := e.Live(now); got != tt.nudge {
			t.Errorf("%s: live %v, want %v", tt.name, got, tt.nudge)
		}
		err := e.Cancel(now)
		if (err == nil) != tt.cancel {
			t.Errorf("%s: cancel %v, want allowed %v", tt.name, err, tt.cancel)
		}
		if err == nil && (e.State != EventCancelled || !e.CancelledAt.Equal(now)) {
			t.Errorf("%s: cancelled as %+v", tt.name, e)
		}
	}
}

func TestEventRevise(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	base := Event{State: EventPublished, Start: now.AddDate(0, 0, 3), Place: "Школа № 5", Topic: "Тема", Version: 2, ChangedAt: now.AddDate(0, 0, -1)}
	tests := []struct {
		name  string
		edit  func(*Event)
		state EventState
		want  []string
	}{
		{"the topic: not news", func(e *Event) { e.Topic = "Другая тема"; e.Agenda = "1. …" }, EventPublished, nil},
		{"the time", func(e *Event) { e.Start = e.Start.Add(time.Hour) }, EventPublished, []string{"when"}},
		{"the duration: not news", func(e *Event) { e.Duration = time.Hour }, EventPublished, nil},
		{"place and link", func(e *Event) { e.Place = ""; e.Link = "https://example.org/meet" }, EventPublished, []string{"place", "link"}},
		{"a draft's time", func(e *Event) { e.Start = e.Start.Add(time.Hour) }, EventDraft, nil},
	}
	for _, tt := range tests {
		old := base
		old.State = tt.state
		e := old
		tt.edit(&e)
		got := e.Revise(&old, now)
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s: changes %v, want %v", tt.name, got, tt.want)
		}
		if len(tt.want) > 0 && (e.Version != 3 || !e.ChangedAt.Equal(now)) {
			t.Errorf("%s: version %d changed %v, want a new version now", tt.name, e.Version, e.ChangedAt)
		}
		if len(tt.want) == 0 && (e.Version != 2 || !e.ChangedAt.Equal(old.ChangedAt)) {
			t.Errorf("%s: version %d changed %v, want the same", tt.name, e.Version, e.ChangedAt)
		}
	}
}

func TestEventAudiences(t *testing.T) {
	const leader = 1
	members := []int64{5, leader, 3, 4, 2} // the caller's order, kept
	answers := map[int64]*RSVP{
		5:      {Answer: AnswerYes},
		3:      {Answer: AnswerNo},
		4:      {Answer: AnswerMaybe},
		leader: {Answer: AnswerYes},
		9:      {Answer: AnswerYes}, // left the association since
	}
	tests := []struct {
		name string
		got  []int64
		want []int64
	}{
		{"reminded: yes and maybe", Reminded(members, answers), []int64{5, leader, 4}},
		{"invited to check in: all but no, and not the leader", CheckinInvited(members, leader, answers), []int64{5, 4, 2}},
		{"nudged: no answer yet", Silent(members, answers), []int64{2}},
		{"nobody answered: nobody reminded", Reminded(members, nil), nil},
		{"nobody answered: all but the leader invited", CheckinInvited(members, leader, nil), []int64{5, 3, 4, 2}},
		{"nobody answered: all nudged", Silent(members, nil), members},
	}
	for _, tt := range tests {
		if !slices.Equal(tt.got, tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, tt.got, tt.want)
		}
	}
	if members[0] != 5 || members[4] != 2 {
		t.Errorf("the members' list was changed: %v", members)
	}
}

func TestShelfOf(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	ev := func(state EventState, start time.Time) *Event {
		return &Event{State: state, Start: start, Duration: time.Hour}
	}
	tests := []struct {
		name           string
		e              *Event
		leader, member Shelf
	}{
		{"published, ahead", ev(EventPublished, now.Add(time.Hour)), ShelfUpcoming, ShelfUpcoming},
		{"under way", ev(EventPublished, now.Add(-30*time.Minute)), ShelfUpcoming, ShelfUpcoming},
		{"just over", ev(EventPublished, now.Add(-time.Hour)), ShelfPast, ShelfHidden},
		{"a draft", ev(EventDraft, now.Add(time.Hour)), ShelfDraft, ShelfHidden},
		{"cancelled, ahead", ev(EventCancelled, now.Add(time.Hour)), ShelfPast, ShelfHidden},
	}
	for _, tt := range tests {
		if got := ShelfOf(tt.e, true, now); got != tt.leader {
			t.Errorf("%s, for the leader: %d, want %d", tt.name, got, tt.leader)
		}
		if got := ShelfOf(tt.e, false, now); got != tt.member {
			t.Errorf("%s, for a member: %d, want %d", tt.name, got, tt.member)
		}
	}
}
