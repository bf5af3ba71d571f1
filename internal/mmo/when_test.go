package mmo

import (
	"errors"
	"testing"
	"time"
)

func whenLoc(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatalf("load %s: %v", name, err)
	}
	return loc
}

func TestParseWhen(t *testing.T) {
	msk := whenLoc(t, "Europe/Moscow")
	// A Sunday.
	now := time.Date(2026, 11, 22, 10, 0, 0, 0, msk)

	tests := []struct {
		in   string
		want string // "2006-01-02 15:04" in Moscow; empty when code is set
		code Code
	}{
		// Numeric dates.
		{"25.12 15:30", "2026-12-25 15:30", ""},
		{"25.12.2026 15:30", "2026-12-25 15:30", ""},
		{"25.12.26 15.30", "2026-12-25 15:30", ""},
		{"25/12 15:30", "2026-12-25 15:30", ""},
		{"25/12/2026 15:30", "2026-12-25 15:30", ""},
		{"25.12 в 15:30", "2026-12-25 15:30", ""},
		{"25.12, 15:30", "2026-12-25 15:30", ""},
		{"25.12,15:30", "2026-12-25 15:30", ""},
		{"25.12. в 15.30", "2026-12-25 15:30", ""},
		{"  25.12   В   15:30  ", "2026-12-25 15:30", ""},
		{"25.12 at 15:30", "2026-12-25 15:30", ""},
		{"25-12 15-30", "2026-12-25 15:30", ""},
		{"25.12 15.30", "2026-12-25 15:30", ""},
		{"25.12.2026г. 15:30", "2026-12-25 15:30", ""},
		{"2026-12-25 15:30", "2026-12-25 15:30", ""},
		{"5.1 9:05", "2027-01-05 09:05", ""},
		{"05.01.27 0:00", "2027-01-05 00:00", ""},
		{"25.12 23:59", "2026-12-25 23:59", ""},
		{"10.12 12.30", "2026-12-10 12:30", ""}, // two pairs: date, then time
		{"25.12 15ч30", "2026-12-25 15:30", ""},
		{"25.12 в 15 ч", "2026-12-25 15:00", ""},
		{"25.12 в 15", "2026-12-25 15:00", ""},
		// Time first.
		{"15:30 25.12", "2026-12-25 15:30", ""},
		{"15.30 25.12", "2026-12-25 15:30", ""}, // only this reading is valid
		{"в 15:00 25.12.2026", "2026-12-25 15:00", ""},
		{"в 15:00 завтра", "2026-11-23 15:00", ""},
		{"at 9:30 tomorrow", "2026-11-23 09:30", ""},
		// Relative days.
		{"завтра в 15:00", "2026-11-23 15:00", ""},
		{"Завтра, в 15.30", "2026-11-23 15:30", ""},
		{"завтра 15.30", "2026-11-23 15:30", ""},
		{"сегодня 19:30", "2026-11-22 19:30", ""},
		{"СЕГОДНЯ в 10:00", "2026-11-22 10:00", ""}, // exactly now is not past
		{"послезавтра в 10", "2026-11-24 10:00", ""},
		{"завтра в 15", "2026-11-23 15:00", ""},
		{"завтра 15", "2026-11-23 15:00", ""},
		{"завтра в 15 часов 30 минут", "2026-11-23 15:30", ""},
		{"завтра в 15 ч 30 мин", "2026-11-23 15:30", ""},
		{"tomorrow 15:00", "2026-11-23 15:00", ""},
		{"today at 19:30", "2026-11-22 19:30", ""},
		{"the day after tomorrow at 10", "2026-11-24 10:00", ""},
		{"tomorrow at noon", "2026-11-23 12:00", ""},
		{"tomorrow at 12 noon", "2026-11-23 12:00", ""},
		{"завтра в полдень", "2026-11-23 12:00", ""},
		// 12-hour clock.
		{"завтра в 3 дня", "2026-11-23 15:00", ""},
		{"завтра в 12 дня", "2026-11-23 12:00", ""},
		{"завтра в 9 утра", "2026-11-23 09:00", ""},
		{"завтра в 7 вечера", "2026-11-23 19:00", ""},
		{"завтра в 11 ночи", "2026-11-23 23:00", ""},
		{"завтра в 3 часа дня", "2026-11-23 15:00", ""},
		{"tomorrow 3pm", "2026-11-23 15:00", ""},
		{"tomorrow 3:30 PM", "2026-11-23 15:30", ""},
		{"tomorrow 3.30 p.m.", "2026-11-23 15:30", ""},
		{"tomorrow 12 pm", "2026-11-23 12:00", ""},
		{"tomorrow 12:30 am", "2026-11-23 00:30", ""},
		{"tomorrow 9 o'clock", "2026-11-23 09:00", ""},
		// Month names.
		{"20 июня 10:00", "2027-06-20 10:00", ""},
		{"20 июня в 10:00", "2027-06-20 10:00", ""},
		{"20 июн 10:00", "2027-06-20 10:00", ""},
		{"20 июн. 10:00", "2027-06-20 10:00", ""},
		{"20 июня 2027 10:00", "2027-06-20 10:00", ""},
		{"20 июня 2027 г. в 10:00", "2027-06-20 10:00", ""},
		{"20-го июня в 10:00", "2027-06-20 10:00", ""},
		{"в 10:00 20 июня", "2027-06-20 10:00", ""},
		{"25 декабря 15:30", "2026-12-25 15:30", ""},
		{"1 мая 9:00", "2027-05-01 09:00", ""},
		{"30 ноября в 18:00", "2026-11-30 18:00", ""},
		{"15 ч 30 мая", "2027-05-30 15:00", ""}, // 30 before a month is the day
		{"June 20 10:00", "2027-06-20 10:00", ""},
		{"20 June 10:00", "2027-06-20 10:00", ""},
		{"June 20, 2027 10:00", "2027-06-20 10:00", ""},
		{"Dec 25 3:30 pm", "2026-12-25 15:30", ""},
		{"December 25th at 3pm", "2026-12-25 15:00", ""},
		{"on 20th June at 9:15 am", "2027-06-20 09:15", ""},
		// Weekdays; now is Sunday 10:00.
		{"в пятницу в 15:00", "2026-11-27 15:00", ""},
		{"пятница 15:00", "2026-11-27 15:00", ""},
		{"пт 15:00", "2026-11-27 15:00", ""},
		{"в пятницу 15", "2026-11-27 15:00", ""},
		{"в понедельник 10:00", "2026-11-23 10:00", ""},
		{"во вторник в 9", "2026-11-24 09:00", ""},
		{"в среду 18.00", "2026-11-25 18:00", ""},
		{"сб 11:00", "2026-11-28 11:00", ""},
		{"friday 15:00", "2026-11-27 15:00", ""},
		{"Fri 3pm", "2026-11-27 15:00", ""},
		{"on Monday at 10", "2026-11-23 10:00", ""},
		{"next friday 15:00", "2026-11-27 15:00", ""},           // next = nearest, unless today
		{"в следующую пятницу в 15:00", "2026-11-27 15:00", ""}, // likewise
		{"воскресенье 15:00", "2026-11-22 15:00", ""},           // today, still ahead
		{"в это воскресенье 15:00", "2026-11-22 15:00", ""},
		{"воскресенье 9:00", "2026-11-29 09:00", ""},              // today, passed: next week
		{"next sunday 15:00", "2026-11-29 15:00", ""},             // next skips today
		{"в следующее воскресенье 15:00", "2026-11-29 15:00", ""}, // likewise
		{"пятница 27.11 15:00", "2026-11-27 15:00", ""},           // agrees
		{"пт 25.12 15:30", "2026-12-25 15:30", ""},
		{"пт 25.12 15.30", "2026-12-25 15:30", ""},
		{"понедельник завтра 10:00", "2026-11-23 10:00", ""},
		// Year rollover and leap years.
		{"01.01 10:00", "2027-01-01 10:00", ""},
		{"21.11 10:00", "2027-11-21 10:00", ""},      // yesterday's date: next year
		{"22.11 11:00", "2026-11-22 11:00", ""},      // today
		{"29.02 10:00", "2028-02-29 10:00", ""},      // next leap year
		{"22.11.2028 10:00", "2028-11-22 10:00", ""}, // exactly two years

		// A date without a time.
		{"25.12", "", CodeNoTime},
		{"25.12.2026", "", CodeNoTime},
		{"25/12", "", CodeNoTime},
		{"10.11", "", CodeNoTime},
		{"завтра", "", CodeNoTime},
		{"в пятницу", "", CodeNoTime},
		{"20 июня", "", CodeNoTime},
		{"June 20", "", CodeNoTime},
		{"пт 25.12", "", CodeNoTime},
		{"сегодня", "", CodeNoTime},
		// A time without a date.
		{"15:30", "", CodeNoDate},
		{"в 15:00", "", CodeNoDate},
		{"в 15.30", "", CodeNoDate},
		{"15.30", "", CodeNoDate},
		{"at 3pm", "", CodeNoDate},
		// Past.
		{"сегодня 9:30", "", CodePast},
		{"22.11 9:59", "", CodePast}, // today's date is not moved to next year
		{"21.11.2026 10:00", "", CodePast},
		{"25.12.2020 10:00", "", CodePast},
		{"25.12.2020", "", CodePast},
		{"20 июня 2026 10:00", "", CodePast},
		// Too far.
		{"22.11.2028 10:01", "", CodeTooFar},
		{"25.12.2028 10:00", "", CodeTooFar},
		{"25.12.2030", "", CodeTooFar},
		// Invalid.
		{"", "", CodeInvalid},
		{"   ", "", CodeInvalid},
		{"hello", "", CodeInvalid},
		{"когда-нибудь", "", CodeInvalid},
		{"вчера 10:00", "", CodeInvalid},
		{"31.02 10:00", "", CodeInvalid},
		{"31.02.2027 10:00", "", CodeInvalid},
		{"29.02.2027 10:00", "", CodeInvalid},
		{"31.04", "", CodeInvalid},
		{"25.13 10:00", "", CodeInvalid},
		{"0.12 10:00", "", CodeInvalid},
		{"25.12 24:00", "", CodeInvalid},
		{"24:00 25.12", "", CodeInvalid},
		{"25.12 15:60", "", CodeInvalid},
		{"25.12 15:5", "", CodeInvalid},
		{"25.12 в 24", "", CodeInvalid},
		{"25.12 15", "", CodeInvalid}, // a bare hour needs «в»/at or a day word
		{"25 15:00", "", CodeInvalid},
		{"июнь 10:00", "", CodeInvalid},
		{"32 декабря 10:00", "", CodeInvalid},
		{"25.12.202 10:00", "", CodeInvalid},
		{"1.1.1.1", "", CodeInvalid},
		{"завтра 25.12 15:00", "", CodeInvalid},
		{"25.12 26.12 15:00", "", CodeInvalid},
		{"15:00 16:00 завтра", "", CodeInvalid},
		{"завтра завтра 10:00", "", CodeInvalid},
		{"пятница вторник 10:00", "", CodeInvalid},
		{"пятница 26.11 15:00", "", CodeInvalid}, // 26.11.2026 is a Thursday
		{"вторник завтра 10:00", "", CodeInvalid},
		{"25.12 15:30!", "", CodeInvalid},
		{"25.12 15:30 pm", "", CodeInvalid},
		{"tomorrow 13pm", "", CodeInvalid},
		{"tomorrow 0 am", "", CodeInvalid},
		{"tomorrow 11 noon", "", CodeInvalid},
		{"завтра в 2 вечера", "", CodeInvalid},
		{"next 15:00", "", CodeInvalid},
		{"следующий 25.12 10:00", "", CodeInvalid},
		{"15:30:00 25.12", "", CodeInvalid},
		{"1530 25.12", "", CodeInvalid},
		{"25.12 15.30 16.30", "", CodeInvalid},
		{"25.12 ٣:٣٠", "", CodeInvalid},
	}
	for _, tt := range tests {
		got, err := ParseWhen(tt.in, now, msk)
		if tt.code != "" {
			if err == nil {
				t.Errorf("ParseWhen(%q) = %s, want error %s", tt.in, got.Format(time.DateTime), tt.code)
				continue
			}
			if c := ErrorCode(err); c != tt.code {
				t.Errorf("ParseWhen(%q) error %v, want code %s", tt.in, err, tt.code)
			}
			var e *Error
			if errors.As(err, &e) && e.Field != "when" {
				t.Errorf("ParseWhen(%q) error field %q, want \"when\"", tt.in, e.Field)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseWhen(%q) error %v, want %s", tt.in, err, tt.want)
			continue
		}
		if s := got.In(msk).Format("2006-01-02 15:04"); s != tt.want {
			t.Errorf("ParseWhen(%q) = %s, want %s", tt.in, s, tt.want)
		}
		if got.Location() != msk {
			t.Errorf("ParseWhen(%q) location %v, want %v", tt.in, got.Location(), msk)
		}
	}
}

func TestParseWhenMonthNames(t *testing.T) {
	msk := whenLoc(t, "Europe/Moscow")
	now := time.Date(2026, 11, 22, 10, 0, 0, 0, msk)
	names := [][]string{
		{"январь", "января", "январе", "январю", "январем", "январём", "янв", "январ", "January", "jan"},
		{"февраль", "февраля", "феврале", "февралю", "февралем", "фев", "февр", "February", "Feb"},
		{"март", "марта", "марте", "марту", "мартом", "мар", "March", "mar"},
		{"апрель", "апреля", "апреле", "апрелю", "апрелем", "апр", "April", "apr"},
		{"май", "мая", "мае", "маю", "маем", "May"},
		{"июнь", "июня", "июне", "июню", "июнем", "июн", "June", "jun"},
		{"июль", "июля", "июле", "июлю", "июлем", "июл", "July", "jul"},
		{"август", "августа", "августе", "августу", "августом", "авг", "August", "aug"},
		{"сентябрь", "сентября", "сентябре", "сентябрю", "сентябрем", "сен", "сент", "September", "sep", "sept"},
		{"октябрь", "октября", "октябре", "октябрю", "октябрем", "окт", "October", "oct"},
		{"ноябрь", "ноября", "ноябре", "ноябрю", "ноябрем", "ноя", "нояб", "November", "nov"},
		{"декабрь", "декабря", "декабре", "декабрю", "декабрем", "дек", "December", "DEC"},
	}
	for i, forms := range names {
		month := time.Month(i + 1)
		for _, f := range forms {
			for _, in := range []string{"5 " + f + " 12:00", f + " 5 12:00", "5 " + f + ". в 12:00"} {
				got, err := ParseWhen(in, now, msk)
				if f == "январ" {
					// Not a word: a stem without an ending.
					if err == nil {
						t.Errorf("ParseWhen(%q) = %v, want an error", in, got)
					}
					continue
				}
				if err != nil {
					t.Errorf("ParseWhen(%q): %v", in, err)
					continue
				}
				if got.Month() != month || got.Day() != 5 || got.Hour() != 12 {
					t.Errorf("ParseWhen(%q) = %v, want 5 %s 12:00", in, got, month)
				}
			}
		}
	}
}

func TestParseWhenWeekdayNames(t *testing.T) {
	msk := whenLoc(t, "Europe/Moscow")
	now := time.Date(2026, 11, 22, 10, 0, 0, 0, msk) // Sunday
	names := map[time.Weekday][]string{
		time.Monday:    {"понедельник", "пн", "пон", "Monday", "mon"},
		time.Tuesday:   {"вторник", "вт", "tuesday", "tue", "tues"},
		time.Wednesday: {"среда", "среду", "ср", "wednesday", "wed"},
		time.Thursday:  {"четверг", "чт", "thursday", "thu", "thurs"},
		time.Friday:    {"пятница", "пятницу", "пт", "friday", "fri"},
		time.Saturday:  {"суббота", "субботу", "сб", "saturday", "sat"},
		time.Sunday:    {"воскресенье", "вс", "вск", "sunday", "sun"},
	}
	for wd, forms := range names {
		for _, f := range forms {
			in := f + " 18:00"
			got, err := ParseWhen(in, now, msk)
			if err != nil {
				t.Errorf("ParseWhen(%q): %v", in, err)
				continue
			}
			if got.Weekday() != wd || got.Hour() != 18 {
				t.Errorf("ParseWhen(%q) = %v, want %s 18:00", in, got, wd)
			}
			if d := got.Sub(now); d < 0 || d >= 7*24*time.Hour {
				t.Errorf("ParseWhen(%q) = %v, not within the coming week", in, got)
			}
		}
	}
}

func TestParseWhenRollover(t *testing.T) {
	msk := whenLoc(t, "Europe/Moscow")
	now := time.Date(2026, 12, 26, 12, 0, 0, 0, msk)
	tests := []struct{ in, want string }{
		{"25.12 15:30", "2027-12-25 15:30"},
		{"26.12 13:00", "2026-12-26 13:00"},
		{"31.12 23:59", "2026-12-31 23:59"},
		{"01.01 0:00", "2027-01-01 00:00"},
		{"25 декабря в 10:00", "2027-12-25 10:00"},
		{"завтра 10:00", "2026-12-27 10:00"},
		{"в четверг 10:00", "2026-12-31 10:00"},
		{"в пятницу 10:00", "2027-01-01 10:00"},
	}
	for _, tt := range tests {
		got, err := ParseWhen(tt.in, now, msk)
		if err != nil {
			t.Errorf("ParseWhen(%q): %v", tt.in, err)
			continue
		}
		if s := got.Format("2006-01-02 15:04"); s != tt.want {
			t.Errorf("ParseWhen(%q) = %s, want %s", tt.in, s, tt.want)
		}
	}
	// Two years ahead of 2026-12-26 12:00 is 2028-12-26 12:00.
	if _, err := ParseWhen("26.12.2028 12:00", now, msk); err != nil {
		t.Errorf("exactly two years ahead: %v", err)
	}
	if _, err := ParseWhen("26.12.2028 12:01", now, msk); ErrorCode(err) != CodeTooFar {
		t.Errorf("two years and a minute ahead: %v, want %s", err, CodeTooFar)
	}
}

func TestParseWhenZones(t *testing.T) {
	msk := whenLoc(t, "Europe/Moscow")
	ekb := whenLoc(t, "Asia/Yekaterinburg")
	now := time.Date(2026, 11, 22, 7, 0, 0, 0, time.UTC) // 10:00 in Moscow, 12:00 in Yekaterinburg

	for _, in := range []string{"25.12 15:30", "завтра в 15:30", "в пятницу 15:30"} {
		m, err := ParseWhen(in, now, msk)
		if err != nil {
			t.Fatalf("Moscow %q: %v", in, err)
		}
		e, err := ParseWhen(in, now, ekb)
		if err != nil {
			t.Fatalf("Yekaterinburg %q: %v", in, err)
		}
		if m.Hour() != 15 || e.Hour() != 15 || m.Minute() != 30 || e.Minute() != 30 {
			t.Errorf("%q: wall clocks %v and %v, want 15:30", in, m, e)
		}
		if d := m.Sub(e); d != 2*time.Hour {
			t.Errorf("%q: Moscow %v - Yekaterinburg %v = %v, want 2h", in, m.UTC(), e.UTC(), d)
		}
	}
	// 11:00 today has passed in Yekaterinburg (12:00) but not in Moscow (10:00).
	if _, err := ParseWhen("сегодня 11:00", now, msk); err != nil {
		t.Errorf("Moscow: %v", err)
	}
	if _, err := ParseWhen("сегодня 11:00", now, ekb); ErrorCode(err) != CodePast {
		t.Errorf("Yekaterinburg: %v, want %s", err, CodePast)
	}
	// "Today" follows the zone: at 22:30 UTC it is already the next day in Moscow.
	late := time.Date(2026, 11, 22, 22, 30, 0, 0, time.UTC)
	got, err := ParseWhen("сегодня 12:00", late, msk)
	if err != nil || got.Format("2006-01-02 15:04") != "2026-11-23 12:00" {
		t.Errorf("today in Moscow at 22:30 UTC = %v, %v; want 2026-11-23 12:00", got, err)
	}
	got, err = ParseWhen("25.12 15:30", now, nil)
	if err != nil || !got.Equal(time.Date(2026, 12, 25, 15, 30, 0, 0, time.UTC)) {
		t.Errorf("nil location = %v, %v; want UTC", got, err)
	}
}

func TestParseWhenDST(t *testing.T) {
	ny := whenLoc(t, "America/New_York")
	now := time.Date(2026, 11, 22, 10, 0, 0, 0, ny)
	// 2027-03-14 02:00–03:00 does not exist in New York.
	if _, err := ParseWhen("14.03.2027 2:30", now, ny); ErrorCode(err) != CodeInvalid {
		t.Errorf("skipped local time: %v, want %s", err, CodeInvalid)
	}
	got, err := ParseWhen("14.03.2027 3:30", now, ny)
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2027, 3, 14, 7, 30, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("after the change = %v, want %v", got.UTC(), want)
	}
	got, err = ParseWhen("13.03.2027 3:30", now, ny)
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2027, 3, 13, 8, 30, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("before the change = %v, want %v", got.UTC(), want)
	}
}

