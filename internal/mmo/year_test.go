package mmo

import (
	"slices"
	"testing"
	"time"
)

func ivanovo() Regulation {
	return Regulation{
		YearStart:      MonthDay{time.September, 1},
		PlanDue:        MonthDay{time.September, 15},
		ReportDue:      MonthDay{time.June, 20},
		MinMeetings:    3,
		MeetingsWarn:   MonthDay{time.March, 1},
		MinMembers:     10,
		RetentionYears: 3,
		LadderDays:     []int{30, 7, 1},
		OverdueEvery:   7,
	}
}

func TestParseMonthDay(t *testing.T) {
	for in, ok := range map[string]bool{"09-15": true, "9-1": true, "02-29": true, "02-30": false, "13-01": false, "06": false, "x-y": false, "04-31": false} {
		_, err := ParseMonthDay(in)
		if (err == nil) != ok {
			t.Errorf("ParseMonthDay(%q) error %v", in, err)
		}
	}
	md := MonthDay{time.February, 29}
	if got := md.In(2027, time.UTC); got.Day() != 28 {
		t.Errorf("29 February in 2027 = %v", got)
	}
	if got := md.In(2028, time.UTC); got.Day() != 29 {
		t.Errorf("29 February in 2028 = %v", got)
	}
}

func TestDueDates(t *testing.T) {
	msk, _ := time.LoadLocation("Europe/Moscow")
	reg := ivanovo()
	tests := []struct {
		kind string
		year int
		want time.Time
	}{
		{DocReport, 2025, time.Date(2026, 6, 20, 0, 0, 0, 0, msk)},
		{DocPlan, 2026, time.Date(2026, 9, 15, 0, 0, 0, 0, msk)},
		{DocReport, 2027, time.Date(2028, 6, 20, 0, 0, 0, 0, msk)},
	}
	for _, tt := range tests {
		if got := reg.Due(tt.kind, tt.year, msk); !got.Equal(tt.want) {
			t.Errorf("Due(%s, %d) = %v, want %v", tt.kind, tt.year, got, tt.want)
		}
	}
	// Calendar-year plans (Biysk's 5.1): the plan due 15 January belongs to
	// a year starting 1 January.
	cal := reg
	cal.YearStart, cal.PlanDue = MonthDay{time.January, 1}, MonthDay{time.January, 15}
	if got := cal.Due(DocPlan, 2027, msk); !got.Equal(time.Date(2027, 1, 15, 0, 0, 0, 0, msk)) {
		t.Errorf("calendar-year plan due %v", got)
	}
	if y := cal.SchoolYearOf(time.Date(2027, 3, 1, 0, 0, 0, 0, msk), msk); y != 2027 {
		t.Errorf("calendar year of March 2027 = %d", y)
	}
}

