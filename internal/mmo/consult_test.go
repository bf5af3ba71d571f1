package mmo

import (
	"slices"
	"testing"
	"time"
)

func TestAddWorkingDays(t *testing.T) {
	msk, _ := time.LoadLocation("Europe/Moscow")
	at := func(month time.Month, day, hour int) time.Time {
		return time.Date(2026, month, day, hour, 0, 0, 0, msk)
	}
	tests := []struct {
		name string
		from time.Time
		n    int
		want time.Time
	}{
		{"Monday + 2", at(11, 23, 10), 2, at(11, 25, 10)},
		{"Friday + 2", at(11, 27, 18), 2, at(12, 1, 18)},
		{"Friday + 1", at(11, 27, 18), 1, at(11, 30, 18)},
		{"Saturday + 1", at(11, 28, 12), 1, at(11, 30, 12)},
		{"Sunday + 2", at(11, 29, 12), 2, at(12, 1, 12)},
		{"zero", at(11, 23, 10), 0, at(11, 23, 10)},
	}
	for _, tt := range tests {
		if got := AddWorkingDays(tt.from, tt.n, msk); !got.Equal(tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestConsultDue(t *testing.T) {
	msk, _ := time.LoadLocation("Europe/Moscow")
	mon := time.Date(2026, 11, 23, 10, 0, 0, 0, msk)
	c := &Consultation{Status: ConsultNew, WaitingSince: mon}
	steps := []time.Time{
		time.Date(2026, 11, 25, 10, 0, 0, 0, msk), // 2 working days
		time.Date(2026, 11, 27, 10, 0, 0, 0, msk), // 4
		time.Date(2026, 12, 1, 10, 0, 0, 0, msk),  // 6, over the weekend
	}
	for level, want := range steps {
		c.Escalation = level
		got, ok := ConsultDue(c, 2, msk)
		if !ok || !got.Equal(want) {
			t.Errorf("level %d: due %v %v, want %v", level, got, ok, want)
		}
	}
	c.Escalation = 3
	if _, ok := ConsultDue(c, 2, msk); ok {
		t.Error("due after the coordinator")
	}
	c.Escalation, c.Status = 0, ConsultAnswered
	if _, ok := ConsultDue(c, 2, msk); ok {
		t.Error("an answered request escalates")
	}
	c.Status = ConsultProgress
	if _, ok := ConsultDue(c, 0, msk); ok {
		t.Error("escalation with 0 days")
	}
}

func TestNextEscalation(t *testing.T) {
	msk, _ := time.LoadLocation("Europe/Moscow")
	berlin, _ := time.LoadLocation("Europe/Berlin")
	at := func(loc *time.Location, month time.Month, day, hour, min int) time.Time {
		return time.Date(2026, month, day, hour, min, 0, 0, loc)
	}
	mon := at(msk, 11, 23, 10, 0) // a Monday
	const leader, assignee = 100, 200
	tests := []struct {
		name     string
		c        Consultation
		leaderID int64
		days     int
		now      time.Time
		loc      *time.Location
		want     Escalation
		ok       bool
	}{
		{"a minute early", Consultation{Status: ConsultNew, WaitingSince: mon}, leader, 2, at(msk, 11, 25, 9, 59), msk, Escalation{}, false},
		{"nobody took it: the leader is reminded", Consultation{Status: ConsultNew, WaitingSince: mon}, leader, 2, at(msk, 11, 25, 10, 0), msk, Escalation{1, leader, 2}, true},
		{"taken: the assignee is reminded", Consultation{Status: ConsultProgress, AssigneeID: assignee, WaitingSince: mon}, leader, 2, at(msk, 11, 25, 10, 0), msk, Escalation{1, assignee, 2}, true},
		{"no leader, nobody took it: the coordinators", Consultation{Status: ConsultNew, WaitingSince: mon}, 0, 2, at(msk, 11, 25, 10, 0), msk, Escalation{1, 0, 2}, true},
		{"level 1 waits for 4 working days", Consultation{Status: ConsultProgress, AssigneeID: assignee, WaitingSince: mon, Escalation: 1}, leader, 2, at(msk, 11, 26, 10, 0), msk, Escalation{}, false},
		{"level 2: the leader, not the assignee", Consultation{Status: ConsultProgress, AssigneeID: assignee, WaitingSince: mon, Escalation: 1}, leader, 2, at(msk, 11, 27, 10, 0), msk, Escalation{2, leader, 4}, true},
		{"level 2 with no leader: the coordinators", Consultation{Status: ConsultProgress, AssigneeID: assignee, WaitingSince: mon, Escalation: 1}, 0, 2, at(msk, 11, 27, 10, 0), msk, Escalation{2, 0, 4}, true},
		{"level 3 over the weekend: the coordinators", Consultation{Status: ConsultProgress, AssigneeID: assignee, WaitingSince: mon, Escalation: 2}, leader, 2, at(msk, 12, 1, 10, 0), msk, Escalation{3, 0, 6}, true},
		{"not on the weekend before", Consultation{Status: ConsultProgress, AssigneeID: assignee, WaitingSince: mon, Escalation: 2}, leader, 2, at(msk, 11, 30, 9, 0), msk, Escalation{}, false},
		{"after the coordinators, never again", Consultation{Status: ConsultProgress, WaitingSince: mon, Escalation: 3}, leader, 2, at(msk, 12, 31, 10, 0), msk, Escalation{}, false},
		{"asked on Friday evening: due Tuesday evening", Consultation{Status: ConsultNew, WaitingSince: at(msk, 11, 27, 19, 0)}, leader, 2, at(msk, 12, 1, 19, 0), msk, Escalation{1, leader, 2}, true},
		{"asked on Friday evening: not on Monday", Consultation{Status: ConsultNew, WaitingSince: at(msk, 11, 27, 19, 0)}, leader, 2, at(msk, 11, 30, 23, 0), msk, Escalation{}, false},
		// Berlin moves its clocks on Sunday 29 March 2026: the due time
		// keeps the wall clock, not 48 elapsed hours.
		{"over a clock change: not an hour early", Consultation{Status: ConsultNew, WaitingSince: at(berlin, 3, 27, 10, 0)}, leader, 2, at(berlin, 3, 31, 9, 30), berlin, Escalation{}, false},
		{"over a clock change: at the same wall time", Consultation{Status: ConsultNew, WaitingSince: at(berlin, 3, 27, 10, 0)}, leader, 2, at(berlin, 3, 31, 10, 0), berlin, Escalation{1, leader, 2}, true},
		{"answered: the asker is the one to write", Consultation{Status: ConsultAnswered, WaitingSince: mon}, leader, 2, at(msk, 12, 31, 10, 0), msk, Escalation{}, false},
		{"closed", Consultation{Status: ConsultClosed, WaitingSince: mon}, leader, 2, at(msk, 12, 31, 10, 0), msk, Escalation{}, false},
		{"not waiting", Consultation{Status: ConsultProgress}, leader, 2, at(msk, 12, 31, 10, 0), msk, Escalation{}, false},
		{"escalation turned off", Consultation{Status: ConsultNew, WaitingSince: mon}, leader, 0, at(msk, 12, 31, 10, 0), msk, Escalation{}, false},
	}
	for _, tt := range tests {
		got, ok := NextEscalation(&tt.c, tt.leaderID, tt.days, tt.now, tt.loc)
		if ok != tt.ok || got != tt.want {
			t.Errorf("%s: got %+v, %v; want %+v, %v", tt.name, got, ok, tt.want, tt.ok)
		}
	}
}

// TestEscalationOnceEach drives the rule as the due scan does: the bot
// was down for weeks, so every level is overdue at once. Each scan raises
// one level, and once the coordinators are told nothing more comes.
func TestEscalationOnceEach(t *testing.T) {
	msk, _ := time.LoadLocation("Europe/Moscow")
	c := &Consultation{Status: ConsultProgress, AssigneeID: 200, WaitingSince: time.Date(2026, 11, 23, 10, 0, 0, 0, msk)}
	now := time.Date(2026, 12, 21, 10, 0, 0, 0, msk) // back after four weeks
	var told []int64
	for scan := 0; scan < 6; scan++ {
		esc, ok := NextEscalation(c, 100, 2, now.Add(time.Duration(scan)*time.Minute), msk)
		if !ok {
			continue
		}
		if esc.Level != c.Escalation+1 {
			t.Fatalf("scan %d: level %d after %d", scan, esc.Level, c.Escalation)
		}
		c.Escalation = esc.Level
		told = append(told, esc.To)
	}
	if want := []int64{200, 100, 0}; !slices.Equal(told, want) {
		t.Errorf("told %v, want %v (assignee, leader, coordinators, each once)", told, want)
	}
}

func TestAutoCloseDue(t *testing.T) {
	quiet := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	week := 7 * 24 * time.Hour
	tests := []struct {
		name   string
		status ConsultStatus
		after  time.Duration
		now    time.Time
		want   bool
	}{
		{"answered, quiet a week", ConsultAnswered, week, quiet.Add(week), true},
		{"answered, a second short", ConsultAnswered, week, quiet.Add(week - time.Second), false},
		{"answered, quiet for months", ConsultAnswered, week, quiet.AddDate(0, 3, 0), true},
		{"auto-close off", ConsultAnswered, 0, quiet.AddDate(1, 0, 0), false},
		{"still waiting for an answer", ConsultProgress, week, quiet.AddDate(0, 1, 0), false},
		{"new", ConsultNew, week, quiet.AddDate(0, 1, 0), false},
		{"closed already", ConsultClosed, week, quiet.AddDate(0, 1, 0), false},
	}
	for _, tt := range tests {
		c := &Consultation{Status: tt.status, LastActivity: quiet}
		if got := AutoCloseDue(c, tt.after, tt.now); got != tt.want {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
}
