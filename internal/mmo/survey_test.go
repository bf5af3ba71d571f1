package mmo

import (
	"testing"
	"time"
)

func testSurvey() *Survey {
	return &Survey{ID: 7, Questions: []Question{
		{Kind: QuestionSingle, Text: "Стаж?", Options: []string{"до 3 лет", "3–10 лет", "больше 10"}},
		{Kind: QuestionMulti, Text: "Затруднения?", Options: []string{"ФГОС", "ИКТ", "Родители"}},
		{Kind: QuestionScale, Text: "Оценка?"},
		{Kind: QuestionText, Text: "Пожелания?"},
	}}
}

func TestApplyAnswer(t *testing.T) {
	s := testSurvey()
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	type step struct {
		q           int
		action, arg string
		wantPos     int
		wantDone    bool
		wantCode    Code
		check       func(p SurveyResponse) bool
		checkName   string
	}
	tests := []struct {
		name  string
		steps []step
	}{
		{"whole survey", []step{
			{q: 0, action: AnswerOption, arg: "1", wantPos: 1},
			{q: 1, action: AnswerOption, arg: "2", wantPos: 1},
			{q: 1, action: AnswerOption, arg: "0", wantPos: 1, check: func(p SurveyResponse) bool { return len(p.Answers[1].Choices) == 2 && p.Answers[1].Choices[0] == 0 }, checkName: "two sorted choices"},
			{q: 1, action: AnswerOption, arg: "2", wantPos: 1, check: func(p SurveyResponse) bool { return len(p.Answers[1].Choices) == 1 }, checkName: "a second tap takes a choice back"},
			{q: 1, action: AnswerNext, wantPos: 2},
			{q: 2, action: AnswerOption, arg: "4", wantPos: 3},
			{q: 3, action: AnswerOption, arg: "  Больше практики  ", wantPos: 4, wantDone: true, check: func(p SurveyResponse) bool { return p.Answers[3].Text == "Больше практики" }, checkName: "text trimmed"},
		}},
		{"back and skip", []step{
			{q: 0, action: AnswerSkip, wantPos: 1, check: func(p SurveyResponse) bool { return p.Answers[0].Skipped && !p.Answers[0].Given }, checkName: "skipped"},
			{q: 1, action: AnswerBack, wantPos: 0},
			{q: 0, action: AnswerOption, arg: "0", wantPos: 1, check: func(p SurveyResponse) bool { return p.Answers[0].Given && !p.Answers[0].Skipped }, checkName: "answered after all"},
			{q: 1, action: AnswerNext, wantPos: 2, check: func(p SurveyResponse) bool { return p.Answers[1].Skipped }, checkName: "nothing chosen is skipped"},
		}},
		{"refusals change nothing", []step{
			{q: 0, action: AnswerBack, wantPos: 0, wantCode: CodeConflict},
			{q: 1, action: AnswerOption, arg: "0", wantPos: 0, wantCode: CodeConflict},
			{q: 0, action: AnswerOption, arg: "3", wantPos: 0, wantCode: CodeInvalid},
			{q: 0, action: AnswerOption, arg: "x", wantPos: 0, wantCode: CodeInvalid},
			{q: 0, action: AnswerNext, wantPos: 0, wantCode: CodeInvalid},
			{q: 0, action: "z", wantPos: 0, wantCode: CodeInvalid},
			{q: 0, action: AnswerSkip, wantPos: 1},
			{q: 1, action: AnswerSkip, wantPos: 2},
			{q: 2, action: AnswerOption, arg: "6", wantPos: 2, wantCode: CodeInvalid},
			{q: 2, action: AnswerOption, arg: "0", wantPos: 2, wantCode: CodeInvalid},
			{q: 2, action: AnswerSkip, wantPos: 3},
			{q: 3, action: AnswerOption, arg: "   ", wantPos: 3, wantCode: CodeTooShort},
			{q: 3, action: AnswerSkip, wantPos: 4, wantDone: true},
			{q: 3, action: AnswerBack, wantPos: 4, wantDone: true, wantCode: CodeConflict},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := *NewResponse(s, 5)
			for i, st := range tt.steps {
				next, done, err := ApplyAnswer(s, p, st.q, st.action, st.arg, now)
				if st.wantCode != "" {
					if err == nil || ErrorCode(err) != st.wantCode {
						t.Fatalf("step %d: err %v, want %s", i, err, st.wantCode)
					}
				} else if err != nil {
					t.Fatalf("step %d: %v", i, err)
				}
				if err == nil {
					p = next
				}
				if p.Pos != st.wantPos || done != st.wantDone && err == nil {
					t.Fatalf("step %d: pos %d done %v, want %d %v", i, p.Pos, done, st.wantPos, st.wantDone)
				}
				if st.check != nil && !st.check(p) {
					t.Fatalf("step %d: %s: %+v", i, st.checkName, p.Answers)
				}
			}
		})
	}
}

// A refused action leaves the caller's response as it was, choices included.
func TestApplyAnswerNoAliasing(t *testing.T) {
	s := testSurvey()
	p := *NewResponse(s, 5)
	p.Pos = 1
	p.Answers[1].Choices = []int{0}
	next, _, err := ApplyAnswer(s, p, 1, AnswerOption, "2", time.Time{})
	if err != nil || len(next.Answers[1].Choices) != 2 || len(p.Answers[1].Choices) != 1 {
		t.Fatalf("toggle changed the original: %v %v %v", err, next.Answers[1].Choices, p.Answers[1].Choices)
	}
}