func TestMeetingsOnTrack(t *testing.T) {
	msk, _ := time.LoadLocation("Europe/Moscow")
	reg := ivanovo()
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, msk) }
	tests := []struct {
		name            string
		held, scheduled int
		today           time.Time
		want            bool
	}{
		{"autumn, none yet: too early to warn", 0, 0, day(2026, 11, 22), true},
		{"1 March, one held, one scheduled", 1, 1, day(2027, 3, 1), false},
		{"1 March, two held, one scheduled", 2, 1, day(2027, 3, 1), true},
		{"May, three held", 3, 0, day(2027, 5, 10), true},
		{"the day before the warning", 0, 0, day(2027, 2, 28), true},
	}
	for _, tt := range tests {
		if got := reg.MeetingsOnTrack(tt.held, tt.scheduled, 2026, tt.today, msk); got != tt.want {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
	off := reg
	off.MinMeetings = 0
	if !off.MeetingsOnTrack(0, 0, 2026, day(2027, 5, 1), msk) {
		t.Error("no minimum: always on track")
	}
}

func TestDaysBetweenAcrossDST(t *testing.T) {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	a := time.Date(2026, 3, 28, 23, 30, 0, 0, berlin) // the clocks go forward on 29 March
	b := time.Date(2026, 3, 30, 0, 30, 0, 0, berlin)
	if n := DaysBetween(a, b, berlin); n != 2 {
		t.Errorf("DaysBetween = %d, want 2", n)
	}
	if n := DaysBetween(b, a, berlin); n != -2 {
		t.Errorf("DaysBetween backwards = %d", n)
	}
	msk, _ := time.LoadLocation("Europe/Moscow")
	// 21:30 UTC on 19 June is already 20 June in Moscow.
	if !Today(time.Date(2026, 6, 19, 21, 30, 0, 0, time.UTC), msk).Equal(time.Date(2026, 6, 20, 0, 0, 0, 0, msk)) {
		t.Error("Today in Moscow")
	}
}

func TestSchoolYearOf(t *testing.T) {
	msk, _ := time.LoadLocation("Europe/Moscow")
	reg := ivanovo()
	for _, tt := range []struct {
		t    time.Time
		want int
	}{
		{time.Date(2026, 9, 1, 0, 0, 0, 0, msk), 2026},
		{time.Date(2026, 8, 31, 23, 59, 0, 0, msk), 2025},
		{time.Date(2027, 6, 20, 12, 0, 0, 0, msk), 2026},
		{time.Date(2026, 12, 31, 12, 0, 0, 0, msk), 2026},
		// 31 Aug 22:30 UTC is already 1 Sep in Moscow.
		{time.Date(2026, 8, 31, 22, 30, 0, 0, time.UTC), 2026},
	} {
		if got := reg.SchoolYearOf(tt.t, msk); got != tt.want {
			t.Errorf("SchoolYearOf(%v) = %d, want %d", tt.t, got, tt.want)
		}
	}
	if y := reg.SchoolYearOf(time.Date(2026, 8, 31, 20, 59, 0, 0, time.UTC), msk); y != 2025 {
		t.Errorf("31 Aug 23:59 Moscow: %d", y)
	}
	if y := reg.SchoolYearOf(time.Date(2026, 8, 31, 21, 0, 0, 0, time.UTC), msk); y != 2026 {
		t.Errorf("1 Sep 00:00 Moscow: %d", y)
	}
}

func TestYearSpan(t *testing.T) {
	msk, _ := time.LoadLocation("Europe/Moscow")
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, msk) }
	calendar := ivanovo()
	calendar.YearStart = MonthDay{time.January, 1}
	tests := []struct {
		name     string
		reg      Regulation
		year     int
		from, to time.Time
	}{
		{"from 1 September", ivanovo(), 2026, day(2026, 9, 1), day(2027, 9, 1)},
		{"a calendar year", calendar, 2027, day(2027, 1, 1), day(2028, 1, 1)},
	}
	for _, tt := range tests {
		from, to := tt.reg.YearSpan(tt.year, msk)
		if !from.Equal(tt.from) || !to.Equal(tt.to) {
			t.Errorf("%s: %v – %v, want %v – %v", tt.name, from, to, tt.from, tt.to)
		}
		// The span holds exactly the school year's moments.
		for _, x := range []struct {
			t    time.Time
			year int
		}{{from, tt.year}, {to.Add(-time.Nanosecond), tt.year}, {to, tt.year + 1}, {from.Add(-time.Nanosecond), tt.year - 1}} {
			if got := tt.reg.SchoolYearOf(x.t, msk); got != x.year {
				t.Errorf("%s: SchoolYearOf(%v) = %d, want %d", tt.name, x.t, got, x.year)
			}
		}
	}
}

