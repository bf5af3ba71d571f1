package chat

import (
	"testing"
	"unicode/utf8"
)

func TestShortLabel(t *testing.T) {
	for _, c := range []struct {
		name, in string
		n        int
		want     string
	}{
		{"fits", "ММО учителей математики", 40, "ММО учителей математики"},
		{"exactly", "абв где", 7, "абв где"},
		{"at a word", "Муниципальное методическое объединение учителей", 30, "Муниципальное методическое…"},
		{"no comma before the dots", "ММО учителей истории, обществознания и права", 30, "ММО учителей истории…"},
		{"one long word", "Сверхдлинноеназваниебезпробелов", 10, "Сверхдлин…"},
		{"spaces trimmed", "  абв где жзи  ", 9, "абв где…"},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := shortLabel(c.in, c.n)
			if got != c.want {
				t.Errorf("shortLabel(%q, %d) = %q, want %q", c.in, c.n, got, c.want)
			}
			if utf8.RuneCountInString(got) > c.n {
				t.Errorf("%q is longer than %d", got, c.n)
			}
		})
	}
}
