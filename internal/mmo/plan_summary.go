package mmo

// MonthCount is how many заседания and other events a plan has in a
// month.
type MonthCount struct {
	Month            int // 1..12
	Meetings, Events int
}

// PlanSummary is what a coordinator needs to judge a plan on a phone:
// counts by month, in the school year's order, and what changed since
// the version sent before (all zero, and First, for a first submission).
type PlanSummary struct {
	Months                  []MonthCount
	Meetings, Events        int
	First                   bool
	Added, Removed, Changed int
}

// SummarizePlan counts a plan's items by month, from the month the
// school year starts, and compares them with the items sent before
// (prev; nil when the plan was never sent). Items are matched by id.
func SummarizePlan(items, prev []PlanItem, yearStart int) PlanSummary {
	var s PlanSummary
	if yearStart < 1 || yearStart > 12 {
		yearStart = 9
	}
	counts := map[int]*MonthCount{}
	for _, it := range items {
		c := counts[it.Month]
		if c == nil {
			c = &MonthCount{Month: it.Month}
			counts[it.Month] = c
		}
		if it.Format == FormatMeeting {
			c.Meetings++
			s.Meetings++
		} else {
			c.Events++
			s.Events++
		}
	}
	for i := 0; i < 12; i++ {
		m := (yearStart-1+i)%12 + 1
		if c := counts[m]; c != nil {
			s.Months = append(s.Months, *c)
		}
	}
	if prev == nil {
		s.First = true
		return s
	}
	before := map[int]PlanItem{}
	for _, it := range prev {
		before[it.ID] = it
	}
	for _, it := range items {
		old, ok := before[it.ID]
		switch {
		case !ok:
			s.Added++
		case old != it:
			s.Changed++
		}
		delete(before, it.ID)
	}
	s.Removed = len(before)
	return s
}
