package mmo

import (
	"reflect"
	"testing"
	"time"
)

func TestMemberAt(t *testing.T) {
	end := time.Date(2026, 11, 23, 13, 40, 0, 0, time.UTC)
	for _, c := range []struct {
		joined time.Time
		want   bool
	}{
		{time.Time{}, true},
		{end.AddDate(0, -1, 0), true},
		{end, true},
		{end.Add(time.Minute), false},
		{end.AddDate(0, 1, 0), false},
	} {
		if got := MemberAt(c.joined, end); got != c.want {
			t.Errorf("MemberAt(%v) = %v, want %v", c.joined, got, c.want)
		}
	}
}

func TestRoster(t *testing.T) {
	marks := map[int64]*Attendance{
		1: {UserID: 1, Mark: MarkPresent},
		2: {UserID: 2, Mark: MarkExcused, Note: "болезнь"},
		9: {UserID: 9, Mark: MarkPresent}, // joined later, marked by mistake
	}
	guest := ProtocolPerson{Name: "Петрова Анна Сергеевна", Role: "методист"}
	snap := &ProtocolSnapshot{
		Present: []ProtocolPerson{{UserID: 3, Name: "Борисов Б. Б."}, {UserID: 1, Name: "Антонова А. А."}},
		Absent:  []ProtocolPerson{{UserID: 4, Name: "Кузнецова И. П."}, {UserID: 2, Name: "Аверина В. В.", Reason: "болезнь"}, {UserID: 5}},
		Guests:  []ProtocolPerson{guest},
	}
	for _, c := range []struct {
		name    string
		snap    *ProtocolSnapshot
		members []int64
		guests  []ProtocolPerson
		want    []RosterEntry
		present int
	}{
		{"signed: the protocol's lists, unmarked absent, guests, no later member", snap, []int64{1, 2, 3, 4, 9}, nil, []RosterEntry{
			{UserID: 2, Name: "Аверина В. В.", Mark: MarkExcused, Reason: "болезнь"},
			{UserID: 1, Name: "Антонова А. А.", Mark: MarkPresent},
			{UserID: 3, Name: "Борисов Б. Б.", Mark: MarkPresent},
			{UserID: 4, Name: "Кузнецова И. П.", Mark: MarkAbsent},
			{UserID: 5, Mark: MarkAbsent},
			{Name: "Петрова Анна Сергеевна", Role: "методист", Guest: true},
		}, 2},
		{"unsigned: the members then, unmarked none", nil, []int64{1, 2, 4}, []ProtocolPerson{guest}, []RosterEntry{
			{UserID: 1, Mark: MarkPresent},
			{UserID: 2, Mark: MarkExcused},
			{UserID: 4, Mark: MarkNone},
			{Name: "Петрова Анна Сергеевна", Role: "методист", Guest: true},
		}, 1},
		{"unsigned, nobody", nil, nil, nil, nil, 0},
	} {
		got := Roster(c.snap, c.members, marks, c.guests)
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s:\n got %+v\nwant %+v", c.name, got, c.want)
		}
		if n := RosterPresent(got); n != c.present {
			t.Errorf("%s: present %d, want %d", c.name, n, c.present)
		}
	}
}

func TestProtocolMarks(t *testing.T) {
	e := &Event{ID: 7, Start: time.Date(2026, 11, 23, 9, 10, 0, 0, time.UTC)}
	s := &ProtocolSnapshot{
		Present: []ProtocolPerson{{UserID: 1}, {UserID: 2}, {UserID: 3}, {Name: "вне списка"}},
		Absent:  []ProtocolPerson{{UserID: 4}},
		Chair:   ProtocolPerson{UserID: 3},
	}
	att := map[int64]*Attendance{
		1: {UserID: 1, Mark: MarkPresent, How: HowButton},
		2: {UserID: 2, Mark: MarkAbsent},
	}
	got := ProtocolMarks(e, s, att)
	want := []*Attendance{
		{EventID: 7, UserID: 2, Mark: MarkPresent, How: HowMinutes, At: e.Start},
		{EventID: 7, UserID: 3, Mark: MarkPresent, How: HowHost, At: e.Start},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ProtocolMarks:\n got %+v\nwant %+v", got, want)
	}
}
