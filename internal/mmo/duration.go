package mmo

import (
	"math"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// ParseDuration reads the length of an event typed by a person.
//
// Rules (case and ё/е do not matter, a decimal comma equals a dot):
//   - a bare integer is minutes: "90", "45";
//   - a bare decimal number is hours: "1,5", "1.5" (90 minutes);
//   - H:MM is hours and minutes: "1:30";
//   - a number with a unit, hours first, minutes second, each at most once:
//     "2 часа", "1,5 ч", "1 ч 30 мин", "1ч30м", "1 час 30" (a bare number
//     after hours is minutes), "45 min", "1 hour 30 minutes", "2h",
//     "1h30m"; hour units: ч, час, часа, часов, h, hr, hrs, hour, hours;
//     minute units: м, мин, минута, минуты, минут, m, min, mins, minute,
//     minutes;
//   - «полчаса» (30 minutes), «полтора часа» (90 minutes).
//
// The result is rounded to a whole minute and must be within
// WhenDurationMin..WhenDurationMax: shorter is CodeTooShort, longer is
// CodeTooLong (Limit in minutes); anything else is CodeInvalid. Field is
// "duration".
func ParseDuration(s string) (time.Duration, error) {
	invalid := Errorf(CodeInvalid, durationField)
	s = strings.ReplaceAll(strings.ToLower(strings.TrimSpace(s)), "ё", "е")
	if s == "" {
		return 0, invalid
	}
	toks, ok := durTokenize(s)
	if !ok || len(toks) == 0 {
		return 0, invalid
	}

	var minutes float64
	switch {
	case len(toks) == 1 && toks[0].num != "":
		n := toks[0].num
		switch {
		case strings.Contains(n, ":"):
			h, m, _ := strings.Cut(n, ":")
			if strings.Contains(h, ".") || len(m) != 2 || m > "59" {
				return 0, invalid
			}
			hh, _ := strconv.Atoi(h)
			mm, _ := strconv.Atoi(m)
			minutes = float64(hh*60 + mm)
		case strings.Contains(n, "."):
			minutes = durNumber(n) * 60
		default:
			minutes = durNumber(n)
		}
	default:
		var haveH, haveM bool
		for i := 0; i < len(toks); i++ {
			t := toks[i]
			if t.word == "полчаса" {
				if haveH || haveM {
					return 0, invalid
				}
				minutes, haveH = 30, true
				continue
			}
			var n float64
			switch {
			case t.word == "полтора" || t.word == "полторы":
				n = 1.5
			case t.num != "" && !strings.Contains(t.num, ":"):
				n = durNumber(t.num)
			default:
				return 0, invalid
			}
			unit := ""
			if i+1 < len(toks) {
				unit = toks[i+1].word
			}
			switch {
			case durHourUnits[unit] && !haveH && !haveM:
				minutes += n * 60
				haveH = true
				i++
			case durMinuteUnits[unit] && !haveM && t.num != "":
				minutes += n
				haveM = true
				i++
			case unit == "" && haveH && !haveM && i == len(toks)-1 && t.num != "" && !strings.Contains(t.num, "."):
				// "1 ч 30": minutes after hours
				minutes += n
				haveM = true
			default:
				return 0, invalid
			}
		}
	}
	if math.IsNaN(minutes) || math.IsInf(minutes, 0) || minutes < 0 {
		return 0, invalid
	}
	d := time.Duration(math.Round(minutes)) * time.Minute
	if minutes > float64(WhenDurationMax/time.Minute) {
		return 0, &Error{Code: CodeTooLong, Field: durationField, Limit: int(WhenDurationMax / time.Minute)}
	}
	if d < WhenDurationMin {
		return 0, &Error{Code: CodeTooShort, Field: durationField, Limit: int(WhenDurationMin / time.Minute)}
	}
	return d, nil
}

// durTok is a token of a typed duration: a number ("90", "1.5", "1:30",
// a decimal comma already a dot) or a word.
type durTok struct{ num, word string }

func durTokenize(s string) ([]durTok, bool) {
	rs := []rune(s)
	var toks []durTok
	for i := 0; i < len(rs); {
		r := rs[i]
		switch {
		case unicode.IsSpace(r):
			i++
		case unicode.IsLetter(r):
			var w string
			w, i = scanWord(rs, i)
			toks = append(toks, durTok{word: w})
		case isDigit(r):
			var b strings.Builder
			seps := 0
			for i < len(rs) {
				if isDigit(rs[i]) {
					b.WriteRune(rs[i])
					i++
					continue
				}
				if strings.ContainsRune(",.:", rs[i]) && i+1 < len(rs) && isDigit(rs[i+1]) && seps == 0 {
					if rs[i] == ',' {
						b.WriteRune('.')
					} else {
						b.WriteRune(rs[i])
					}
					seps++
					i++
					continue
				}
				break
			}
			if b.Len() > 12 {
				return nil, false
			}
			toks = append(toks, durTok{num: b.String()})
		case r == '.': // "1 ч. 30 мин."
			i++
		default:
			return nil, false
		}
	}
	return toks, true
}

func durNumber(s string) float64 {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return math.NaN()
	}
	return f
}

// durHourUnits and durMinuteUnits are the units of a duration: the common
// ones and the English words and abbreviations of a length ("1 hour",
// "2 hrs", "1h30m").
var (
	durHourUnits   = unitSet(hourUnits, []string{"hr", "hrs", "hour", "hours"})
	durMinuteUnits = unitSet(minuteUnits, []string{"m"})
)
