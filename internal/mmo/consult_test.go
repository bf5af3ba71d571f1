package mmo

import (
	"testing"
	"time"
)

func TestAddWorkingDays(t *testing.T) {
	msk, _ := time.LoadLocation("Europe/Moscow")
	at := func(month time.Month, day, hour int) time.Time {
		return time.Date(2026, month, day, hour, 0, 0, 0, msk)
	}
	tests := []struct {
		name string
		from time.Time
		n    int
		want time.Time
	}{
		{"Monday + 2", at(11, 23, 10), 2, at(11, 25, 10)},
		{"Friday + 2", at(11, 27, 18), 2, at(12, 1, 18)},
		{"Friday + 1", at(11, 27, 18), 1, at(11, 30, 18)},
		{"Saturday + 1", at(11, 28, 12), 1, at(11, 30, 12)},
		{"Sunday + 2", at(11, 29, 12), 2, at(12, 1, 12)},
		{"zero", at(11, 23, 10), 0, at(11, 23, 10)},
	}
	for _, tt := range tests {
		if got := AddWorkingDays(tt.from, tt.n, msk); !got.Equal(tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestConsultDue(t *testing.T) {
	msk, _ := time.LoadLocation("Europe/Moscow")
	mon := time.Date(2026, 11, 23, 10, 0, 0, 0, msk)
	c := &Consultation{Status: ConsultNew, WaitingSince: mon}
	steps := []time.Time{
		time.Date(2026, 11, 25, 10, 0, 0, 0, msk), // 2 working days
		time.Date(2026, 11, 27, 10, 0, 0, 0, msk), // 4
		time.Date(2026, 12, 1, 10, 0, 0, 0, msk),  // 6, over the weekend
	}
	for level, want := range steps {
		c.Escalation = level
		got, ok := ConsultDue(c, 2, msk)
		if !ok || !got.Equal(want) {
			t.Errorf("level %d: due %v %v, want %v", level, got, ok, want)
		}
	}
	c.Escalation = 3
	if _, ok := ConsultDue(c, 2, msk); ok {
		t.Error("due after the coordinator")
	}
	c.Escalation, c.Status = 0, ConsultAnswered
	if _, ok := ConsultDue(c, 2, msk); ok {
		t.Error("an answered request escalates")
	}
	c.Status = ConsultProgress
	if _, ok := ConsultDue(c, 0, msk); ok {
		t.Error("escalation with 0 days")
	}
}
