package chat

import (
	"fmt"
	"html"
	"regexp"
	"strings"
	"testing"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// tgTags are the tags of Telegram's HTML parse mode.
var tgTags = map[string]bool{
	"b": true, "strong": true, "i": true, "em": true, "u": true, "ins": true,
	"s": true, "strike": true, "del": true, "span": true, "tg-spoiler": true,
	"a": true, "code": true, "pre": true, "blockquote": true, "tg-emoji": true,
}

var (
	tgOpenTag  = regexp.MustCompile(`^<([a-z-]+)(?: [^<>]*)?>`)
	tgCloseTag = regexp.MustCompile(`^</([a-z-]+)>`)
	tgEntity   = regexp.MustCompile(`^&(?:lt|gt|amp|quot|#[0-9]{1,7}|#x[0-9a-fA-F]{1,6});`)
)

// styledRune is a visible character with the tags it is inside.
type styledRune struct {
	r     string // the character, an entity decoded
	style string // the opening tags around it, outermost first
}

// parseTelegramHTML checks s as Telegram's HTML parser would, written
// apart from the splitter: known tags only, nested and closed, every "<",
// ">" and "&" part of a tag or an entity, valid UTF-8. It returns the
// visible characters, white space left out, with their tags.
func parseTelegramHTML(s string) ([]styledRune, error) {
	if !utf8.ValidString(s) {
		return nil, fmt.Errorf("invalid UTF-8")
	}
	var out []styledRune
	var stack []string // raw opening tags
	var names []string
	for i := 0; i < len(s); {
		rest := s[i:]
		switch rest[0] {
		case '<':
			if m := tgCloseTag.FindStringSubmatch(rest); m != nil {
				if len(names) == 0 || names[len(names)-1] != m[1] {
					return nil, fmt.Errorf("at %d: %s closes %v", i, m[0], names)
				}
				stack, names = stack[:len(stack)-1], names[:len(names)-1]
				i += len(m[0])
				continue
			}
			m := tgOpenTag.FindStringSubmatch(rest)
			if m == nil || !tgTags[m[1]] {
				return nil, fmt.Errorf("at %d: a stray < or an unknown tag: %.20q", i, rest)
			}
			stack, names = append(stack, m[0]), append(names, m[1])
			i += len(m[0])
		case '>':
			return nil, fmt.Errorf("at %d: a stray >", i)
		case '&':
			m := tgEntity.FindString(rest)
			if m == "" {
				return nil, fmt.Errorf("at %d: a stray &: %.12q", i, rest)
			}
			out = append(out, styledRune{html.UnescapeString(m), strings.Join(stack, "")})
			i += len(m)
		default:
			r, n := utf8.DecodeRuneInString(rest)
			// White space is what the splitter trims (strings.TrimSpace):
			// a part of nothing else is not sent, as Telegram refuses a
			// text that is empty once trimmed.
			if !unicode.IsSpace(r) {
				out = append(out, styledRune{string(r), strings.Join(stack, "")})
			}
			i += n
		}
	}
	if len(names) > 0 {
		return nil, fmt.Errorf("unclosed %v", names)
	}
	return out, nil
}

// utf16Len is Telegram's measure of a text.
func utf16Len(s string) int { return len(utf16.Encode([]rune(s))) }

// fuzzHTML builds valid Telegram HTML out of arbitrary bytes: control
// bytes open and close tags, everything else is text, escaped as the bot
// escapes it. Unless deep is set, it keeps to what splitText carries from
// part to part whole: no tag over a quarter of max, and no deeper nesting
// than half of max holds (the bot's texts nest two tags at most).
func fuzzHTML(s string, max int, deep bool) string {
	var b strings.Builder
	var open []string // closers
	var sizes []int   // the length of each open tag and its closer
	carried := 0      // their sum
	for _, r := range strings.ToValidUTF8(s, "") {
		tag := ""
		switch r {
		case 1:
			tag = "<b>"
		case 2:
			tag = "<i>"
		case 3:
			tag = `<a href="https://example.org/?a=1&amp;b=2">`
		case 4:
			tag = "<code>"
		case 5:
			tag = `<blockquote expandable>`
		case 6:
			if len(open) > 0 {
				b.WriteString(open[len(open)-1])
				carried -= sizes[len(sizes)-1]
				open, sizes = open[:len(open)-1], sizes[:len(sizes)-1]
			}
			continue
		default:
			b.WriteString(html.EscapeString(string(r)))
			continue
		}
		name := strings.Fields(strings.Trim(tag, "<>"))[0]
		closer := "</" + name + ">"
		if 4*(len(tag)+len(closer)) > max || !deep && 2*(carried+len(tag)+len(closer)) > max {
			continue
		}
		b.WriteString(tag)
		open, sizes = append(open, closer), append(sizes, len(tag)+len(closer))
		carried += len(tag) + len(closer)
	}
	for k := len(open) - 1; k >= 0; k-- {
		b.WriteString(open[k])
	}
	return b.String()
}

// checkSplit checks the parts of valid HTML text: each within max and
// valid, none blank, and together the same visible characters in the same
// formatting (unless anyStyle: tags nested too deep to carry may be left
// out), white space aside.
func checkSplit(t *testing.T, text string, max int, parts []string, anyStyle ...bool) {
	t.Helper()
	want, err := parseTelegramHTML(text)
	if err != nil {
		t.Fatalf("the input is not valid: %v\n%.200q", err, text)
	}
	var got []styledRune
	for k, p := range parts {
		if n := utf16Len(p); n > max {
			t.Errorf("part %d of %d is %d long, over %d: %.200q", k+1, len(parts), n, max, p)
		}
		runes, err := parseTelegramHTML(p)
		if err != nil {
			t.Errorf("part %d of %d is not valid Telegram HTML: %v\n%.200q", k+1, len(parts), err, p)
			continue
		}
		if len(parts) > 1 && len(runes) == 0 {
			t.Errorf("part %d of %d shows nothing: %.200q", k+1, len(parts), p)
		}
		got = append(got, runes...)
	}
	if len(got) != len(want) {
		t.Fatalf("%d visible characters came out of %d", len(got), len(want))
	}
	for k := range want {
		if len(anyStyle) > 0 && anyStyle[0] {
			got[k].style, want[k].style = "", ""
		}
		if got[k] != want[k] {
			t.Fatalf("character %d: got %q in %q, want %q in %q", k, got[k].r, got[k].style, want[k].r, want[k].style)
		}
	}
}

func FuzzSplitText(f *testing.F) {
	para := "<b>Заседание № 1</b>: «Итоги» &amp; планы — " + strings.Repeat("текст ", 40) + "\n\n"
	for _, s := range []string{
		strings.Repeat(para, 30),
		strings.Repeat("&amp;&lt;&gt;&quot;&#39;", 900),
		"<b>" + strings.Repeat("жирный текст ", 500) + "</b>",
		`<a href="https://example.org/x">` + strings.Repeat("ссылка", 900) + "</a>",
		strings.Repeat("😀", 3000),
		"<b><i>" + strings.Repeat("x", 5000) + "</i></b>",
		strings.Repeat("a & b < c > d ", 400),
		"</b>" + strings.Repeat("<b>", 300) + strings.Repeat("я", 5000),
	} {
		f.Add(s, uint16(0))
		f.Add(s, uint16(200))
	}
	f.Add("\x01ab\x03cd\x02ef\x06gh\x06ij\x05"+strings.Repeat("k &<>\n", 30), uint16(10))
	f.Fuzz(func(t *testing.T, s string, m uint16) {
		max := 64 + int(m)%2000
		if m == 0 {
			max = maxText
		}
		// Any text: no panic, no part over the limit.
		for k, p := range splitText(s, max) {
			if n := textLen(p); n > max {
				t.Fatalf("raw text: part %d is %d long, over %d", k+1, n, max)
			}
		}
		// Valid HTML: every property.
		h := fuzzHTML(s, max, false)
		checkSplit(t, h, max, splitText(h, max))
		// Nesting too deep to carry: valid parts, every character, some
		// formatting lost.
		h = fuzzHTML(s, max, true)
		checkSplit(t, h, max, splitText(h, max), true)
	})
}
