package mmo

import (
	"slices"
	"testing"
	"time"
)

func TestDeadlineLadder(t *testing.T) {
	msk, _ := time.LoadLocation("Europe/Moscow")
	reg := ivanovo()
	report := reg.Due(DocReport, 2025, msk) // 20 June 2026
	plan := reg.Due(DocPlan, 2026, msk)     // 15 September 2026
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, msk) }
	tests := []struct {
		name  string
		due   time.Time
		today time.Time
		want  string // "" for none
		left  int
	}{
		{"report, a month and a day early", report, day(2026, 5, 20), "", 0},
		{"report, 30 days before", report, day(2026, 5, 21), "before:30", 30},
		{"report, between rungs", report, day(2026, 6, 1), "before:30", 30},
		{"report, a week before", report, day(2026, 6, 13), "before:7", 7},
		{"report, the eve", report, day(2026, 6, 19), "before:1", 1},
		{"report, the day", report, day(2026, 6, 20), "day", 0},
		{"report, bot started on 21 June", report, day(2026, 6, 21), "day", 0},
		{"report, a week late", report, day(2026, 6, 27), "overdue:7", -7},
		{"report, a month late", report, day(2026, 7, 20), "overdue:28", -28},
		{"plan, 30 days before, in the previous school year", plan, day(2026, 8, 16), "before:30", 30},
		{"plan, the day", plan, day(2026, 9, 15), "day", 0},
	}
	for _, tt := range tests {
		r, ok := reg.DueRung(tt.due, tt.today)
		if tt.want == "" {
			if ok {
				t.Errorf("%s: rung %s, want none", tt.name, r.Name)
			}
			continue
		}
		if !ok || r.Name != tt.want || r.DaysLeft != tt.left {
			t.Errorf("%s: rung %+v %v, want %s (%d)", tt.name, r, ok, tt.want, tt.left)
		}
	}
	// A leap year: the eve of 1 March 2028 is 29 February.
	leap := reg
	leap.PlanDue = MonthDay{time.March, 1}
	due := leap.Due(DocPlan, 2027, msk)
	r, ok := leap.DueRung(due, day(2028, 2, 29))
	if !ok || r.Name != "before:1" {
		t.Errorf("leap year eve: %+v %v", r, ok)
	}
	if r, _ := leap.DueRung(due, day(2028, 2, 28)); r.Name != "before:7" {
		t.Errorf("28 February 2028: %s", r.Name)
	}
}

