package telegram

import (
	"strings"
	"unicode/utf8"
)

// maxText is Telegram's limit for a message text, in characters.
const maxText = 4096

// splitText cuts a long HTML text into pieces of at most max characters,
// at paragraph boundaries ("\n\n"), else at line ends, else at spaces, so
// that formatting tags, which our templates never spread over lines, are
// never cut in half.
func splitText(text string, max int) []string {
	var parts []string
	for utf8.RuneCountInString(text) > max {
		cut := cutPoint(text, max)
		parts = append(parts, strings.TrimRight(text[:cut], "\n "))
		text = strings.TrimLeft(text[cut:], "\n ")
	}
	if text != "" || len(parts) == 0 {
		parts = append(parts, text)
	}
	return parts
}

// cutPoint returns a byte index at most max runes into s where it is best
// to cut.
func cutPoint(s string, max int) int {
	limit := len(s)
	n := 0
	for i := range s {
		if n == max {
			limit = i
			break
		}
		n++
	}
	head := s[:limit]
	for _, sep := range []string{"\n\n", "\n", " "} {
		if i := strings.LastIndex(head, sep); i > 0 {
			return i + len(sep)
		}
	}
	return limit
}