func TestParseQuestion(t *testing.T) {
	tests := []struct {
		kind     QuestionKind
		in       string
		wantText string
		wantOpts int
		wantCode Code
	}{
		{QuestionSingle, "Ваш стаж?\n- до 3 лет\n- 3–10 лет\n- больше 10", "Ваш стаж?", 3, ""},
		{QuestionMulti, "Что трудно?\n1. ФГОС\n2) ИКТ", "Что трудно?", 2, ""},
		{QuestionSingle, "Один вариант?\nда", "", 0, CodeTooShort},
		{QuestionSingle, "Много?\n1\n2\n3\n4\n5\n6\n7\n8\n9", "", 0, CodeTooLong},
		{QuestionScale, "Насколько полезно?", "Насколько полезно?", 0, ""},
		{QuestionScale, "Насколько полезно?\nочень", "", 0, CodeInvalid},
		{QuestionText, "Пожелания?", "Пожелания?", 0, ""},
		{QuestionText, "  \n ", "", 0, CodeTooShort},
		{"poll", "Вопрос?", "", 0, CodeInvalid},
		{QuestionSingle, "Длинно?\nда\n" + string(make([]rune, 0)) + "очень-очень-очень-очень-очень-очень-очень-очень-очень длинный вариант", "", 0, CodeTooLong},
	}
	for _, tt := range tests {
		q, err := ParseQuestion(tt.kind, tt.in)
		if tt.wantCode != "" {
			if ErrorCode(err) != tt.wantCode {
				t.Errorf("%q: err %v, want %s", tt.in, err, tt.wantCode)
			}
			continue
		}
		if err != nil || q.Text != tt.wantText || len(q.Options) != tt.wantOpts {
			t.Errorf("%q: %+v %v", tt.in, q, err)
		}
	}
}

func TestSurveyReminder(t *testing.T) {
	sent := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	week := sent.Add(7 * 24 * time.Hour)
	tests := []struct {
		name     string
		deadline time.Time
		now      time.Time
		reminded bool
		want     bool
	}{
		{"too early", week, week.Add(-25 * time.Hour), false, false},
		{"a day before", week, week.Add(-24 * time.Hour), false, true},
		{"reminded already", week, week.Add(-2 * time.Hour), true, false},
		{"past the deadline", week, week, false, false},
		{"short survey: halfway", sent.Add(20 * time.Hour), sent.Add(10 * time.Hour), false, true},
		{"short survey: before halfway", sent.Add(20 * time.Hour), sent.Add(9 * time.Hour), false, false},
	}
	for _, tt := range tests {
		s := &Survey{Sent: true, Deadline: tt.deadline, Reminded: tt.reminded}
		if got := SurveyReminderDue(s, sent, tt.now); got != tt.want {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
	if SurveyReminderDue(&Survey{Deadline: week}, sent, week.Add(-time.Hour)) {
		t.Error("an unsent survey reminded")
	}
}

func TestTallySurvey(t *testing.T) {
	s := testSurvey()
	rs := []*SurveyResponse{
		{Answers: []SurveyAnswer{{Given: true, Choices: []int{0}}, {Given: true, Choices: []int{0, 2}}, {Given: true, Value: 5}, {Given: true, Text: "Практика"}}},
		{Answers: []SurveyAnswer{{Given: true, Choices: []int{0}}, {Given: true, Choices: []int{2}}, {Given: true, Value: 4}, {Skipped: true}}},
		{Answers: []SurveyAnswer{{Given: true, Choices: []int{2}}, {Skipped: true}, {}, {}}},
		{Answers: []SurveyAnswer{{Given: true, Choices: []int{9}}}}, // an option out of range counts as nothing
	}
	ts := TallySurvey(s, rs)
	if ts[0].Answered != 3 || ts[0].Skipped != 1 || ts[0].Counts[0] != 2 || ts[0].Percent(0) != 67 || ts[0].Percent(2) != 33 {
		t.Errorf("single: %+v", ts[0])
	}
	if ts[1].Answered != 2 || ts[1].Counts[2] != 2 || ts[1].Percent(2) != 100 || ts[1].Percent(1) != 0 {
		t.Errorf("multi: %+v", ts[1])
	}
	if ts[2].Answered != 2 || ts[2].Average() != 4.5 || ts[2].Counts[4] != 1 || len(ts[2].Labels()) != 5 {
		t.Errorf("scale: %+v", ts[2])
	}
	if ts[3].Answered != 1 || ts[3].Texts[0] != "Практика" {
		t.Errorf("text: %+v", ts[3])
	}
	top := TopDifficulties(ts, 2)
	if len(top) != 2 || top[0].Text != "Родители" || top[0].Count != 2 || top[1].Text != "ФГОС" {
		t.Errorf("top difficulties %+v", top)
	}
	if len(TopDifficulties(ts[:1], 3)) != 0 {
		t.Error("difficulties without a multiple choice question")
	}
}

func TestSurveyDeadline(t *testing.T) {
	loc := time.FixedZone("MSK", 3*3600)
	from := time.Date(2026, 11, 23, 22, 30, 0, 0, time.UTC) // 01:30 on the 24th in Moscow
	got := SurveyDeadline(from, 7, loc)
	want := time.Date(2026, 12, 1, 23, 59, 0, 0, loc)
	if !got.Equal(want) {
		t.Errorf("deadline %v, want %v", got, want)
	}
}
