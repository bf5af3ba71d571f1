package mmo

import (
	"strconv"
	"strings"
	"time"
)

// Codes of date, time and duration input (see ParseWhen and ParseDuration).
const (
	CodeNoTime Code = "no_time" // a date without a time: ask "and what time?"
	CodeNoDate Code = "no_date" // a time without a date: ask "and what day?"
	CodePast   Code = "past"    // the moment has already passed
	CodeTooFar Code = "too_far" // more than WhenMaxAhead ahead
)

// Limits of ParseWhen and ParseDuration.
const (
	// WhenMaxAheadYears is how far ahead ParseWhen accepts a moment: at most
	// this many years after now (to the minute; exactly two years is fine).
	WhenMaxAheadYears = 2
	// WhenDurationMin and WhenDurationMax bound ParseDuration. An error for
	// a duration out of range carries the broken limit in minutes in
	// Error.Limit.
	WhenDurationMin = 5 * time.Minute
	WhenDurationMax = 12 * time.Hour
)

// Field names of the errors of this file.
const (
	whenField     = "when"
	durationField = "duration"
)

// ParseWhen reads a date and time typed by a person, in Russian or English,
// relative to now, in loc. It returns the instant in loc.
//
// Case, ё/е, extra spaces, commas, the prepositions «в»/«во»/at/on and the
// order of the date and the time do not matter ("25.12 в 15:30",
// "в 15:00 завтра"). The date is one of:
//
//   - numeric: 25.12, 25/12, 25-12, 25.12.2026, 25.12.26, 2026-12-25;
//     a two-digit year means 20xx;
//   - a day and a month name, in either order, with an optional year:
//     "20 июня", "20 июн", "июнь 20", "20-го июня 2027 г.", "June 20",
//     "20 June 2027", "Dec 25th"; every case form of the Russian names
//     (январь, января, январе…; май, мая…) and the usual abbreviations;
//   - сегодня/завтра/послезавтра, today/tomorrow/"the day after tomorrow";
//   - a weekday: пятница/пятницу/пт, friday/fri, optionally after
//     «следующий»/«следующую»/next or «этот»/«эту»/«ближайшую»/this.
//
// A bare weekday means its nearest occurrence from today on that is not in
// the past: today when today is that weekday and the time is still ahead,
// else next week. "next"/«следующ…» differs only on that weekday itself:
// it always skips today (on a Friday, "next friday" is a week later); on
// other days it is the same as the bare weekday (said on a Sunday, «в
// следующую пятницу» is the coming Friday). A weekday given together with
// a date must agree with it.
//
// The time is one of:
//
//   - H:MM, H.MM or H-MM ("15:30", "9.30", "15-30"); only 0:00–23:59;
//   - a bare hour after «в»/at or right after a day word or weekday
//     ("в 10", "завтра 15", "at 3"), or marked with ч/час/часов/h/o'clock
//     ("15 ч", "15 ч 30 мин");
//   - am/pm ("3:30 pm", "3pm", "12 am" = 0:00) and утра/дня/вечера/ночи
//     ("в 9 утра", "в 3 дня" = 15:00, "в 7 вечера" = 19:00, "12 ночи" =
//     0:00), which need an hour of 1–12;
//   - «полдень»/noon (or "12 noon") for 12:00.
//
// "25.12" is always a date when nothing else makes it a time: a pair
// d.m / h.mm is a time after «в»/at or before am/pm, or when the date is
// given otherwise ("завтра 15.30"); two pairs ("25.12 15.30") are the date
// then the time, unless only the other reading is valid ("15.30 25.12").
//
// A date without a year is its nearest occurrence that is not before today
// (25.12 typed on 26.12.2026 is 25.12.2027; 29.02 skips to the next leap
// year). The date is compared as a day, not with the time: "25.12 9:00"
// typed on 25.12 at 10:00 is in the past (CodePast), not next year.
//
// Errors (*Error with Field "when"):
//   - CodeInvalid: garbage, an impossible date or time (31.02, 25.13,
//     24:00, a weekday that disagrees with the date), or a local time that
//     does not exist in loc (skipped by a daylight saving change);
//   - CodeNoTime: a date without a time, so the bot can ask for the time
//     (the caller may then parse the date text and the answer joined by a
//     space);
//   - CodeNoDate: a time without a date, likewise;
//   - CodePast: before now (also a date alone that is before today);
//   - CodeTooFar: more than WhenMaxAheadYears years after now.
//
// Local times are built with time.Date in loc, so any zone works; a time
// repeated by a daylight saving change resolves as time.Date does.
func ParseWhen(s string, now time.Time, loc *time.Location) (time.Time, error) {
	if loc == nil {
		loc = time.UTC
	}
	invalid := Errorf(CodeInvalid, whenField)
	toks, ok := whenTokenize(s)
	if !ok || len(toks) == 0 {
		return time.Time{}, invalid
	}
	p, ok := whenParse(toks)
	if !ok {
		return time.Time{}, invalid
	}

	now = now.In(loc)
	today := whenCivil(now.Year(), now.Month(), now.Day())

	// The date, as a civil date (a UTC midnight).
	var date time.Time
	switch {
	case p.hasDate && p.hasYear:
		d, ok := whenValidDate(p.year, time.Month(p.month), p.day)
		if !ok {
			return time.Time{}, invalid
		}
		date = d
	case p.hasDate:
		found := false
		// Up to 8 years ahead, so that 29.02 always finds a leap year.
		for y := today.Year(); y <= today.Year()+8; y++ {
			if d, ok := whenValidDate(y, time.Month(p.month), p.day); ok && !d.Before(today) {
				date, found = d, true
				break
			}
		}
		if !found {
			return time.Time{}, invalid
		}
	case p.hasRel:
		date = today.AddDate(0, 0, p.rel)
	case p.hasWd:
		delta := (int(p.wd) - int(today.Weekday()) + 7) % 7
		if delta == 0 && p.wdNext {
			delta = 7
		}
		date = today.AddDate(0, 0, delta)
	}
	if p.dayGiven() && p.hasWd && date.Weekday() != p.wd {
		return time.Time{}, invalid // "пятница 24.12"
	}

	limit := now.AddDate(WhenMaxAheadYears, 0, 0)
	switch {
	case !p.dayGiven() && !p.hasTime:
		return time.Time{}, invalid
	case !p.dayGiven():
		return time.Time{}, Errorf(CodeNoDate, whenField)
	case !p.hasTime:
		if date.Before(today) {
			return time.Time{}, Errorf(CodePast, whenField)
		}
		if date.After(whenCivil(limit.Year(), limit.Month(), limit.Day())) {
			return time.Time{}, Errorf(CodeTooFar, whenField)
		}
		return time.Time{}, Errorf(CodeNoTime, whenField)
	}

	t := time.Date(date.Year(), date.Month(), date.Day(), p.hour, p.min, 0, 0, loc)
	if p.hasWd && !p.hasDate && !p.hasRel && !p.wdNext && t.Before(now) && date.Equal(today) {
		// Today's weekday whose time has passed: next week.
		date = date.AddDate(0, 0, 7)
		t = time.Date(date.Year(), date.Month(), date.Day(), p.hour, p.min, 0, 0, loc)
	}
	if t.Year() != date.Year() || t.Month() != date.Month() || t.Day() != date.Day() ||
		t.Hour() != p.hour || t.Minute() != p.min {
		// Skipped by a daylight saving change.
		return time.Time{}, invalid
	}
	if t.Before(now) {
		return time.Time{}, Errorf(CodePast, whenField)
	}
	if t.After(limit) {
		return time.Time{}, Errorf(CodeTooFar, whenField)
	}
	return t, nil
}