func TestDocsWatched(t *testing.T) {
	msk, _ := time.LoadLocation("Europe/Moscow")
	berlin, _ := time.LoadLocation("Europe/Berlin")
	at := func(y int, m time.Month, d, h int) time.Time { return time.Date(y, m, d, h, 0, 0, 0, msk) }
	old := at(2020, 1, 1, 0)
	spring := ivanovo()
	spring.ReportDue = MonthDay{time.April, 1}
	type doc struct {
		kind string
		year int
		left int
	}
	tests := []struct {
		name    string
		reg     Regulation
		created time.Time
		archive bool
		now     time.Time
		loc     *time.Location
		want    []doc
	}{
		{"November: this year's plan late, next year's ahead, both reports", ivanovo(), old, false, at(2026, 11, 23, 12), msk,
			[]doc{{DocPlan, 2026, -69}, {DocPlan, 2027, 296}, {DocReport, 2025, -156}, {DocReport, 2026, 209}}},
		{"nothing due before the association existed", ivanovo(), at(2026, 10, 1, 12), false, at(2026, 11, 23, 12), msk,
			[]doc{{DocPlan, 2027, 296}, {DocReport, 2026, 209}}},
		{"created on the due day: still owed", ivanovo(), at(2026, 9, 15, 18), false, at(2026, 11, 23, 12), msk,
			[]doc{{DocPlan, 2026, -69}, {DocPlan, 2027, 296}, {DocReport, 2026, 209}}},
		{"six months overdue: still chased", ivanovo(), old, false, at(2026, 12, 20, 23), msk,
			[]doc{{DocPlan, 2026, -96}, {DocPlan, 2027, 269}, {DocReport, 2025, -183}, {DocReport, 2026, 182}}},
		{"a day more: left to the coordinator", ivanovo(), old, false, at(2026, 12, 21, 0), msk,
			[]doc{{DocPlan, 2026, -97}, {DocPlan, 2027, 268}, {DocReport, 2026, 181}}},
		{"the school year's last day", ivanovo(), old, false, at(2026, 8, 31, 23), msk,
			[]doc{{DocPlan, 2026, 15}, {DocReport, 2025, -72}}},
		{"the next school year's first day", ivanovo(), old, false, at(2026, 9, 1, 0), msk,
			[]doc{{DocPlan, 2026, 14}, {DocPlan, 2027, 379}, {DocReport, 2025, -73}, {DocReport, 2026, 292}}},
		{"archived: owes nothing", ivanovo(), old, true, at(2026, 11, 23, 12), msk, nil},
		// Berlin moves its clocks on 28 March 2027: a day 23 hours long
		// is still one day.
		{"over a clock change", spring, old, false, time.Date(2027, 3, 27, 23, 30, 0, 0, berlin), berlin,
			[]doc{{DocPlan, 2027, 172}, {DocReport, 2026, 5}}},
	}
	for _, tt := range tests {
		a := &Association{CreatedAt: tt.created}
		if tt.archive {
			a.ArchivedAt = tt.now
		}
		var got []doc
		for _, d := range tt.reg.DocsWatched(a, tt.now, tt.loc) {
			if !d.Due.Equal(tt.reg.Due(d.Kind, d.Year, tt.loc)) {
				t.Errorf("%s: %s %d due %v", tt.name, d.Kind, d.Year, d.Due)
			}
			got = append(got, doc{d.Kind, d.Year, d.DaysLeft})
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s:\n got %v\nwant %v", tt.name, got, tt.want)
		}
	}
}

func TestDailyDue(t *testing.T) {
	msk, _ := time.LoadLocation("Europe/Moscow")
	berlin, _ := time.LoadLocation("Europe/Berlin")
	tests := []struct {
		name         string
		now          time.Time
		hour, minute int
		loc          *time.Location
		day          time.Time
		ok           bool
	}{
		{"a minute before the alert time", time.Date(2026, 11, 23, 8, 59, 0, 0, msk), 9, 0, msk, time.Date(2026, 11, 23, 0, 0, 0, 0, msk), false},
		{"at the alert time", time.Date(2026, 11, 23, 9, 0, 0, 0, msk), 9, 0, msk, time.Date(2026, 11, 23, 0, 0, 0, 0, msk), true},
		{"late in the evening", time.Date(2026, 11, 23, 23, 59, 0, 0, msk), 9, 0, msk, time.Date(2026, 11, 23, 0, 0, 0, 0, msk), true},
		// The server's clock is UTC; the day is the zone's: 22:30 UTC on
		// the 23rd is already the 24th in Moscow, before its alert time.
		{"the zone's day, not UTC's", time.Date(2026, 11, 23, 22, 30, 0, 0, time.UTC), 9, 0, msk, time.Date(2026, 11, 24, 0, 0, 0, 0, msk), false},
		// 02:30 does not exist on the night Berlin moves its clocks
		// forward (29 March 2026): the jobs run at 03:30, not skipped.
		{"an alert time the clocks skip, before", time.Date(2026, 3, 29, 1, 59, 0, 0, berlin), 2, 30, berlin, time.Date(2026, 3, 29, 0, 0, 0, 0, berlin), false},
		{"an alert time the clocks skip, after", time.Date(2026, 3, 29, 3, 30, 0, 0, berlin), 2, 30, berlin, time.Date(2026, 3, 29, 0, 0, 0, 0, berlin), true},
		{"back after days away: today's run", time.Date(2026, 12, 2, 12, 0, 0, 0, msk), 9, 0, msk, time.Date(2026, 12, 2, 0, 0, 0, 0, msk), true},
	}
	for _, tt := range tests {
		day, ok := DailyDue(tt.now, tt.hour, tt.minute, tt.loc)
		if ok != tt.ok || !day.Equal(tt.day) {
			t.Errorf("%s: %v %v, want %v %v", tt.name, day, ok, tt.day, tt.ok)
		}
	}
}
