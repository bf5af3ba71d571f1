package mmo

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// whenSeeds are the phrase forms README.md and ParseWhen promise, in both
// languages, and some that must fail.
var whenSeeds = []string{
	"25.12 15:30", "25.12.2026 15:30", "25.12.26 15.30", "25/12 15:30", "2026-12-25 15:30",
	"25.12 в 15:30", "25.12, 15:30", "  25.12   В   15:30  ", "25-12 15-30", "25.12 15ч30",
	"15:30 25.12", "15.30 25.12", "в 15:00 завтра", "at 9:30 tomorrow",
	"завтра в 15:00", "Завтра, в 15.30", "сегодня 19:30", "послезавтра в 10", "завтра 15",
	"завтра в 15 часов 30 минут", "tomorrow at noon", "завтра в полдень", "the day after tomorrow at 10",
	"завтра в 3 дня", "завтра в 9 утра", "завтра в 7 вечера", "завтра в 11 ночи", "завтра в 12 ночи",
	"tomorrow 3:30 PM", "tomorrow 3.30 p.m.", "tomorrow 12:30 am", "tomorrow 9 o'clock",
	"20 июня 10:00", "20 июн. 10:00", "20 июня 2027 г. в 10:00", "20-го июня в 10:00", "в 10:00 20 июня",
	"1 мая 9:00", "15 ч 30 мая", "June 20 10:00", "20 June 10:00", "June 20, 2027 10:00",
	"Dec 25 3:30 pm", "December 25th at 3pm", "on 20th June at 9:15 am", "в пятницу в 15:00",
	"пт 15:00", "во вторник в 9", "в среду 18.00", "Fri 3pm", "next friday 15:00",
	"в следующую пятницу в 15:00", "в это воскресенье 15:00", "пт 25.12 15:30", "29.02 10:00",
	"25.12", "завтра", "в пятницу", "20 июня", "15:30", "в 15:00", "at 3pm",
	"вчера 10:00", "31.02 10:00", "25.12 24:00", "1.1.1.1", "25.12 15:30!", "tomorrow 13pm",
	"ЗАВТРА В 15:00", "завтра в 15:00 ", "2５.12 15:30", "٢٥.١٢ 15:30", "завтрa в 15:00", // mixed scripts: a Latin "a"
	"25.12 15：30", "25.12\u00A015:30", "25.12\u202E15:30", "ёлка 25.12",
}

// whenZones are zones with daylight saving changes, odd offsets and a
// skipped day, beside the usual Russian ones.
var whenZones = []string{"Europe/Moscow", "UTC", "Asia/Yekaterinburg", "Europe/Kaliningrad", "Asia/Kamchatka",
	"America/New_York", "Australia/Lord_Howe", "Pacific/Apia", "Asia/Kathmandu", "America/Santiago"}

var ruGenitive = []string{"", "января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября", "ноября", "декабря"}

// whenCodes are the codes ParseWhen may return.
var whenCodes = map[Code]bool{CodeInvalid: true, CodeNoTime: true, CodeNoDate: true, CodePast: true, CodeTooFar: true}

func whenCode(t *testing.T, err error) Code {
	t.Helper()
	if err == nil {
		return ""
	}
	var e *Error
	if !errors.As(err, &e) || e.Field != "when" || !whenCodes[e.Code] {
		t.Fatalf("not a documented error: %#v", err)
	}
	return e.Code
}

