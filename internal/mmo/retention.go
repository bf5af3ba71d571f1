package mmo

import "time"

// RetentionWarnDays is how many days before a school year's records are
// removed the coordinators are warned, with a way to export them.
const RetentionWarnDays = 7

// RetentionAction is what falls due for a school year's records.
type RetentionAction int

// Retention actions.
const (
	RetentionWarn   RetentionAction = iota + 1 // warn the coordinators: removal comes in a week
	RetentionRemove                            // remove the records
)

// RetentionDue is one action due today for one school year's records.
type RetentionDue struct {
	Year   int       // the school year whose records it concerns
	Expiry time.Time // when they fall out of retention
	Action RetentionAction
}

// RetentionExpiry returns when the records of the school year starting in
// `year` fall out of retention: they are kept RetentionYears after the
// school year's end, to the start of a school year.
func (reg Regulation) RetentionExpiry(year int, loc *time.Location) time.Time {
	return reg.YearStart.In(year+1+reg.RetentionYears, loc)
}

// RetentionActions lists what retention asks for at now, oldest year
// first: a warning in the RetentionWarnDays before a year's expiry, and
// its removal from the expiry on. Years up to two beyond the latest
// expired one are looked at, so a bot down for a while still removes what
// expired meanwhile; a year already expired then gets no warning. The
// caller does each action once (it marks them done) and checks that there
// are records to warn about. RetentionYears 0 keeps everything.
func (reg Regulation) RetentionActions(now time.Time, loc *time.Location) []RetentionDue {
	if reg.RetentionYears <= 0 {
		return nil
	}
	today := Today(now, loc)
	current := reg.SchoolYearOf(now, loc)
	var out []RetentionDue
	for year := current - reg.RetentionYears - 2; year < current; year++ {
		expiry := reg.RetentionExpiry(year, loc)
		switch {
		case !today.Before(expiry):
			out = append(out, RetentionDue{year, expiry, RetentionRemove})
		case !today.Before(expiry.AddDate(0, 0, -RetentionWarnDays)):
			out = append(out, RetentionDue{year, expiry, RetentionWarn})
		}
	}
	return out
}
