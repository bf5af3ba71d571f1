package mmo

import (
	"reflect"
	"testing"
)

func TestSummarizePlan(t *testing.T) {
	items := []PlanItem{
		{ID: 1, Month: 10, Topic: "Олимпиада", Format: FormatMeeting},
		{ID: 2, Month: 1, Topic: "Семинар", Format: FormatSeminar},
		{ID: 3, Month: 10, Topic: "Открытый урок", Format: FormatOpenLesson},
		{ID: 4, Month: 3, Topic: "Итоги", Format: FormatMeeting},
	}
	first := SummarizePlan(items, nil, 9)
	want := PlanSummary{Months: []MonthCount{{10, 1, 1}, {1, 0, 1}, {3, 1, 0}}, Meetings: 2, Events: 2, First: true}
	if !reflect.DeepEqual(first, want) {
		t.Errorf("first: %+v, want %+v", first, want)
	}
	prev := []PlanItem{items[0], {ID: 2, Month: 12, Topic: "Семинар", Format: FormatSeminar}, {ID: 5, Month: 5, Topic: "Снят", Format: FormatMeeting}}
	again := SummarizePlan(items, prev, 9)
	if again.First || again.Added != 2 || again.Removed != 1 || again.Changed != 1 {
		t.Errorf("again: %+v", again)
	}
}
