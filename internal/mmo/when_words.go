package mmo

import (
	"strconv"
	"strings"
	"time"
	"unicode"
)

// whenTok is a token of a typed date: a word (letters, lower case) or a
// number (digit groups joined by single separators . : / -).
type whenTok struct {
	word string
	num  []string
	seps string // separators between the groups, len(num)-1 bytes
}

func (t whenTok) isInt() bool { return t.word == "" && len(t.num) == 1 }

func (t whenTok) intVal() int {
	n, _ := strconv.Atoi(t.num[0])
	return n
}

var whenNormalizer = strings.NewReplacer(
	"ё", "е",
	"a.m.", "am", "p.m.", "pm",
	"o'clock", "oclock", "o’clock", "oclock",
)

// whenTokenize splits s into tokens. Commas, dots, semicolons, dashes and
// brackets between tokens are ignored; any other symbol fails.
func whenTokenize(s string) ([]whenTok, bool) {
	s = whenNormalizer.Replace(strings.ToLower(s))
	rs := []rune(s)
	var toks []whenTok
	for i := 0; i < len(rs); {
		r := rs[i]
		switch {
		case unicode.IsSpace(r):
			i++
		case unicode.IsLetter(r):
			var w string
			w, i = scanWord(rs, i)
			toks = append(toks, whenTok{word: w})
		case isDigit(r):
			var t whenTok
			for {
				j := i
				for j < len(rs) && isDigit(rs[j]) {
					j++
				}
				t.num = append(t.num, string(rs[i:j]))
				i = j
				if i+1 < len(rs) && strings.ContainsRune(".:/-", rs[i]) && isDigit(rs[i+1]) {
					t.seps += string(rs[i])
					i++
					continue
				}
				break
			}
			toks = append(toks, t)
		case strings.ContainsRune(",.;:-–—()", r):
			i++
		default:
			return nil, false
		}
	}
	return toks, true
}

// isDigit reports whether r is an ASCII digit: only these are numbers in
// typed dates and durations (unicode.IsDigit would let in other scripts'
// digits, which strconv cannot read).
func isDigit(r rune) bool { return r >= '0' && r <= '9' }

// scanWord returns the run of letters that starts at rs[i] and the index
// after it.
func scanWord(rs []rune, i int) (string, int) {
	j := i
	for j < len(rs) && unicode.IsLetter(rs[j]) {
		j++
	}
	return string(rs[i:j]), j
}

// whenIsDayWord reports whether w is a weekday or a relative day, so that
// "15 ч 30 завтра" reads 30 as minutes (but "15 ч 30 мая" as a date).
func whenIsDayWord(w string) bool {
	if _, ok := whenWeekdays[w]; ok {
		return true
	}
	_, ok := whenRelDays[w]
	return ok
}

var whenRelDays = map[string]int{
	"сегодня": 0, "завтра": 1, "послезавтра": 2,
	"today": 0, "tomorrow": 1,
}

var whenWeekdays = map[string]time.Weekday{
	"понедельник": time.Monday, "пн": time.Monday, "пон": time.Monday,
	"вторник": time.Tuesday, "вт": time.Tuesday,
	"среда": time.Wednesday, "среду": time.Wednesday, "ср": time.Wednesday,
	"четверг": time.Thursday, "чт": time.Thursday, "чет": time.Thursday,
	"пятница": time.Friday, "пятницу": time.Friday, "пт": time.Friday, "пят": time.Friday,
	"суббота": time.Saturday, "субботу": time.Saturday, "сб": time.Saturday, "суб": time.Saturday,
	"воскресенье": time.Sunday, "вс": time.Sunday, "вск": time.Sunday, "воскр": time.Sunday,
	"monday": time.Monday, "mon": time.Monday,
	"tuesday": time.Tuesday, "tue": time.Tuesday, "tues": time.Tuesday,
	"wednesday": time.Wednesday, "wed": time.Wednesday,
	"thursday": time.Thursday, "thu": time.Thursday, "thur": time.Thursday, "thurs": time.Thursday,
	"friday": time.Friday, "fri": time.Friday,
	"saturday": time.Saturday, "sat": time.Saturday,
	"sunday": time.Sunday, "sun": time.Sunday,
}