func FuzzParseWhen(f *testing.F) {
	for i, s := range whenSeeds {
		f.Add(s, int64(i*7919)%(3*365*24*60), uint8(i))
	}
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	locs := make([]*time.Location, len(whenZones))
	for i, z := range whenZones {
		loc, err := time.LoadLocation(z)
		if err != nil {
			f.Fatal(err)
		}
		locs[i] = loc
	}
	f.Fuzz(func(t *testing.T, s string, minutes int64, zone uint8) {
		// Now: any minute of four years; the zone: one of whenZones.
		now := base.Add(time.Duration(minutes%(4*365*24*60)) * time.Minute).Add(37 * time.Second)
		loc := locs[int(zone)%len(locs)]
		got, err := ParseWhen(s, now, loc)
		code := whenCode(t, err)
		switch code {
		case "":
			// Inside the allowed range, in the zone, on a whole minute.
			if got.Before(now) || got.After(now.In(loc).AddDate(WhenMaxAheadYears, 0, 0)) {
				t.Fatalf("%q at %v: %v is out of range", s, now.In(loc), got)
			}
			if got.Location() != loc || got.Second() != 0 || got.Nanosecond() != 0 {
				t.Fatalf("%q: %v is not a whole minute in %v", s, got, loc)
			}
			// It renders back to the same moment, in figures, in words
			// and in English.
			y, m, d := got.Date()
			for _, back := range []string{
				got.Format("02.01.2006 15:04"),
				fmt.Sprintf("%d %s %d в %d:%02d", d, ruGenitive[m], y, got.Hour(), got.Minute()),
				got.Format("January 2, 2006 at 3:04 pm"),
			} {
				again, err := ParseWhen(back, now, loc)
				if err != nil || !again.Equal(got) {
					t.Fatalf("%q gave %v; %q gives %v, %v", s, got, back, again, err)
				}
			}
		case CodeNoTime:
			// The bot asks for the time and parses both answers together.
			if c := whenCode(t, second(ParseWhen(s+" 23:59", now, loc))); c == CodeInvalid || c == CodeNoTime || c == CodeNoDate {
				t.Fatalf("%q has a date, but %q: %s", s, s+" 23:59", c)
			}
		case CodeNoDate:
			if c := whenCode(t, second(ParseWhen(s+" завтра", now, loc))); c == CodeInvalid || c == CodeNoTime || c == CodeNoDate {
				t.Fatalf("%q has a time, but %q: %s", s, s+" завтра", c)
			}
		}
	})
}

func second[T any](_ T, err error) error { return err }

func FuzzParseDuration(f *testing.F) {
	for _, s := range []string{"90", "45", "1,5", "1.5", "1:30", "2 часа", "1,5 ч", "1 ч 30 мин", "1ч30м",
		"1 час 30", "45 min", "1 hour 30 minutes", "2h", "1h30m", "полчаса", "полтора часа", "полторы",
		"0", "4", "721", "12:01", "1e3", "NaN", "Inf", "99999999999999", "1 ч. 30 мин.", "-5", "1:5", "½ ч", "١٢٠"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDuration(s)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Field != "duration" {
				t.Fatalf("%q: not a documented error: %#v", s, err)
			}
			switch e.Code {
			case CodeInvalid:
			case CodeTooShort, CodeTooLong:
				if e.Limit == 0 {
					t.Fatalf("%q: %s without the limit", s, e.Code)
				}
			default:
				t.Fatalf("%q: code %s", s, e.Code)
			}
			return
		}
		if d < WhenDurationMin || d > WhenDurationMax || d%time.Minute != 0 {
			t.Fatalf("%q: %v is out of range or not whole minutes", s, d)
		}
		// The same length typed as minutes, and as hours and minutes.
		m := int(d / time.Minute)
		for _, back := range []string{strconv.Itoa(m), fmt.Sprintf("%d:%02d", m/60, m%60), fmt.Sprintf("%d ч %d мин", m/60, m%60)} {
			if m%60 == 0 && strings.HasSuffix(back, " 0 мин") {
				back = fmt.Sprintf("%d ч", m/60)
			}
			if again, err := ParseDuration(back); err != nil || again != d {
				t.Fatalf("%q gave %v; %q gives %v, %v", s, d, back, again, err)
			}
		}
	})
}