func TestParseDuration(t *testing.T) {
	tests := []struct {
		in    string
		want  time.Duration
		code  Code
		limit int
	}{
		{"90", 90 * time.Minute, "", 0},
		{" 45 ", 45 * time.Minute, "", 0},
		{"5", 5 * time.Minute, "", 0},
		{"720", 12 * time.Hour, "", 0},
		{"90 минут", 90 * time.Minute, "", 0},
		{"45 мин", 45 * time.Minute, "", 0},
		{"45 мин.", 45 * time.Minute, "", 0},
		{"1,5 часа", 90 * time.Minute, "", 0},
		{"1.5 ч", 90 * time.Minute, "", 0},
		{"1,5", 90 * time.Minute, "", 0},
		{"1.5", 90 * time.Minute, "", 0},
		{"0,5", 30 * time.Minute, "", 0},
		{"2 часа", 2 * time.Hour, "", 0},
		{"1 час", time.Hour, "", 0},
		{"5 часов", 5 * time.Hour, "", 0},
		{"1 ч 30 мин", 90 * time.Minute, "", 0},
		{"1ч30м", 90 * time.Minute, "", 0},
		{"1 ч. 30 мин.", 90 * time.Minute, "", 0},
		{"1 час 30", 90 * time.Minute, "", 0},
		{"1:30", 90 * time.Minute, "", 0},
		{"0:45", 45 * time.Minute, "", 0},
		{"2h", 2 * time.Hour, "", 0},
		{"1h30m", 90 * time.Minute, "", 0},
		{"45 min", 45 * time.Minute, "", 0},
		{"1 hour 30 minutes", 90 * time.Minute, "", 0},
		{"2 Hours", 2 * time.Hour, "", 0},
		{"1,25 ч", 75 * time.Minute, "", 0},
		{"полчаса", 30 * time.Minute, "", 0},
		{"полтора часа", 90 * time.Minute, "", 0},
		{"12 ч", 12 * time.Hour, "", 0},

		{"4", 0, CodeTooShort, 5},
		{"0", 0, CodeTooShort, 5},
		{"3 мин", 0, CodeTooShort, 5},
		{"0:04", 0, CodeTooShort, 5},
		{"0,05", 0, CodeTooShort, 5},
		{"721", 0, CodeTooLong, 720},
		{"13 часов", 0, CodeTooLong, 720},
		{"12 ч 1 мин", 0, CodeTooLong, 720},
		{"12.5", 0, CodeTooLong, 720},
		{"100000000", 0, CodeTooLong, 720},

		{"", 0, CodeInvalid, 0},
		{"abc", 0, CodeInvalid, 0},
		{"-30", 0, CodeInvalid, 0},
		{"1:75", 0, CodeInvalid, 0},
		{"1:5", 0, CodeInvalid, 0},
		{"1.5:30", 0, CodeInvalid, 0},
		{"30 мин 1 ч", 0, CodeInvalid, 0},
		{"1 ч 1 ч", 0, CodeInvalid, 0},
		{"1 ч 30 мин 10", 0, CodeInvalid, 0},
		{"1 30", 0, CodeInvalid, 0},
		{"90 дней", 0, CodeInvalid, 0},
		{"час", 0, CodeInvalid, 0},
		{"полтора", 0, CodeInvalid, 0},
		{"1 ч 30.5", 0, CodeInvalid, 0},
		{"1.5.3", 0, CodeInvalid, 0},
	}
	for _, tt := range tests {
		got, err := ParseDuration(tt.in)
		if tt.code != "" {
			var e *Error
			if !errors.As(err, &e) {
				t.Errorf("ParseDuration(%q) = %v, %v; want code %s", tt.in, got, err, tt.code)
				continue
			}
			if e.Code != tt.code || e.Limit != tt.limit || e.Field != "duration" {
				t.Errorf("ParseDuration(%q) error %+v, want code %s limit %d field duration", tt.in, e, tt.code, tt.limit)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
}