// whenCivil returns a civil date as a UTC midnight, for day arithmetic
// free of daylight saving changes.
func whenCivil(y int, m time.Month, d int) time.Time {
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// whenValidDate returns the civil date y-m-d when it exists.
func whenValidDate(y int, m time.Month, d int) (time.Time, bool) {
	if m < time.January || m > time.December || d < 1 || d > 31 {
		return time.Time{}, false
	}
	t := whenCivil(y, m, d)
	return t, t.Month() == m && t.Day() == d
}

// whenParts is what whenParse found.
type whenParts struct {
	hasDate          bool // day and month given
	day, month, year int
	hasYear          bool

	hasRel bool
	rel    int // days from today

	hasWd  bool
	wd     time.Weekday
	wdNext bool

	hasTime   bool
	hour, min int
}

// dayGiven reports whether the text names a day: a date, a relative day or
// a weekday.
func (p whenParts) dayGiven() bool { return p.hasDate || p.hasRel || p.hasWd }

// whenPair is an ambiguous d.m / h.mm number.
type whenPair struct{ a, b string }

func (p whenPair) canDate() bool {
	d, _ := strconv.Atoi(p.a)
	m, _ := strconv.Atoi(p.b)
	return len(p.a) <= 2 && len(p.b) <= 2 && d >= 1 && d <= 31 && m >= 1 && m <= 12
}

func (p whenPair) canTime() bool {
	_, ok := whenClock(p.a, p.b)
	return ok
}

// whenClock reads hours and minutes groups: 0–23 and exactly two digits of
// 00–59.
func whenClock(h, m string) ([2]int, bool) {
	if len(h) < 1 || len(h) > 2 || len(m) != 2 {
		return [2]int{}, false
	}
	hh, _ := strconv.Atoi(h)
	mm, _ := strconv.Atoi(m)
	if hh > 23 || mm > 59 {
		return [2]int{}, false
	}
	return [2]int{hh, mm}, true
}

// whenParse reads the tokens; false means the text is not a date and time.
func whenParse(toks []whenTok) (whenParts, bool) {
	var p whenParts
	var pairs []whenPair
	word := func(i int) string {
		if i < len(toks) {
			return toks[i].word
		}
		return ""
	}
	setDate := func(d, m int) bool {
		if p.hasDate {
			return false
		}
		p.hasDate, p.day, p.month = true, d, m
		return true
	}
	setTime := func(h, m int) bool {
		if p.hasTime {
			return false
		}
		p.hasTime, p.hour, p.min = true, h, m
		return true
	}
	// year reads an optional year after a month-name date at toks[i]:
	// four digits, then optional «г»/«года»; it returns the new index.
	year := func(i int) int {
		if i+1 < len(toks) && toks[i+1].isInt() && len(toks[i+1].num[0]) == 4 {
			p.year, p.hasYear = toks[i+1].intVal(), true
			i++
			if whenYearWords[word(i+1)] {
				i++
			}
		}
		return i
	}
	// meridiem applies am/pm, утра… at toks[i+1] to the hour just read
	// and returns the new index.
	meridiem := func(i int) (int, bool) {
		m, ok := whenMeridiem[word(i+1)]
		if !ok {
			return i, true
		}
		h, ok := m(p.hour)
		if !ok || p.min > 59 {
			return i, false
		}
		p.hour = h
		return i + 1, true
	}

	afterAt, afterDay := false, false
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		at, day := afterAt, afterDay
		afterAt, afterDay = false, false

		if t.word != "" {
			w := t.word
			if m, ok := whenMonth(w); ok {
				// Month first: "June 20", "июнь 20".
				if i+1 >= len(toks) || !toks[i+1].isInt() || len(toks[i+1].num[0]) > 2 {
					return p, false
				}
				if !setDate(toks[i+1].intVal(), m) {
					return p, false
				}
				i++
				if whenOrdinals[word(i+1)] {
					i++
				}
				i = year(i)
				continue
			}
			if wd, ok := whenWeekdays[w]; ok {
				if p.hasWd {
					return p, false
				}
				p.hasWd, p.wd = true, wd
				afterDay = true
				continue
			}
			if rel, ok := whenRelDays[w]; ok {
				if p.hasRel {
					return p, false
				}
				p.hasRel, p.rel = true, rel
				afterDay = true
				continue
			}
			switch {
			case w == "в" || w == "во" || w == "at":
				afterAt = true
			case w == "on" || w == "the":
			case w == "day" && word(i+1) == "after" && word(i+2) == "tomorrow":
				if p.hasRel {
					return p, false
				}
				p.hasRel, p.rel = true, 2
				afterDay = true
				i += 2
			case w == "next" || strings.HasPrefix(w, "следующ"):
				if _, ok := whenWeekdays[word(i+1)]; !ok {
					return p, false
				}
				p.wdNext = true
			case w == "this" || w == "этот" || w == "эту" || w == "эта" || w == "это" ||
				strings.HasPrefix(w, "ближайш"):
				if _, ok := whenWeekdays[word(i+1)]; !ok {
					return p, false
				}
			case w == "полдень" || w == "noon":
				if !setTime(12, 0) {
					return p, false
				}
			default:
				return p, false
			}
			continue
		}

		switch {
		case len(t.num) == 1:
			v := t.num[0]
			// A day before a month name: "20 июня", "20-го июня", "20th June".
			j := i + 1
			if whenOrdinals[word(j)] {
				j++
			}
			if m, ok := whenMonth(word(j)); ok && len(v) <= 2 {
				if !setDate(t.intVal(), m) {
					return p, false
				}
				i = year(j)
				continue
			}
			// An hour: after «в»/at or a day word, or marked by a word.
			if len(v) > 2 {
				return p, false
			}
			hourWord := whenHourWords[word(i+1)]
			_, mer := whenMeridiem[word(i+1)]
			if !at && !day && !hourWord && !mer {
				return p, false
			}
			if !setTime(t.intVal(), 0) {
				return p, false
			}
			if hourWord {
				i++
				// "15 ч 30 мин", "15 часов 30 минут", "15ч30"
				if i+1 < len(toks) && toks[i+1].isInt() && len(toks[i+1].num[0]) == 2 {
					next := word(i + 2)
					if whenMinuteWords[next] || next == "" || whenMeridiem[next] != nil || whenIsDayWord(next) {
						p.min = toks[i+1].intVal()
						i++
						if whenMinuteWords[next] {
							i++
						}
					}
				}
			}
			var ok bool
			if i, ok = meridiem(i); !ok {
				return p, false
			}
			if p.hour > 23 || p.min > 59 {
				return p, false
			}
		case len(t.num) == 2 && t.seps == ":":
			c, ok := whenClock(t.num[0], t.num[1])
			if !ok || !setTime(c[0], c[1]) {
				return p, false
			}
			if i, ok = meridiem(i); !ok {
				return p, false
			}
		case len(t.num) == 2 && t.seps == "/":
			if len(t.num[0]) > 2 || len(t.num[1]) > 2 {
				return p, false
			}
			d, _ := strconv.Atoi(t.num[0])
			m, _ := strconv.Atoi(t.num[1])
			if !setDate(d, m) {
				return p, false
			}
		case len(t.num) == 2: // "." or "-": a date or a time
			pair := whenPair{t.num[0], t.num[1]}
			if at || whenMeridiem[word(i+1)] != nil {
				c, ok := whenClock(pair.a, pair.b)
				if !ok || !setTime(c[0], c[1]) {
					return p, false
				}
				if i, ok = meridiem(i); !ok {
					return p, false
				}
				continue
			}
			pairs = append(pairs, pair)
		case len(t.num) == 3 && t.seps[0] == t.seps[1] && t.seps[0] != ':':
			a, b, c := t.num[0], t.num[1], t.num[2]
			var y, m, d string
			switch {
			case len(a) == 4 && len(b) <= 2 && len(c) <= 2: // 2026-12-25
				y, m, d = a, b, c
			case len(a) <= 2 && len(b) <= 2 && (len(c) == 2 || len(c) == 4):
				d, m, y = a, b, c
			default:
				return p, false
			}
			dd, _ := strconv.Atoi(d)
			mm, _ := strconv.Atoi(m)
			yy, _ := strconv.Atoi(y)
			if len(y) == 2 {
				yy += 2000
			}
			if !setDate(dd, mm) {
				return p, false
			}
			p.year, p.hasYear = yy, true
			if whenYearWords[word(i+1)] {
				i++
			}
		default:
			return p, false
		}
	}

	// Resolve the ambiguous pairs.
	pairDate := func(pr whenPair) {
		d, _ := strconv.Atoi(pr.a)
		m, _ := strconv.Atoi(pr.b)
		setDate(d, m)
	}
	pairTime := func(pr whenPair) {
		c, _ := whenClock(pr.a, pr.b)
		setTime(c[0], c[1])
	}
	switch len(pairs) {
	case 0:
	case 1:
		pr := pairs[0]
		switch {
		case p.dayGiven() && !p.hasTime && pr.canTime(): // "завтра 15.30"
			pairTime(pr)
		case !p.hasDate && !p.hasRel && pr.canDate(): // "25.12", "15:30 25.12", "пт 25.12"
			pairDate(pr)
		case !p.hasTime && pr.canTime(): // "15.30" alone: a time, no date
			pairTime(pr)
		default:
			return p, false
		}
	case 2:
		if p.hasDate || p.hasRel || p.hasTime {
			return p, false
		}
		dt, tm := pairs[0], pairs[1]
		if !(dt.canDate() && tm.canTime()) {
			dt, tm = tm, dt
			if !(dt.canDate() && tm.canTime()) {
				return p, false
			}
		}
		pairDate(dt)
		pairTime(tm)
	default:
		return p, false
	}
	if p.hasDate && p.hasRel {
		return p, false
	}
	return p, true
}
