package mmo

import (
	"reflect"
	"testing"
)

func TestMatchSchools(t *testing.T) {
	list := []string{
		"МБОУ «СОШ № 5»",
		"МБОУ «СОШ № 11»",
		"МАОУ «Лицей № 11»",
		"МБОУ «Гимназия № 3»",
		"МБОУ «СОШ № 115 с углублённым изучением математики»",
		"МБОУ «Основная школа № 15»",
	}
	tests := []struct {
		q    string
		want []int
	}{
		{"11", []int{1, 2}},
		{"школа 11", []int{1, 2}},
		{"сош11", []int{1, 2}},
		{"лицей 11", []int{2}},
		{"лицея № 11", []int{2}},
		{"гимназия", []int{3}},
		{"Гимназия 3", []int{3}},
		{"115", []int{4}},
		{"математики", []int{4}},
		{"углубленным", []int{4}},
		{"школа", nil},
		{"СОШ", nil},
		{"12", nil},
		{"основная 15", []int{5}},
	}
	for _, tt := range tests {
		if got := MatchSchools(list, tt.q); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("MatchSchools(%q) = %v, want %v", tt.q, got, tt.want)
		}
	}
	if s, ok := SchoolListed(list, "  мбоу «сош №  5» "); !ok || s != list[0] {
		t.Errorf("SchoolListed: %q %v", s, ok)
	}
}
