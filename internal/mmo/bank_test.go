package mmo

import (
	"slices"
	"testing"
	"time"
)

func TestParseTags(t *testing.T) {
	tests := []struct {
		in   string
		want []string
		code Code
	}{
		{"-", nil, ""},
		{"#ФГОС, #огэ ОГЭ; функциональная", []string{"фгос", "огэ", "функциональная"}, ""},
		{"a b c d e f g h i j k", nil, CodeTooLong},
	}
	for _, tt := range tests {
		got, err := ParseTags(tt.in)
		if tt.code != "" {
			if ErrorCode(err) != tt.code {
				t.Errorf("%q: %v", tt.in, err)
			}
			continue
		}
		if err != nil || !slices.Equal(got, tt.want) {
			t.Errorf("%q: %q %v", tt.in, got, err)
		}
	}
}

func TestMaterialQuery(t *testing.T) {
	m := &Material{Title: "Рабочая программа по алгебре", Kind: MaterialMethodical, Subject: "математика", Tags: []string{"фгос", "7 класс"}}
	tests := []struct {
		q    MaterialQuery
		want bool
	}{
		{ParseQuery("алгебре"), true},
		{ParseQuery("Программа ФГОС"), true},
		{ParseQuery("программа физика"), false},
		{ParseQuery("математика"), true},
		{MaterialQuery{Kind: MaterialMethodical}, true},
		{MaterialQuery{Kind: MaterialTheses}, false},
		{MaterialQuery{Subject: " Математика "}, true},
		{MaterialQuery{Subject: "физика"}, false},
		{ParseQuery("«алгебре»!"), true},
	}
	for i, tt := range tests {
		if got := tt.q.Matches(m); got != tt.want {
			t.Errorf("%d %+v: %v", i, tt.q, got)
		}
	}
}

func TestMaterialVisible(t *testing.T) {
	pending := &Material{AuthorID: 1, State: MaterialPending}
	if !pending.Visible(1, false) || pending.Visible(2, false) || !pending.Visible(2, true) {
		t.Error("pending visibility")
	}
	declined := &Material{AuthorID: 1, State: MaterialDeclined}
	if declined.Visible(2, true) {
		t.Error("a declined material is visible")
	}
	if !(&Material{State: MaterialApproved}).Visible(9, false) {
		t.Error("approved is hidden")
	}
}

func TestAgendaItems(t *testing.T) {
	got := AgendaItems("1. Итоги олимпиады\n\n2) Разное\n- Выступление: ФГОС")
	want := []string{"Итоги олимпиады", "Разное", "Выступление: ФГОС"}
	if !slices.Equal(got, want) {
		t.Errorf("%q", got)
	}
}

func TestReportTheses(t *testing.T) {
	d := func(day int) time.Time { return time.Date(2026, 11, day, 12, 0, 0, 0, time.UTC) }
	events := map[uint64]*Event{1: {ID: 1, Start: d(25)}, 2: {ID: 2, Start: d(5)}, 3: {ID: 3, Start: d(5).AddDate(1, 0, 0)}}
	th := func(id, event uint64, item int, state string) *Material {
		return &Material{ID: id, AssociationID: 7, Kind: MaterialTheses, EventID: event, AgendaItem: item, State: state}
	}
	ms := []*Material{
		th(1, 1, 2, MaterialApproved),
		th(2, 1, 1, MaterialApproved),
		th(3, 2, 1, MaterialApproved),
		th(4, 2, 1, MaterialPending),  // not approved
		th(5, 3, 1, MaterialApproved), // another year
		th(6, 9, 1, MaterialApproved), // no such event
		{ID: 7, AssociationID: 7, Kind: MaterialLesson, EventID: 1, State: MaterialApproved},
		{ID: 8, AssociationID: 8, Kind: MaterialTheses, EventID: 1, State: MaterialApproved},
	}
	got := ReportTheses(ms, events, 7, d(1), d(1).AddDate(0, 9, 0))
	var ids []uint64
	for _, m := range got {
		ids = append(ids, m.ID)
	}
	if !slices.Equal(ids, []uint64{3, 2, 1}) {
		t.Errorf("theses %v", ids)
	}
}
