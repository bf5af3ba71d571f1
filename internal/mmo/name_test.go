package mmo

import (
	"reflect"
	"testing"
)

func TestCheckFullName(t *testing.T) {
	tests := []struct {
		in   string
		want NameCheck
	}{
		{"Никитина Дарья Андреевна", NameCheck{}},
		{"Иванов Пётр Сергеевич", NameCheck{}},
		{"Дарья Никитина", NameCheck{Problems: []NameProblem{NameOrder, NameNoPatronymic}, Fix: "Никитина Дарья"}},
		{"Дарья Андреевна Никитина", NameCheck{Problems: []NameProblem{NameOrder}, Fix: "Никитина Дарья Андреевна"}},
		{"Никитина Дарья", NameCheck{Problems: []NameProblem{NameNoPatronymic}}},
		{"Daria Nikitina", NameCheck{Problems: []NameProblem{NameLatin}}},
		{"Белова Н. С.", NameCheck{}},
		{"Ким Анна", NameCheck{Problems: []NameProblem{NameNoPatronymic}}},
		// A first name as surname is not moved: «Анна Ирина» is unclear.
		{"Анна Ирина Сергеевна", NameCheck{}},
		{"Оглы Ахмед Рза оглы", NameCheck{}},
	}
	for _, tt := range tests {
		if got := CheckFullName(tt.in); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("CheckFullName(%q) = %+v, want %+v", tt.in, got, tt.want)
		}
	}
}
