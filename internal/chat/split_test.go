package chat

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

// TestSplitTextKeepsHTML checks cuts where the old splitter cut blindly:
// inside an entity, inside formatting and links, and through characters
// that count twice in Telegram's UTF-16 limit.
func TestSplitTextKeepsHTML(t *testing.T) {
	tests := []struct {
		name, text string
		max        int
		first      string // the start of the first part
		second     string // the start of the second part
	}{
		{"entities", strings.Repeat("&amp;", 30), 64, strings.Repeat("&amp;", 12), strings.Repeat("&amp;", 12)},
		{"bold", "<b>" + strings.Repeat("жирно ", 20) + "</b>", 64, "<b>жирно жирно", "<b>жирно"},
		{"link", `<a href="https://t.me/x">` + strings.Repeat("ссылка ", 40) + "</a>", 200, `<a href="https://t.me/x">ссылка`, `<a href="https://t.me/x">ссылка`},
		{"nested", "<b><i>" + strings.Repeat("x", 100) + "</i></b> конец", 64, "<b><i>xxx", "<b><i>xxx"},
		{"emoji", strings.Repeat("😀", 40), 64, "😀😀", "😀😀"},
		{"paragraph first", strings.Repeat("слово ", 5) + "\n\n" + strings.Repeat("другое ", 20), 100, "слово", "другое"},
	}
	for _, tt := range tests {
		parts := splitText(tt.text, tt.max)
		if len(parts) < 2 || !strings.HasPrefix(parts[0], tt.first) || !strings.HasPrefix(parts[1], tt.second) {
			t.Errorf("%s: parts %q", tt.name, parts)
			continue
		}
		checkSplit(t, tt.text, tt.max, parts)
		if tt.name == "paragraph first" && parts[0] != strings.TrimSpace(strings.Repeat("слово ", 5)) {
			t.Errorf("%s: the first part is not the first paragraph: %q", tt.name, parts[0])
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