func TestPlanYear(t *testing.T) {
	msk, _ := time.LoadLocation("Europe/Moscow")
	berlin, _ := time.LoadLocation("Europe/Berlin")
	calendar := ivanovo()
	calendar.YearStart = MonthDay{time.January, 1}
	spring := ivanovo()
	spring.YearStart = MonthDay{time.April, 1}
	tests := []struct {
		name string
		reg  Regulation
		now  time.Time
		loc  *time.Location
		want int
	}{
		{"mid-July, a minute early", ivanovo(), time.Date(2026, 7, 17, 23, 59, 0, 0, msk), msk, 2025},
		{"mid-July: the coming year's plan", ivanovo(), time.Date(2026, 7, 18, 0, 0, 0, 0, msk), msk, 2026},
		{"September", ivanovo(), time.Date(2026, 9, 20, 12, 0, 0, 0, msk), msk, 2026},
		{"June", ivanovo(), time.Date(2027, 6, 30, 12, 0, 0, 0, msk), msk, 2026},
		{"a calendar year, in mid-November", calendar, time.Date(2026, 11, 17, 0, 0, 0, 0, msk), msk, 2027},
		{"a calendar year, the day before", calendar, time.Date(2026, 11, 16, 12, 0, 0, 0, msk), msk, 2026},
		// 45 calendar days in the zone: from 23:30 on 14 February over
		// the change to summer time is 23:30 on 31 March, not 1 April.
		{"over a clock change", spring, time.Date(2027, 2, 14, 22, 30, 0, 0, time.UTC), berlin, 2026},
		{"over a clock change, the next day", spring, time.Date(2027, 2, 14, 23, 0, 0, 0, time.UTC), berlin, 2027},
	}
	for _, tt := range tests {
		if got := tt.reg.PlanYear(tt.now, tt.loc); got != tt.want {
			t.Errorf("%s: %d, want %d", tt.name, got, tt.want)
		}
	}
}

func TestReportYear(t *testing.T) {
	msk, _ := time.LoadLocation("Europe/Moscow")
	at := func(y int, m time.Month, d, h, min int) time.Time { return time.Date(y, m, d, h, min, 0, 0, msk) }
	old := &Association{CreatedAt: at(2020, 1, 1, 0, 0)}
	young := &Association{CreatedAt: at(2026, 7, 1, 0, 0)} // after the 2025/26 report fell due
	tests := []struct {
		name string
		a    *Association
		last DocStatus
		now  time.Time
		want int
	}{
		{"November, last year's not begun", old, "", at(2026, 11, 23, 12, 0), 2025},
		{"November, last year's a draft", old, DocDraft, at(2026, 11, 23, 12, 0), 2025},
		{"November, last year's returned", old, DocReturned, at(2026, 11, 23, 12, 0), 2025},
		{"November, last year's submitted", old, DocSubmitted, at(2026, 11, 23, 12, 0), 2026},
		{"November, last year's accepted", old, DocApproved, at(2026, 11, 23, 12, 0), 2026},
		{"the school year's first minute", old, "", at(2026, 9, 1, 0, 0), 2025},
		{"the last minute of the grace", old, "", at(2026, 11, 30, 23, 59), 2025},
		{"December: this year's, whatever last year's", old, "", at(2026, 12, 1, 0, 0), 2026},
		{"the school year's last day", old, "", at(2026, 8, 31, 23, 59), 2025},
		{"an association younger than last year's due date", young, "", at(2026, 11, 23, 12, 0), 2026},
	}
	for _, tt := range tests {
		if got := ivanovo().ReportYear(tt.a, tt.last, tt.now, msk); got != tt.want {
			t.Errorf("%s: %d, want %d", tt.name, got, tt.want)
		}
	}
}

