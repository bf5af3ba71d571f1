package mmo

import (
	"testing"
	"time"
)

func TestWhenYearless(t *testing.T) {
	msk, _ := time.LoadLocation("Europe/Moscow")
	now := time.Date(2026, 12, 2, 10, 0, 0, 0, msk)
	for _, tc := range []struct {
		in   string
		want bool
	}{
		{"1 декабря 15:00", true},
		{"01.12 15:00", true},
		{"20.11", true},
		{"2 декабря 15:00", false}, // today
		{"3.12 15:00", false},      // ahead this year
		{"01.12.2027 15:00", false},
		{"1 декабря 2027 15:00", false},
		{"завтра 15:00", false},
		{"пятница 15:00", false},
		{"чепуха", false},
		{"29.02 10:00", false}, // no 29 February this year: nothing passed to ask about
	} {
		if got := WhenYearless(tc.in, now, msk); got != tc.want {
			t.Errorf("WhenYearless(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}