// FuzzCleanText checks the one rule of typed text and the validations
// that use it.
func FuzzCleanText(f *testing.F) {
	for _, s := range []string{"Иванова Мария", "a\r\nb\rc", "\u202Eevil\u202C", "x\x00y\x7f\u0085", "\uFFFE\uFFFF",
		"bad\xff\xfe utf-8", "👩\u200D💻", "\t tab \n", "МБОУ «СОШ № 5»", "1. Итоги\n\n\n2. Разное", "/start", "-"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c := CleanText(s)
		if !utf8.ValidString(c) || strings.ContainsFunc(c, UnsafeRune) {
			t.Fatalf("CleanText(%q) = %q keeps an unsafe character", s, c)
		}
		if CleanText(c) != c {
			t.Fatalf("CleanText is not idempotent: %q → %q → %q", s, c, CleanText(c))
		}
		// Nothing but the unsafe characters goes, in order.
		want := strings.Map(func(r rune) rune {
			switch {
			case r == '\r':
				return '\n'
			case UnsafeRune(r):
				return -1
			}
			return r
		}, strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\r\n", "\n"))
		if c != want {
			t.Fatalf("CleanText(%q) = %q, want %q", s, c, want)
		}
		// HasUnsafeText is CleanText changing more than the line ends.
		lineEnds := strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
		if HasUnsafeText(s) != (c != lineEnds) {
			t.Fatalf("HasUnsafeText(%q) = %v disagrees with CleanText: %q", s, HasUnsafeText(s), c)
		}
		// What a validation accepts holds nothing unsafe; a one-line field
		// refuses an unsafe text, a long text keeps its words.
		for _, v := range []func(string) (string, error){
			ValidateName, ValidateSchool, ValidatePosition,
			func(s string) (string, error) { return ValidateEventField(FieldTopic, s) },
			func(s string) (string, error) { return ValidateEventField(FieldLink, s) },
		} {
			got, err := v(s)
			if err == nil && (HasUnsafeText(s) || strings.ContainsFunc(got, UnsafeRune) || strings.ContainsAny(got, "\n\t")) {
				t.Fatalf("a one-line field took %q as %q", s, got)
			}
		}
		got, err := ValidateLongText("text", s, 0, 100000)
		if err == nil {
			if strings.ContainsFunc(got, func(r rune) bool { return r == '\t' || UnsafeRune(r) }) {
				t.Fatalf("a long text kept an unsafe character: %q → %q", s, got)
			}
			if w := strings.Join(strings.Fields(c), " "); got != "" && strings.Join(strings.Fields(got), " ") != w {
				t.Fatalf("a long text lost words: %q → %q", s, got)
			}
		}
	})
}

func FuzzParseVotes(f *testing.F) {
	for _, s := range []string{"12 0 1", "2 0 1", "12, 0, 1", "12-0-1", "за 12, против 0, воздержались 1", "за — 12",
		"12 -1 0", "1 2", "1 2 3 4", "12345 0 0", "٢ 0 1", "1٢3 4 5", "0 0 0", "9999 9999 9999", " 7\n0\n0 ", "двенадцать"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, ok := ParseVotes(s)
		// The figures are the runs of ASCII digits of s, no more, no less.
		var runs []string
		cur := ""
		for _, r := range s + " " {
			if r >= '0' && r <= '9' {
				cur += string(r)
				continue
			}
			if cur != "" {
				runs = append(runs, cur)
				cur = ""
			}
		}
		if !ok {
			return
		}
		if len(runs) != 3 {
			t.Fatalf("%q: %+v read from %d numbers", s, v, len(runs))
		}
		for i, n := range []int{v.For, v.Against, v.Abstained} {
			if n < 0 || n > VotesMax || strings.TrimLeft(runs[i], "0") != strings.TrimLeft(strconv.Itoa(n), "0") {
				t.Fatalf("%q: %+v, but it says %q", s, v, runs)
			}
		}
		if strings.ContainsFunc(s, func(r rune) bool { return r > 127 && strings.ContainsRune("0123456789", r) }) {
			t.Fatalf("%q: read with digits of another script", s)
		}
		again, ok := ParseVotes(fmt.Sprintf("%d %d %d", v.For, v.Against, v.Abstained))
		if !ok || again != v {
			t.Fatalf("%+v does not read back: %+v", v, again)
		}
	})
}

func FuzzParseCheckinCode(f *testing.F) {
	for _, s := range []string{"1234", " 1234 ", "0000", "123", "12345", "12 34", "１２３４", "١٢٣٤", "1234\n", "abcd"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		code, ok := ParseCheckinCode(s)
		trimmed := strings.TrimSpace(s)
		want := len(trimmed) == 4 && strings.Trim(trimmed, "0123456789") == ""
		if ok != want || ok && code != trimmed {
			t.Fatalf("ParseCheckinCode(%q) = %q, %v", s, code, ok)
		}
	})
}
