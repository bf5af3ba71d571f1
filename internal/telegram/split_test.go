package telegram

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestSplitText(t *testing.T) {
	para := strings.Repeat("слово ", 100) // 600 runes
	long := strings.TrimSpace(strings.Repeat(para+"\n\n", 10))
	tests := []struct {
		name  string
		text  string
		max   int
		parts int
	}{
		{"short", "привет", 4096, 1},
		{"empty", "", 4096, 1},
		{"exactly the limit", strings.Repeat("я", 4096), 4096, 1},
		{"paragraphs", long, 1300, 5},
		{"one huge word", strings.Repeat("я", 5000), 4096, 2},
	}
	for _, tt := range tests {
		parts := splitText(tt.text, tt.max)
		if len(parts) != tt.parts {
			t.Errorf("%s: %d parts, want %d", tt.name, len(parts), tt.parts)
		}
		var joined strings.Builder
		for _, p := range parts {
			n := utf8.RuneCountInString(p)
			if n > tt.max {
				t.Errorf("%s: a part has %d runes", tt.name, n)
			}
			if !utf8.ValidString(p) {
				t.Errorf("%s: a part is not valid UTF-8", tt.name)
			}
			joined.WriteString(strings.Join(strings.Fields(p), ""))
		}
		if want := strings.Join(strings.Fields(tt.text), ""); joined.String() != want {
			t.Errorf("%s: text lost or changed by splitting", tt.name)
		}
	}
	// Paragraph cuts keep tags whole.
	html := strings.Repeat("<b>Заседание</b> "+strings.Repeat("текст ", 50)+"\n\n", 20)
	for _, p := range splitText(html, 1000) {
		if strings.Count(p, "<b>") != strings.Count(p, "</b>") {
			t.Errorf("a part cuts a tag: %q…", p[:40])
		}
	}
}

func TestParseCommand(t *testing.T) {
	tests := []struct{ text, cmd, args string }{
		{"/start", "start", ""},
		{"/start j_abc", "start", "j_abc"},
		{"/Help", "help", ""},
		{"/help@mmo_test_bot", "help", ""},
		{"/help@other_bot", "", ""},
		{"hello", "", ""},
		{"/settings   x  ", "settings", "x"},
	}
	for _, tt := range tests {
		cmd, args := parseCommand(tt.text, "mmo_test_bot")
		if cmd != tt.cmd || args != tt.args {
			t.Errorf("parseCommand(%q) = %q, %q; want %q, %q", tt.text, cmd, args, tt.cmd, tt.args)
		}
	}
}

func TestValidPayload(t *testing.T) {
	for p, want := range map[string]bool{
		"j_abc-DEF_123":         true,
		"":                      false,
		strings.Repeat("a", 64): true,
		strings.Repeat("a", 65): false,
		"with space":            false,
		"кириллица":             false,
		"a/b":                   false,
	} {
		if got := ValidPayload(p); got != want {
			t.Errorf("ValidPayload(%q) = %v", p, got)
		}
	}
}
