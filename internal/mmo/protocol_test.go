package mmo

import (
	"testing"
	"time"
)

func TestOfficialName(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"ММО учителей русского языка и литературы", "учителей русского языка и литературы"},
		{"«ММО учителей математики»", "учителей математики"},
		{"Муниципальное методическое объединение «учителей физики»", "учителей физики"},
		{"учителей химии", "учителей химии"},
		{"МОДЕЛИРОВАНИЕ", "МОДЕЛИРОВАНИЕ"},
		{"ММО", "ММО"},
		{"РМО социальных педагогов", "социальных педагогов"},
	} {
		if got := OfficialName(c.in); got != c.want {
			t.Errorf("OfficialName(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestVotesFitPresent(t *testing.T) {
	for _, c := range []struct {
		v       Votes
		present int
		ok      bool
	}{
		{Votes{2, 0, 1}, 1, false},
		{Votes{2, 0, 1}, 3, true},
		{Votes{0, 0, 0}, 0, true},
		{Unanimous(8), 8, true},
		{Votes{8, 1, 0}, 8, false},
	} {
		if got := c.v.FitsPresent(c.present); got != c.ok {
			t.Errorf("%+v with %d present: %v, want %v", c.v, c.present, got, c.ok)
		}
	}
}

func TestWithHost(t *testing.T) {
	e := &Event{ID: 1, Start: time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)}
	att := map[int64]*Attendance{2: {UserID: 2, Mark: MarkPresent}, 3: {UserID: 3, Mark: MarkAbsent}}
	got := WithHost(e, att, 3)
	if got[3].Mark != MarkPresent || got[3].How != HowHost || att[3].Mark != MarkAbsent {
		t.Errorf("the host is not present, or the marks were changed: %+v %+v", got[3], att[3])
	}
	if got := WithHost(e, att, 2); got[2] != att[2] {
		t.Error("a host's own mark was replaced")
	}
	if got := WithHost(e, att, 0); len(got) != 2 {
		t.Error("no host added someone")
	}
}

func TestTallyConsultations(t *testing.T) {
	now := time.Date(2027, 5, 1, 0, 0, 0, 0, time.UTC)
	cs := []*Consultation{
		{Member: true, Status: ConsultNew},
		{Member: true, Status: ConsultProgress},
		{Member: true, Status: ConsultAnswered, AnsweredAt: now},
		{Member: true, Status: ConsultClosed, AnsweredAt: now},
		{Member: false, Status: ConsultNew},
		{Member: false, Status: ConsultClosed}, // withdrawn unanswered
		{Member: false, Status: ConsultProgress, AnsweredAt: now},
	}
	got := TallyConsultations(cs)
	want := ConsultTally{Teachers: ConsultCount{4, 2, 2}, Others: ConsultCount{3, 1, 1}}
	if got != want {
		t.Errorf("got %+v, want %+v", got, want)
	}
	if tot := got.Total(); tot != (ConsultCount{7, 3, 3}) {
		t.Errorf("total %+v", tot)
	}
}

func TestMatchPlan(t *testing.T) {
	loc := time.UTC
	at := func(m time.Month, d int) time.Time { return time.Date(2026, m, d, 10, 0, 0, 0, loc) }
	items := []PlanItem{
		{ID: 1, Month: 11, Topic: "Итоги первой четверти", Format: FormatMeeting},
		{ID: 2, Month: 12, Topic: "Функциональная грамотность на уроках математики", Format: FormatSeminar},
		{ID: 3, Month: 2, Topic: "Мастер-класс по подготовке к ОГЭ", Format: FormatMasterClass},
		{ID: 4, Month: 3, Topic: "Итоги полугодия", Format: FormatMeeting},
		{ID: 5, Month: 4, Topic: "Открытые уроки", Format: FormatOpenLesson},
	}
	held := []*Event{
		{ID: 10, Start: at(11, 20), Format: FormatMeeting, Topic: "Заседание по итогам четверти"},
		{ID: 11, Start: at(12, 10), Format: FormatWebinar, Topic: "Функциональная грамотность на уроках математики: практикум"},
		{ID: 12, Start: at(2, 5), Format: FormatMasterClass, Topic: "Разбор заданий", PlanItem: 3},
		{ID: 13, Start: at(3, 15), Format: FormatMeeting, Topic: "Итоги полугодия"},
		{ID: 14, Start: at(3, 20), Format: FormatRoundTable, Topic: "Круглый стол о наставничестве"},
	}
	m := MatchPlan(items, held, loc)
	want := map[int]uint64{1: 10, 2: 11, 3: 12, 4: 13}
	for item, eid := range want {
		if e := m.Event[item]; e == nil || e.ID != eid {
			t.Errorf("item %d: %+v, want event %d", item, e, eid)
		}
	}
	if m.Auto[3] || !m.Auto[1] || !m.Auto[2] {
		t.Errorf("auto %v", m.Auto)
	}
	if len(m.Unmatched) != 1 || m.Unmatched[0].ID != 5 || len(m.Unplanned) != 1 || m.Unplanned[0].ID != 14 {
		t.Errorf("unmatched %v, unplanned %v", m.Unmatched, m.Unplanned)
	}
}

func TestFeminineAndMentions(t *testing.T) {
	if !Feminine("Кузнецова Ирина Павловна") || Feminine("Борисов Борис Борисович") || Feminine("Никитина Дарья") {
		t.Error("Feminine")
	}
	for _, c := range []struct {
		line, name string
		want       bool
	}{
		{"Лидерову О. И. — об итогах олимпиады", "Лидерова Ольга Ивановна", true},
		{"Антонова А. А.: предложила провести разбор", "Антонова Анна Антоновна", true},
		{"Борисов Б. Б.: поддержал", "Антонова Анна Антоновна", false},
		{"Антонову Н. С. — о плане", "Антонова Анна Антоновна", false},
		{"о плане", "Антонова Анна Антоновна", false},
	} {
		if got := Mentions(c.line, c.name); got != c.want {
			t.Errorf("Mentions(%q, %q) = %v", c.line, c.name, got)
		}
	}
}
