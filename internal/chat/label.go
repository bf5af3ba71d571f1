package chat

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// labelMax is how many characters of a button's label a 390-px phone shows on
// one line before the messenger cuts it wherever it falls.
const labelMax = 44

// shortLabel shortens s to at most n characters, ending at a word
// boundary with «…», so that a long name reads as a name and not as a
// word cut in half. A first word longer than n is cut where it must be.
func shortLabel(s string, n int) string {
	s = strings.TrimSpace(s)
	if n < 2 || utf8.RuneCountInString(s) <= n {
		return s
	}
	rs := []rune(s)[:n] // the «…» takes the place of the boundary's space
	cut := -1
	for i := len(rs) - 1; i > 0; i-- {
		if unicode.IsSpace(rs[i]) {
			cut = i
			break
		}
	}
	if cut <= 0 {
		return string(rs[:n-1]) + "…"
	}
	head := strings.TrimRightFunc(string(rs[:cut]), func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsPunct(r) && r != '»' && r != ')'
	})
	return head + "…"
}

// labelName is a name shortened to what is left of a button's label
// after its fixed part (the emoji and the verb), never to less than a
// couple of words.
func labelName(fixed, name string) string {
	return shortLabel(name, max(labelMax-utf8.RuneCountInString(fixed), 16))
}
