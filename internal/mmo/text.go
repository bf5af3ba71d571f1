package mmo

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// CodeControlChars refuses a one-line answer (a name, a school, a topic)
// that holds a character CleanText removes: the person cannot see it, so
// they are told it is there instead of being asked for "letters".
const CodeControlChars Code = "control_chars"

// CleanText is the one rule for the characters a text typed by a person
// may keep on its way into the store, the chat and the documents (DOCX,
// XLSX, CSV, ICS). It returns s with:
//
//   - invalid UTF-8 replaced by U+FFFD;
//   - CRLF and a lone CR turned into "\n";
//   - control characters (Unicode Cc) removed, except tab and "\n": most
//     cannot be written in XML at all, and none can be seen;
//   - bidirectional controls removed (U+061C, U+200E, U+200F,
//     U+202A–U+202E, U+2066–U+2069): invisible, they reverse the order in
//     which the text after them is shown, so a name in a list or a line of
//     a document could read as something else ("Trojan Source");
//   - U+FFFE and U+FFFF removed: they are not characters, and XML cannot
//     hold them.
//
// Everything else is kept, spaces included; the validations trim and
// collapse spaces themselves. Joiners (U+200C, U+200D) stay, for emoji
// and scripts that need them.
//
// One-line fields refuse such characters (CodeControlChars, see
// HasUnsafeText), since the person is typing and can retype; multi-line
// texts (an agenda, the minutes, a report section, a question) have them
// removed, since a page pasted from elsewhere should not be refused for a
// mark no one can see. The renderers apply CleanText again to whatever
// they print, so that older records come out clean too.
func CleanText(s string) string {
	if utf8.ValidString(s) && !strings.ContainsFunc(s, func(r rune) bool { return r == '\r' || UnsafeRune(r) }) {
		return s // the usual case: nothing to copy
	}
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\r':
			return '\n'
		case UnsafeRune(r):
			return -1
		}
		return r
	}, s)
}

// HasUnsafeText reports whether CleanText would remove or change
// anything in s other than line ends: a control character but tab, CR
// and "\n", a bidirectional control, U+FFFE, U+FFFF or invalid UTF-8.
func HasUnsafeText(s string) bool {
	if !utf8.ValidString(s) {
		return true
	}
	for _, r := range s {
		if r != '\r' && UnsafeRune(r) {
			return true
		}
	}
	return false
}

// UnsafeRune reports whether CleanText removes r: a control character
// but tab and "\n" (CR is removed too, where it does not end a line), a
// bidirectional control, U+FFFE or U+FFFF.
func UnsafeRune(r rune) bool {
	switch {
	case r == '\t' || r == '\n':
		return false
	case unicode.IsControl(r), isBidiControl(r), r == 0xFFFE, r == 0xFFFF:
		return true
	}
	return false
}

// isBidiControl reports the characters that change the direction of the
// text around them: Unicode's Bidi_Control property, exactly the twelve
// listed on CleanText.
func isBidiControl(r rune) bool { return unicode.Is(unicode.Bidi_Control, r) }
