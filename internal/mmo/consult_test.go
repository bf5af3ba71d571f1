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
		// Back after a downtime with levels 1 and 2 both due: where both
		// go to the same person, that person is told once, at level 2.
		{"downtime, the leader took it: one notice, level 2", Consultation{Status: ConsultProgress, AssigneeID: leader, WaitingSince: mon}, leader, 2, at(msk, 11, 27, 10, 0), msk, Escalation{2, leader, 4}, true},
		{"downtime, nobody took it: the leader once, level 2", Consultation{Status: ConsultNew, WaitingSince: mon}, leader, 2, at(msk, 11, 27, 10, 0), msk, Escalation{2, leader, 4}, true},
		{"downtime, no leader: the coordinators once, level 3", Consultation{Status: ConsultNew, WaitingSince: mon}, 0, 2, at(msk, 12, 1, 10, 0), msk, Escalation{3, 0, 6}, true},
		{"downtime, another assignee: still one level", Consultation{Status: ConsultProgress, AssigneeID: assignee, WaitingSince: mon}, leader, 2, at(msk, 12, 1, 10, 0), msk, Escalation{1, assignee, 2}, true},
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
		if esc.Level <= c.Escalation {
			t.Fatalf("scan %d: level %d after %d", scan, esc.Level, c.Escalation)
		}
		c.Escalation = esc.Level
		told = append(told, esc.To)
	}
	if want := []int64{200, 100, 0}; !slices.Equal(told, want) {
		t.Errorf("told %v, want %v (assignee, leader, coordinators, each once)", told, want)
	}
}

