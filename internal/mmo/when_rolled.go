package mmo

import "time"

// WhenYearless reports whether s names a day and month without a year
// ("1 декабря", "01.12 15:00") whose date this year, in loc, is already
// before today at now: ParseWhen takes such a date as next year's, and a
// person typing it on 2 December may mean yesterday. A date with its
// year typed, or one ahead this year, is false.
func WhenYearless(s string, now time.Time, loc *time.Location) bool {
	if loc == nil {
		loc = time.UTC
	}
	toks, ok := whenTokenize(s)
	if !ok || len(toks) == 0 {
		return false
	}
	p, ok := whenParse(toks)
	if !ok || !p.hasDate || p.hasYear {
		return false
	}
	now = now.In(loc)
	d, ok := whenValidDate(now.Year(), time.Month(p.month), p.day)
	return ok && d.Before(whenCivil(now.Year(), now.Month(), now.Day()))
}
