package mmo

import (
	"errors"
	"slices"
	"testing"
)

func TestParseTopics(t *testing.T) {
	for _, tc := range []struct {
		in    string
		want  []string
		code  Code
		field string
	}{
		{"Учёба ребёнка\nЭкзамены\n\n  Кружки  и секции \r\n", []string{"Учёба ребёнка", "Экзамены", "Кружки и секции"}, "", ""},
		{"Экзамены\nэкзамены", []string{"Экзамены"}, "", ""},
		{"ОГЭ", []string{"ОГЭ"}, "", ""},
		{"\n\n", nil, CodeTooShort, FieldParentTopic},
		{"Да", nil, CodeTooShort, FieldParentTopic},
		{"Очень длинная тема, которая не поместится на кнопке", nil, CodeTooLong, FieldParentTopic},
		{"<b>Экзамены</b>", nil, CodeInvalid, FieldParentTopic},
		{"2025", nil, CodeInvalid, FieldParentTopic},
		{"/start", nil, CodeInvalid, FieldParentTopic},
		{"Тема 1\nТема 2\nТема 3\nТема 4\nТема 5\nТема 6\nТема 7\nТема 8\nТема 9", nil, CodeTooLong, FieldTopicCount},
	} {
		got, err := ParseTopics(tc.in)
		if tc.code == "" {
			if err != nil || !slices.Equal(got, tc.want) {
				t.Errorf("ParseTopics(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
			}
			continue
		}
		var e *Error
		if err == nil || ErrorCode(err) != tc.code || !errors.As(err, &e) || e.Field != tc.field {
			t.Errorf("ParseTopics(%q) = %q, %v; want %s of %s", tc.in, got, err, tc.code, tc.field)
		}
	}
}