func TestDocumentApproval(t *testing.T) {
	now := time.Date(2026, 9, 10, 12, 0, 0, 0, time.UTC)
	statuses := []DocStatus{"", DocDraft, DocReturned, DocSubmitted, DocApproved}
	editable := map[DocStatus]bool{"": true, DocDraft: true, DocReturned: true}
	for _, st := range statuses {
		if st.Editable() != editable[st] {
			t.Errorf("%q editable %v", st, st.Editable())
		}
		// Submitting: only what the leader may still change.
		d := DocState{Status: st, Comment: "Добавьте заседание в марте"}
		err := d.Submit(now)
		if (err == nil) != editable[st] {
			t.Errorf("submit %q: %v", st, err)
		}
		if err == nil && (d.Status != DocSubmitted || d.Comment != "" || !d.SubmittedAt.Equal(now)) {
			t.Errorf("submitted %q as %+v", st, d)
		}
		// Deciding: only what waits for the coordinator, once.
		d = DocState{Status: st}
		err = d.Decide(7, "", now)
		if (err == nil) != (st == DocSubmitted) {
			t.Errorf("decide %q: %v", st, err)
		}
		if err != nil && d.Status != st {
			t.Errorf("decide %q refused, yet became %q", st, d.Status)
		}
	}
	d := DocState{Status: DocSubmitted}
	if err := d.Decide(7, "", now); err != nil || d.Status != DocApproved || d.DecidedBy != 7 || !d.DecidedAt.Equal(now) {
		t.Errorf("approved: %+v, %v", d, err)
	}
	if err := d.Decide(8, "ещё раз", now); codeOf(err) != CodeConflict || d.DecidedBy != 7 {
		t.Errorf("decided twice: %+v, %v", d, err)
	}
	d = DocState{Status: DocSubmitted}
	if err := d.Decide(7, "Добавьте заседание в марте", now); err != nil || d.Status != DocReturned || d.Comment == "" {
		t.Errorf("returned: %+v, %v", d, err)
	}

	p := &Plan{DocState: DocState{Status: DocDraft}}
	if err := p.Submit(now); codeOf(err) != CodeTooShort {
		t.Errorf("a plan without events submitted: %v", err)
	}
	p.AddItem(PlanItem{Month: 10, Topic: "Заседание", Format: FormatMeeting})
	if err := p.Submit(now); err != nil || p.Status != DocSubmitted {
		t.Errorf("a plan with an event: %v, %q", err, p.Status)
	}
	approved := &Plan{DocState: DocState{Status: DocApproved}}
	if err := approved.Submit(now); codeOf(err) != CodeConflict {
		t.Errorf("an approved plan without events resubmitted: %v", err)
	}
}

func TestReportEmptySections(t *testing.T) {
	rep := &Report{Sections: map[string]string{"directions": "Функциональная грамотность", "practice": "  ", "problems": "Нет"}}
	// 1 (meetings) and 5 (open events) come from the bot's records.
	if got, want := rep.EmptySections(), []int{3, 4, 6, 7, 9}; !slices.Equal(got, want) {
		t.Errorf("empty %v, want %v", got, want)
	}
	full := &Report{Sections: map[string]string{}}
	for _, s := range ReportSections {
		full.Sections[s] = "текст"
	}
	if got := full.EmptySections(); len(got) != 0 {
		t.Errorf("a full report: empty %v", got)
	}
}

func TestMonthOver(t *testing.T) {
	loc := time.UTC
	sept := Regulation{YearStart: MonthDay{Month: time.September, Day: 1}}
	jan := Regulation{YearStart: MonthDay{Month: time.January, Day: 1}}
	at := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 12, 0, 0, 0, loc) }
	cases := []struct {
		name        string
		reg         Regulation
		year, month int
		now         time.Time
		want        bool
	}{
		{"November of 2026/27 during November", sept, 2026, 11, at(2026, 11, 23), false},
		{"November of 2026/27 on 1 December", sept, 2026, 11, time.Date(2026, 12, 1, 0, 0, 0, 0, loc), true},
		{"December of 2026/27 in November", sept, 2026, 12, at(2026, 11, 23), false},
		{"March of 2026/27 is in 2027", sept, 2026, 3, at(2026, 11, 23), false},
		{"March of 2026/27 in April 2027", sept, 2026, 3, at(2027, 4, 1), true},
		{"September, the first month", sept, 2026, 9, at(2026, 9, 30), false},
		{"calendar year: March 2027 in November 2026", jan, 2027, 3, at(2026, 11, 23), false},
		{"calendar year: November 2026 in December", jan, 2026, 11, at(2026, 12, 2), true},
		{"a month out of range counts as over", sept, 2026, 13, at(2026, 11, 23), true},
	}
	for _, c := range cases {
		if got := c.reg.MonthOver(c.year, c.month, c.now, loc); got != c.want {
			t.Errorf("%s: MonthOver = %v, want %v", c.name, got, c.want)
		}
	}
}