// TestEscalationOnceEachPerson: the leader took the request herself, so
// levels 1 and 2 are both hers; back after weeks, she is told once (level
// 2) and then the coordinators.
func TestEscalationOnceEachPerson(t *testing.T) {
	msk, _ := time.LoadLocation("Europe/Moscow")
	c := &Consultation{Status: ConsultProgress, AssigneeID: 100, WaitingSince: time.Date(2026, 11, 23, 10, 0, 0, 0, msk)}
	now := time.Date(2026, 12, 21, 10, 0, 0, 0, msk)
	var told []Escalation
	for scan := 0; scan < 6; scan++ {
		if esc, ok := NextEscalation(c, 100, 2, now.Add(time.Duration(scan)*time.Minute), msk); ok {
			c.Escalation = esc.Level
			told = append(told, esc)
		}
	}
	if want := []Escalation{{2, 100, 4}, {3, 0, 6}}; !slices.Equal(told, want) {
		t.Errorf("told %v, want %v", told, want)
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

// TestConsultLifecycle walks a request through its life and checks after
// each step what the escalation rules read: status, assignee, the wait
// and its level.
func TestConsultLifecycle(t *testing.T) {
	t0 := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	at := func(h int) time.Time { return t0.Add(time.Duration(h) * time.Hour) }
	type state struct {
		status   ConsultStatus
		assignee int64
		waiting  time.Time
		level    int
		answered time.Time
	}
	c := &Consultation{AskerID: 1}
	check := func(step string, want state) {
		t.Helper()
		got := state{c.Status, c.AssigneeID, c.WaitingSince, c.Escalation, c.AnsweredAt}
		if got != want {
			t.Errorf("%s:\n got %+v\nwant %+v", step, got, want)
		}
	}
	c.Start(at(0))
	check("asked", state{ConsultNew, 0, at(0), 0, time.Time{}})
	c.Escalation = 1 // the leader was reminded
	if err := c.Take(4, at(50)); err != nil {
		t.Fatal(err)
	}
	check("taken: the full time again", state{ConsultProgress, 4, at(50), 0, time.Time{}})
	if err := c.Take(5, at(51)); codeOf(err) != CodeConflict {
		t.Errorf("taken twice: %v", err)
	}
	c.Escalation = 1
	c.Give(2, at(60))
	check("given while waiting: the full time again", state{ConsultProgress, 2, at(60), 0, time.Time{}})
	c.StaffWrote(2, at(70))
	check("answered", state{ConsultAnswered, 2, time.Time{}, 0, at(70)})
	c.Give(4, at(75))
	check("given while answered: nobody waits", state{ConsultAnswered, 4, time.Time{}, 0, at(70)})
	c.AskerWrote(at(80))
	check("a follow-up: waits again", state{ConsultProgress, 4, at(80), 0, at(70)})
	c.Escalation = 1
	c.AskerWrote(at(90))
	check("another follow-up: the wait goes on", state{ConsultProgress, 4, at(80), 1, at(70)})
	c.StaffWrote(4, at(100))
	check("answered again: the first answer's time kept", state{ConsultAnswered, 4, time.Time{}, 0, at(70)})
	if c.ResponseTime() != 70*time.Hour {
		t.Errorf("response time %v", c.ResponseTime())
	}
	c.Close(ClosedByAuto, at(300))
	check("closed by itself", state{ConsultClosed, 4, time.Time{}, 0, at(70)})
	if !c.LastActivity.Equal(at(100)) || c.ClosedBy != ClosedByAuto || !c.ClosedAt.Equal(at(300)) {
		t.Errorf("auto-closed: activity %v by %q at %v", c.LastActivity, c.ClosedBy, c.ClosedAt)
	}

	// Staff who answer a request nobody took take it with the answer.
	u := &Consultation{AskerID: 1}
	u.Start(at(0))
	u.StaffWrote(3, at(5))
	if u.AssigneeID != 3 || !u.TakenAt.Equal(at(5)) || u.Status != ConsultAnswered {
		t.Errorf("answered untaken: %+v", u)
	}
	u.Close(ClosedByAsker, at(6))
	if !u.LastActivity.Equal(at(6)) || u.ClosedBy != ClosedByAsker {
		t.Errorf("closed by the asker: %+v", u)
	}
}

func TestConsultRate(t *testing.T) {
	tests := []struct {
		name   string
		status ConsultStatus
		rating int
		stars  int
		want   Code
	}{
		{"five stars", ConsultClosed, 0, 5, ""},
		{"one star", ConsultClosed, 0, 1, ""},
		{"zero", ConsultClosed, 0, 0, CodeInvalid},
		{"six", ConsultClosed, 0, 6, CodeInvalid},
		{"still open", ConsultAnswered, 0, 4, CodeNotYet},
		{"rated already", ConsultClosed, 3, 5, CodeAlready},
	}
	for _, tt := range tests {
		c := &Consultation{Status: tt.status, Rating: tt.rating}
		err := c.Rate(tt.stars)
		if codeOf(err) != tt.want {
			t.Errorf("%s: %v, want %q", tt.name, err, tt.want)
		}
		if want := map[bool]int{true: tt.stars, false: tt.rating}[err == nil]; c.Rating != want {
			t.Errorf("%s: rating %d, want %d", tt.name, c.Rating, want)
		}
	}
}

func TestConsultAccess(t *testing.T) {
	const asker, assignee, leader, consultant, coordinator, stranger = 1, 2, 3, 4, 5, 6
	a := &Association{LeaderID: leader, Consultants: []int64{assignee, consultant}}
	newReq := &Consultation{AskerID: asker, Status: ConsultNew}
	taken := &Consultation{AskerID: asker, Status: ConsultProgress, AssigneeID: assignee}
	closed := &Consultation{AskerID: asker, Status: ConsultClosed, AssigneeID: assignee}
	type can struct{ see, take, write, give, close bool }
	tests := []struct {
		name       string
		c          *Consultation
		uid        int64
		registered bool
		coord      bool
		want       can
	}{
		{"the asker of a new request", newReq, asker, true, false, can{true, false, true, false, true}},
		{"an unregistered asker", newReq, asker, false, false, can{true, false, true, false, true}},
		{"the leader of a new request: takes before writing", newReq, leader, true, false, can{true, true, false, true, true}},
		{"a consultant of a new request", newReq, consultant, true, false, can{true, true, false, false, false}},
		{"a coordinator", newReq, coordinator, true, true, can{true, true, false, true, true}},
		{"a stranger", newReq, stranger, true, false, can{}},
		{"the assignee", taken, assignee, true, false, can{true, false, true, false, true}},
		{"the leader of a taken request", taken, leader, true, false, can{true, false, true, true, true}},
		{"another consultant of a taken request", taken, consultant, true, false, can{}},
		{"the asker of a closed request", closed, asker, true, false, can{true, false, false, false, false}},
		{"the leader of a closed request", closed, leader, true, false, can{true, false, false, false, false}},
	}
	for _, tt := range tests {
		x := ConsultAccessFor(tt.c, a, tt.uid, tt.registered, tt.coord)
		got := can{x.Any(), x.CanTake(tt.c), x.CanWrite(tt.c), x.CanGive(tt.c), x.CanClose(tt.c)}
		if got != tt.want {
			t.Errorf("%s: %+v, want %+v", tt.name, got, tt.want)
		}
	}
	// A leader who asks in their own association writes as the asker; as
	// the assignee, as staff.
	own := &Consultation{AskerID: leader, Status: ConsultProgress}
	if ConsultAccessFor(own, a, leader, true, false).WritesAsStaff() {
		t.Error("the leader's own question: their follow-up counted as an answer")
	}
	own.AssigneeID = leader
	if !ConsultAccessFor(own, a, leader, true, false).WritesAsStaff() {
		t.Error("the leader holding their own question: not staff")
	}
	if !ConsultAccessFor(taken, a, leader, true, false).WritesAsStaff() {
		t.Error("the leader's message: not staff")
	}
}

func TestConsultRecipients(t *testing.T) {
	tests := []struct {
		name string
		a    Association
		c    Consultation
		want []int64
	}{
		{"nobody holds it: leader and consultants", Association{LeaderID: 3, Consultants: []int64{4, 5}}, Consultation{AskerID: 1}, []int64{3, 4, 5}},
		{"held: the assignee only", Association{LeaderID: 3, Consultants: []int64{4, 5}}, Consultation{AskerID: 1, AssigneeID: 5}, []int64{5}},
		{"no leader", Association{Consultants: []int64{4}}, Consultation{AskerID: 1}, []int64{4}},
		{"nobody at all: the caller turns to the coordinators", Association{}, Consultation{AskerID: 1}, nil},
		{"the asker is a consultant there", Association{LeaderID: 3, Consultants: []int64{1, 4}}, Consultation{AskerID: 1}, []int64{3, 4}},
		{"the leader listed as a consultant too", Association{LeaderID: 3, Consultants: []int64{3, 4}}, Consultation{AskerID: 1}, []int64{3, 4}},
	}
	for _, tt := range tests {
		if got := ConsultRecipients(&tt.c, &tt.a); !slices.Equal(got, tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
	a := &Association{LeaderID: 3, Consultants: []int64{4}}
	for uid, want := range map[int64]bool{3: true, 4: true, 5: false, 0: false} {
		if a.Answers(uid) != want {
			t.Errorf("Answers(%d) = %v", uid, !want)
		}
	}
	if (&Association{}).Answers(0) {
		t.Error("a leaderless association: user 0 answers")
	}
}

func TestWorkingDaysBetween(t *testing.T) {
	loc := time.UTC
	mon := time.Date(2026, 11, 23, 12, 0, 0, 0, loc) // a Monday
	for _, tc := range []struct {
		to   time.Time
		want int
	}{
		{mon, 0},
		{mon.Add(23 * time.Hour), 0},
		{mon.Add(24 * time.Hour), 1},
		{mon.Add(4*24*time.Hour + time.Hour), 4},   // Friday 13:00
		{mon.Add(6 * 24 * time.Hour), 4},           // Sunday: the weekend does not count
		{mon.Add(7 * 24 * time.Hour), 5},           // next Monday
		{mon.Add(-time.Hour), 0},                   // before: none
		{mon.Add(15*24*time.Hour + time.Hour), 11}, // two weeks and a day
	} {
		if got := WorkingDaysBetween(mon, tc.to, loc); got != tc.want {
			t.Errorf("WorkingDaysBetween(Mon 12:00, %s) = %d, want %d", tc.to.Format("Mon 02.01 15:04"), got, tc.want)
		}
		if tc.want > 0 && AddWorkingDays(mon, tc.want, loc).After(tc.to) {
			t.Errorf("%d working days from Monday end after %s", tc.want, tc.to)
		}
	}
}
