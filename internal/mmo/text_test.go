package mmo

import (
	"strings"
	"testing"
)

func TestCleanText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Иванова Мария", "Иванова Мария"},
		{"", ""},
		{"строка 1\r\nстрока 2\rстрока 3", "строка 1\nстрока 2\nстрока 3"},
		{"таб\tи\nперевод", "таб\tи\nперевод"},
		{"a\x00b\x07c\x1bd\x7fe\u0085f\u009fg", "abcdefg"},
		// Every bidirectional control, U+FFFE and U+FFFF go.
		{"\u202Eanirak\u202C", "anirak"},
		{"x\u061C\u200E\u200F\u202A\u202B\u202C\u202D\u202E\u2066\u2067\u2068\u2069y", "xy"},
		{"a\uFFFEb\uFFFFc", "abc"},
		// Invalid UTF-8 is shown as a replacement character, not dropped:
		// the reader sees that something was there.
		{"a\xffb", "a\uFFFDb"},
		// Joiners and ordinary format characters of scripts and emoji stay.
		{"👩\u200D💻 и\u200Cк", "👩\u200D💻 и\u200Cк"},
		{"\u00A0неразрывный\u00AD", "\u00A0неразрывный\u00AD"},
	}
	for _, tt := range tests {
		if got := CleanText(tt.in); got != tt.want {
			t.Errorf("CleanText(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if got := CleanText(CleanText(tt.in)); got != tt.want {
			t.Errorf("CleanText is not idempotent on %q: %q", tt.in, got)
		}
		unsafe := HasUnsafeText(tt.in)
		changed := CleanText(strings.ReplaceAll(tt.in, "\r", "")) != strings.ReplaceAll(tt.in, "\r", "")
		if unsafe != changed {
			t.Errorf("HasUnsafeText(%q) = %v, but CleanText changes it: %v", tt.in, unsafe, changed)
		}
	}
}

// TestUnsafeTextRefusedOrCleaned checks every user field that reaches a
// document: one-line fields refuse a bidi control with CodeControlChars,
// multi-line texts lose it.
func TestUnsafeTextRefusedOrCleaned(t *testing.T) {
	const rlo = "\u202E"
	oneLine := []struct {
		name string
		fn   func(string) (string, error)
		ok   string
	}{
		{"name", ValidateName, "Иванова Мария"},
		{"school", ValidateSchool, "МБОУ СОШ № 5"},
		{"position", ValidatePosition, "учитель математики"},
		{"association name", func(s string) (string, error) { return ValidateAssocField(FieldAssocName, s) }, "ММО учителей"},
		{"subject", func(s string) (string, error) { return ValidateAssocField(FieldAssocSubject, s) }, "математика"},
		{"topic", func(s string) (string, error) { return ValidateEventField(FieldTopic, s) }, "Функциональная грамотность"},
		{"place", func(s string) (string, error) { return ValidateEventField(FieldPlace, s) }, "МБОУ СОШ № 5, каб. 12"},
		{"link", func(s string) (string, error) { return ValidateEventField(FieldLink, s) }, "https://example.org/j/1"},
	}
	for _, tt := range oneLine {
		if _, err := tt.fn(tt.ok); err != nil {
			t.Errorf("%s: %q refused: %v", tt.name, tt.ok, err)
		}
		for _, bad := range []string{rlo, "\u2066", "\u200F", "\x01", "\x7f", "\u0085", "\uFFFE"} {
			in := tt.ok[:3] + bad + tt.ok[3:]
			if _, err := tt.fn(in); ErrorCode(err) != CodeControlChars {
				t.Errorf("%s: %q: err %v, want %s", tt.name, in, err, CodeControlChars)
			}
		}
	}

	long := []struct {
		name string
		fn   func(string) (string, error)
	}{
		{"description", func(s string) (string, error) { return ValidateAssocField(FieldAssocDescription, s) }},
		{"reason", func(s string) (string, error) { return ValidateAssocField(FieldReason, s) }},
		{"agenda", func(s string) (string, error) { return ValidateEventField(FieldAgenda, s) }},
		{"section", func(s string) (string, error) { return ValidateLongText("section", s, 3, 8000) }},
	}
	for _, tt := range long {
		got, err := tt.fn("Первый " + rlo + "пункт\x00\r\nВторой\u2067 пункт\x1b")
		if want := "Первый пункт\nВторой пункт"; err != nil || got != want {
			t.Errorf("%s: got %q, %v; want %q", tt.name, got, err, want)
		}
	}
}