// whenMonths maps month words: English names and abbreviations, Russian
// abbreviations; Russian full names are matched by stem in whenMonth.
var whenMonths = map[string]int{
	"january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3,
	"april": 4, "apr": 4, "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7,
	"august": 8, "aug": 8, "september": 9, "sep": 9, "sept": 9,
	"october": 10, "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,

	"янв": 1, "фев": 2, "февр": 2, "мар": 3, "апр": 4, "июн": 6, "июл": 7,
	"авг": 8, "сен": 9, "сент": 9, "окт": 10, "ноя": 11, "нояб": 11, "дек": 12,
}

// whenRuMonths are the stems of the Russian month names and the endings
// of their case forms (ё is already е).
var whenRuMonths = []struct {
	stem    string
	endings []string
}{
	{"январ", []string{"ь", "я", "е", "ю", "ем"}},
	{"феврал", []string{"ь", "я", "е", "ю", "ем"}},
	{"март", []string{"", "а", "е", "у", "ом"}},
	{"апрел", []string{"ь", "я", "е", "ю", "ем"}},
	{"ма", []string{"й", "я", "е", "ю", "ем"}},
	{"июн", []string{"ь", "я", "е", "ю", "ем"}},
	{"июл", []string{"ь", "я", "е", "ю", "ем"}},
	{"август", []string{"", "а", "е", "у", "ом"}},
	{"сентябр", []string{"ь", "я", "е", "ю", "ем"}},
	{"октябр", []string{"ь", "я", "е", "ю", "ем"}},
	{"ноябр", []string{"ь", "я", "е", "ю", "ем"}},
	{"декабр", []string{"ь", "я", "е", "ю", "ем"}},
}

// whenMonth returns the month (1–12) a word names.
func whenMonth(w string) (int, bool) {
	if w == "" {
		return 0, false
	}
	if m, ok := whenMonths[w]; ok {
		return m, true
	}
	for i, rm := range whenRuMonths {
		if rest, ok := strings.CutPrefix(w, rm.stem); ok {
			for _, e := range rm.endings {
				if rest == e {
					return i + 1, true
				}
			}
		}
	}
	return 0, false
}

var whenOrdinals = map[string]bool{"st": true, "nd": true, "rd": true, "th": true, "го": true}

var whenYearWords = map[string]bool{"г": true, "год": true, "года": true, "году": true}

// hourUnits and minuteUnits are the unit words that both a time of day
// ("15 ч 30 мин") and a duration ("1 ч 30 мин") take. Each parser adds its
// own below, so that the two accept the same common words.
var (
	hourUnits   = []string{"ч", "час", "часа", "часов", "h"}
	minuteUnits = []string{"м", "мин", "минута", "минуты", "минут", "min", "mins", "minute", "minutes"}
)

// unitSet is the set of the words of the lists.
func unitSet(lists ...[]string) map[string]bool {
	set := map[string]bool{}
	for _, l := range lists {
		for _, w := range l {
			set[w] = true
		}
	}
	return set
}

// whenHourWords mark the hour of a time of day: the common words and
// "oclock", which says only that.
var whenHourWords = unitSet(hourUnits, []string{"oclock"})

var whenMinuteWords = unitSet(minuteUnits)

// whenMeridiem maps a 12-hour marker to the conversion of the hour (1–12
// unless noted) to 0–23.
var whenMeridiem = map[string]func(h int) (int, bool){
	"am": func(h int) (int, bool) { return h % 12, h >= 1 && h <= 12 },
	"pm": func(h int) (int, bool) { return h%12 + 12, h >= 1 && h <= 12 },
	// утра: 1–12 as am ("5 утра", "9 утра")
	"утра": func(h int) (int, bool) { return h % 12, h >= 1 && h <= 12 },
	// дня: 11 and 12 stay, 1–6 are afternoon ("3 дня" = 15:00)
	"дня": func(h int) (int, bool) {
		switch {
		case h == 11 || h == 12:
			return h, true
		case h >= 1 && h <= 6:
			return h + 12, true
		}
		return 0, false
	},
	// вечера: 4–11 are evening ("7 вечера" = 19:00)
	"вечера": func(h int) (int, bool) { return h + 12, h >= 4 && h <= 11 },
	// "12 noon"
	"noon": func(h int) (int, bool) { return 12, h == 12 },
	// ночи: 12 is midnight, 1–5 early morning, 9–11 late evening
	"ночи": func(h int) (int, bool) {
		switch {
		case h == 12:
			return 0, true
		case h >= 1 && h <= 5:
			return h, true
		case h >= 9 && h <= 11:
			return h + 12, true
		}
		return 0, false
	},
}
