package mmo

import (
	"fmt"
	"slices"
	"testing"
	"time"
)

func TestRetentionActions(t *testing.T) {
	msk, _ := time.LoadLocation("Europe/Moscow")
	at := func(y int, m time.Month, d, h, min int) time.Time { return time.Date(y, m, d, h, min, 0, 0, msk) }
	keepAll := ivanovo()
	keepAll.RetentionYears = 0
	calendar := ivanovo()
	calendar.YearStart = MonthDay{time.January, 1}
	tests := []struct {
		name string
		reg  Regulation
		now  time.Time
		want []string
	}{
		// 2026/27 is kept three years after its end: until 1 September
		// 2030. The two years before it stay listed for removal: the
		// caller skips what it has done.
		{"the day before the warning", ivanovo(), at(2030, 8, 24, 23, 59), []string{"remove 2024 01.09.2028", "remove 2025 01.09.2029"}},
		{"a week before: warn", ivanovo(), at(2030, 8, 25, 0, 0), []string{"remove 2024 01.09.2028", "remove 2025 01.09.2029", "warn 2026 01.09.2030"}},
		{"the last day: still a warning", ivanovo(), at(2030, 8, 31, 23, 59), []string{"remove 2024 01.09.2028", "remove 2025 01.09.2029", "warn 2026 01.09.2030"}},
		{"the expiry, a new school year: remove", ivanovo(), at(2030, 9, 1, 0, 0), []string{"remove 2025 01.09.2029", "remove 2026 01.09.2030"}},
		{"removal stays due all year", ivanovo(), at(2031, 8, 1, 12, 0), []string{"remove 2025 01.09.2029", "remove 2026 01.09.2030"}},
		// The bot was down from July 2030 to October 2031: both expired
		// years are removed, neither is warned about any more.
		{"down for over a year", ivanovo(), at(2031, 10, 1, 12, 0), []string{"remove 2026 01.09.2030", "remove 2027 01.09.2031"}},
		{"years before the bot's time are listed all the same", ivanovo(), at(2026, 11, 23, 12, 0), []string{"remove 2021 01.09.2025", "remove 2022 01.09.2026"}},
		{"a calendar school year", calendar, at(2030, 12, 25, 9, 0), []string{"remove 2025 01.01.2029", "remove 2026 01.01.2030", "warn 2027 01.01.2031"}},
		{"retention off", keepAll, at(2040, 1, 1, 0, 0), nil},
	}
	for _, tt := range tests {
		var got []string
		for _, d := range tt.reg.RetentionActions(tt.now, msk) {
			verb := map[RetentionAction]string{RetentionWarn: "warn", RetentionRemove: "remove"}[d.Action]
			got = append(got, fmt.Sprintf("%s %d %s", verb, d.Year, d.Expiry.Format("02.01.2006")))
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s:\n got %q\nwant %q", tt.name, got, tt.want)
		}
	}
}

// TestRetentionExpiryClockChange: the expiry is midnight of the day in the
// zone, whatever the clocks did in between.
func TestRetentionExpiryClockChange(t *testing.T) {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	reg := ivanovo()
	reg.YearStart = MonthDay{time.April, 1}
	got := reg.RetentionExpiry(2026, berlin)
	if want := time.Date(2030, 4, 1, 0, 0, 0, 0, berlin); !got.Equal(want) {
		t.Fatalf("expiry %v, want %v", got, want)
	}
	// The warning week crosses Berlin's change to summer time (31 March
	// 2030): it starts at midnight on 25 March, not an hour off.
	warned := func(now time.Time) bool {
		for _, d := range reg.RetentionActions(now, berlin) {
			if d.Year == 2026 {
				return d.Action == RetentionWarn
			}
		}
		return false
	}
	if warned(time.Date(2030, 3, 24, 23, 30, 0, 0, berlin)) {
		t.Error("warned at 23:30 on 24 March")
	}
	if !warned(time.Date(2030, 3, 25, 0, 0, 0, 0, berlin)) {
		t.Error("not warned at midnight on 25 March")
	}
}
