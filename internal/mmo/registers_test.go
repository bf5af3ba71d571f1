package mmo

import (
	"testing"
	"time"
)

func TestReportRegisters(t *testing.T) {
	d := func(m time.Month, day int) time.Time { return time.Date(2026, m, day, 10, 0, 0, 0, time.UTC) }
	from, to := d(time.September, 1), d(time.September, 1).AddDate(1, 0, 0)
	e := func(id uint64, k RegisterKind, aid uint64, uid int64, at time.Time, level string) *RegisterEntry {
		return &RegisterEntry{ID: id, Kind: k, AssociationID: aid, UserID: uid, At: at, Values: map[string]string{"level": level}}
	}
	entries := []*RegisterEntry{
		e(1, RegisterContest, 7, 1, d(time.November, 2), "regional"),
		e(2, RegisterContest, 7, 2, d(time.October, 2), "municipal"),
		e(3, RegisterOpenLesson, 7, 1, d(time.October, 5), "school"), // below the municipal level
		e(4, RegisterOpenLesson, 7, 1, d(time.October, 6), "municipal"),
		e(5, RegisterPublication, 8, 1, d(time.October, 6), ""), // another association
		e(6, RegisterMentoring, 7, 3, d(time.August, 6), ""),    // the year before
		e(7, RegisterAward, 7, 3, d(time.October, 6), ""),       // no section
		e(8, RegisterPractice, 7, 1, d(time.December, 1), ""),
	}
	got := ReportRegisters(entries, 7, from, to)
	ids := func(list []*RegisterEntry) (out []uint64) {
		for _, e := range list {
			out = append(out, e.ID)
		}
		return
	}
	if len(got) != 3 || len(got["contests"]) != 2 || got["contests"][0].ID != 2 || len(got["open_events"]) != 1 || got["open_events"][0].ID != 4 || len(got["practice"]) != 1 {
		t.Errorf("sections %v %v %v", ids(got["contests"]), ids(got["open_events"]), got)
	}
	mine := UserEntries(entries, 1, from, to)
	if len(mine) != 5 || mine[0].ID != 3 || mine[4].ID != 8 {
		t.Errorf("teacher's entries %v", ids(mine))
	}
	if len(UserEntries(entries, 3, from, to)) != 0 {
		t.Error("an award proposal is in the teacher's own record")
	}
}

func TestValidateRegisterValue(t *testing.T) {
	if _, err := ValidateRegisterValue(RegisterField{Name: "level", Level: true}, "galactic"); ErrorCode(err) != CodeInvalid {
		t.Errorf("level: %v", err)
	}
	if v, err := ValidateRegisterValue(RegisterField{Name: "level", Level: true}, "regional"); err != nil || v != "regional" {
		t.Errorf("level: %v", err)
	}
	if _, err := ValidateRegisterValue(RegisterField{Name: "name", Max: 10}, "Очень длинное название"); ErrorCode(err) != CodeTooLong {
		t.Errorf("long: %v", err)
	}
	for _, k := range RegisterKinds {
		if len(RegisterFields(k)) == 0 {
			t.Errorf("register %s has no fields", k)
		}
	}
}
