package mmo

import (
	"slices"
	"strconv"
	"time"
)

// DocDue is a plan or report with its due date, as the deadline rules
// see it on a given day.
type DocDue struct {
	Kind     string    // DocPlan or DocReport
	Year     int       // the school year it is for
	Due      time.Time // midnight starting the due day, in the zone
	DaysLeft int       // whole days from today to Due; negative when overdue
}

// docWatch is how long after its due date a missing document is still
// chased: a document half a year late is the coordinator's matter, not a
// reminder's.
const docWatch = 6 // months

// DocsWatched returns the documents association a may owe at now: this
// and next school year's plan, last and this school year's report — not
// one due before the association existed, nor one more than six months
// overdue, nor any of an archived association. The caller drops those
// already submitted or approved (DocStatus.Done); the rest are owed, and
// get the reminder ladder and a line in the coordinators' digest.
func (reg Regulation) DocsWatched(a *Association, now time.Time, loc *time.Location) []DocDue {
	if a.Archived() {
		return nil
	}
	today := Today(now, loc)
	year := reg.SchoolYearOf(now, loc)
	var out []DocDue
	for _, d := range []DocDue{{Kind: DocPlan, Year: year}, {Kind: DocPlan, Year: year + 1}, {Kind: DocReport, Year: year - 1}, {Kind: DocReport, Year: year}} {
		d.Due = reg.Due(d.Kind, d.Year, loc)
		if d.Due.Before(Today(a.CreatedAt, loc)) || today.After(d.Due.AddDate(0, docWatch, 0)) {
			continue
		}
		d.DaysLeft = DaysBetween(today, d.Due, loc)
		out = append(out, d)
	}
	return out
}

// Rung is one reminder of the deadline ladder.
type Rung struct {
	Day  time.Time // the day it falls on (midnight, in the zone)
	Name string    // "before:30", "day", "overdue:7" — unique per ladder
	// DaysLeft is how many days remain to the due date (negative when
	// overdue).
	DaysLeft int
}

// Ladder returns the reminder rungs of a due date up to and including
// `until`: LadderDays before it, the day itself, then every OverdueEvery
// days after it.
func (reg Regulation) Ladder(due, until time.Time) []Rung {
	var out []Rung
	for _, d := range reg.LadderDays {
		if d <= 0 {
			continue
		}
		day := due.AddDate(0, 0, -d)
		if !day.After(until) {
			out = append(out, Rung{Day: day, Name: "before:" + strconv.Itoa(d), DaysLeft: d})
		}
	}
	slices.SortStableFunc(out, func(a, b Rung) int { return a.Day.Compare(b.Day) })
	if due.After(until) {
		return out
	}
	out = append(out, Rung{Day: due, Name: "day"})
	if reg.OverdueEvery <= 0 {
		return out
	}
	for n := reg.OverdueEvery; ; n += reg.OverdueEvery {
		day := due.AddDate(0, 0, n)
		if day.After(until) {
			break
		}
		out = append(out, Rung{Day: day, Name: "overdue:" + strconv.Itoa(n), DaysLeft: -n})
	}
	return out
}

// DueRung returns the latest rung that has fallen due by `today` (a day
// in the zone of due), or false if none has. When the bot was down over
// several rungs, only the latest one matters: the others are moot.
func (reg Regulation) DueRung(due, today time.Time) (Rung, bool) {
	rs := reg.Ladder(due, today)
	if len(rs) == 0 {
		return Rung{}, false
	}
	return rs[len(rs)-1], true
}

// DailyDue returns the day whose daily jobs (the deadline ladder, the
// coordinators' digest, retention) are due at now: today, once the alert
// time of day (hour and minute in loc) has come; false before it. The
// caller runs them once a day by marking the day. After a downtime only
// today's run is due: the ladder and retention catch up by themselves.
func DailyDue(now time.Time, hour, minute int, loc *time.Location) (time.Time, bool) {
	day := Today(now, loc)
	at := time.Date(day.Year(), day.Month(), day.Day(), hour, minute, 0, 0, loc)
	return day, !now.Before(at)
}
