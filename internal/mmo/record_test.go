package mmo

import (
	"testing"
	"time"
)

func TestPracticeIn(t *testing.T) {
	for _, c := range []struct {
		line string
		want Practice
	}{
		{"Антонова А. А. провела мастер-класс «Смысловое чтение»", PracticeMasterClass},
		{"Антонову А. А. — о мастер-классе по геометрии", PracticeMasterClass},
		{"Борисов Б. Б.: показал открытый урок в 7 классе", PracticeOpenLesson},
		{"Борисова Б. Б. — анализ открытого занятия", PracticeOpenLesson},
		{"Антонова А. А.: предложила провести разбор заданий", PracticeNone},
		{"Открытое голосование", PracticeNone},
	} {
		if got := PracticeIn(c.line); got != c.want {
			t.Errorf("PracticeIn(%q) = %q, want %q", c.line, got, c.want)
		}
	}
}

func TestPracticeOf(t *testing.T) {
	for f, want := range map[Format]Practice{FormatMasterClass: PracticeMasterClass, FormatOpenLesson: PracticeOpenLesson, FormatMeeting: PracticeNone} {
		if got := PracticeOf(&Event{Format: f}); got != want {
			t.Errorf("PracticeOf(%s) = %q, want %q", f, got, want)
		}
	}
}

func TestPracticeFromRegister(t *testing.T) {
	loc := time.FixedZone("MSK", 3*3600)
	e := &Event{Topic: "Функциональная грамотность на уроках математики", Start: time.Date(2026, 12, 10, 9, 0, 0, 0, time.UTC)}
	entry := func(uid int64, kind RegisterKind, at time.Time, topic, form string) *RegisterEntry {
		return &RegisterEntry{UserID: uid, Kind: kind, At: at, Values: map[string]string{"topic": topic, "form": form}}
	}
	other := time.Date(2026, 10, 1, 9, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		name    string
		entries []*RegisterEntry
		want    Practice
	}{
		{"same day, master class", []*RegisterEntry{entry(1, RegisterOpenLesson, e.Start.Add(2*time.Hour), "Дроби", "мастер-класс")}, PracticeMasterClass},
		{"close topic, open lesson", []*RegisterEntry{entry(1, RegisterOpenLesson, other, "Функциональная грамотность на уроках", "открытый урок")}, PracticeOpenLesson},
		{"form unnamed", []*RegisterEntry{entry(1, RegisterOpenLesson, e.Start, "Дроби", "занятие")}, PracticeOpenLesson},
		{"another teacher", []*RegisterEntry{entry(2, RegisterOpenLesson, e.Start, "Дроби", "мастер-класс")}, PracticeNone},
		{"another day and topic", []*RegisterEntry{entry(1, RegisterOpenLesson, other, "Дроби", "мастер-класс")}, PracticeNone},
		{"another register", []*RegisterEntry{entry(1, RegisterPublication, e.Start, "Дроби", "мастер-класс")}, PracticeNone},
	} {
		if got := PracticeFromRegister(c.entries, 1, e, loc); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}
