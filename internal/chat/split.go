package chat

import (
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// maxText is the largest text limit of the messengers the bot speaks,
// Telegram's: 4096 characters of the text once its HTML is parsed,
// counted in UTF-16 code units.
const maxText = 4096

// textLen is the length of an HTML text as the messengers' limits count
// it, measured on the HTML itself: tags and entities only shorten the
// parsed text, and UTF-16 code units are never fewer than characters, so
// a text within a limit by this measure is within it once parsed.
func textLen(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

// splitText cuts a text in the bot's HTML (Telegram's subset, which MAX
// renders too) into parts of at most max
// (textLen), each valid HTML on its own:
//
//   - a cut is never inside a tag or an entity ("&amp;" stays whole);
//   - the tags open at a cut are closed at the end of the part and opened
//     again, attributes and all, at the start of the next, so formatting
//     and links carry over;
//   - the cut falls after a blank line if one fits, else after a line end,
//     else after a space, else between two characters;
//   - white space at either side of a cut is dropped, and so is a part
//     with nothing visible left.
//
// A text that fits is returned as it is. One that does not is first made
// well-formed: a closing tag that closes nothing is left out, tags left
// open are closed, and a tag too long to be carried from part to part
// (with its closing tag, over a quarter of max) is left out with its
// closing tag, its text kept; the bot's own texts never need any of this.
// max must leave room for a few tags and an entity: at least 64.
func splitText(text string, max int) []string {
	if textLen(text) <= max {
		return []string{text}
	}
	if max < 64 {
		panic("splitText: max below 64")
	}
	s := newSplitter(htmlTokens(text), max)
	var parts []string
	var open []int // the open tags carried into the next part, outermost first
	for i := 0; i < len(s.toks); {
		end := s.fit(i, open)
		if end == i {
			// Not one token fits after the carried tags: stop carrying
			// the outermost one. (Without carried tags one token always
			// fits: text tokens are short and long tags are gone.)
			if len(open) == 0 {
				panic("splitText: a token longer than max")
			}
			s.drop(open[0])
			open = open[1:]
			continue
		}
		var part string
		part, open = s.write(i, end, open)
		if strings.TrimSpace(visibleText(part)) != "" {
			parts = append(parts, part)
		}
		i = end
	}
	if len(parts) == 0 {
		parts = append(parts, "")
	}
	return parts
}

// htmlTok is a token of Telegram HTML: one character or entity of text,
// or a tag.
type htmlTok struct {
	raw   string
	tag   string // the tag name, lower case; "" for text
	close bool   // a closing tag
	self  bool   // a self-closing tag, which opens nothing
	len   int    // textLen(raw)
}

// opens and closes tell what a tag token does to the open tags.
func (t htmlTok) opens() bool  { return t.tag != "" && !t.close && !t.self }
func (t htmlTok) closes() bool { return t.tag != "" && t.close }

// space reports whether the token is white space, where cuts go.
func (t htmlTok) space() bool { return t.tag == "" && (t.raw == " " || t.raw == "\n") }

// closer is the closing tag of an opening one.
func (t htmlTok) closer() string { return "</" + t.tag + ">" }

// htmlTokens splits s into tokens. Whatever does not read as a tag or an
// entity is text, one character a token (a stray "<" or "&" included).
func htmlTokens(s string) []htmlTok {
	var toks []htmlTok
	for i := 0; i < len(s); {
		n := 0
		t := htmlTok{}
		switch s[i] {
		case '<':
			n, t = tagAt(s[i:])
		case '&':
			n = entityAt(s[i:])
		}
		if n == 0 {
			_, n = utf8.DecodeRuneInString(s[i:])
		}
		t.raw = s[i : i+n]
		t.len = textLen(t.raw)
		toks = append(toks, t)
		i += n
	}
	return toks
}

// tagAt reads a tag at the start of s: "<name ...>", "</name>" or
// "<name .../>", the name made of ASCII letters, digits and "-" and
// starting with a letter. It returns its length (0 when s does not start
// with a tag) and the token but its raw text and length.
func tagAt(s string) (int, htmlTok) {
	end := strings.IndexByte(s, '>')
	if end < 0 {
		return 0, htmlTok{}
	}
	body := s[1:end]
	if strings.ContainsRune(body, '<') {
		return 0, htmlTok{}
	}
	var t htmlTok
	switch {
	case strings.HasPrefix(body, "/"):
		t.close, body = true, body[1:]
	case strings.HasSuffix(body, "/"):
		t.self, body = true, body[:len(body)-1]
	}
	name, attrs, _ := strings.Cut(body, " ")
	if t.close && attrs != "" || name == "" {
		return 0, htmlTok{}
	}
	for k, r := range name {
		letter := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z'
		if !letter && (k == 0 || !(r >= '0' && r <= '9' || r == '-')) {
			return 0, htmlTok{}
		}
	}
	t.tag = strings.ToLower(name)
	return end + 1, t
}

// entityAt returns the length of the entity at the start of s, or 0:
// "&name;", "&#123;" or "&#x1F600;".
func entityAt(s string) int {
	end := strings.IndexByte(s, ';')
	if end < 2 || end > 33 {
		return 0
	}
	const (
		digits = "0123456789"
		hex    = digits + "abcdefABCDEF"
		alnum  = digits + "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	)
	body := s[1:end]
	switch {
	case strings.HasPrefix(body, "#x") || strings.HasPrefix(body, "#X"):
		return onlyOf(body[2:], hex, end+1)
	case strings.HasPrefix(body, "#"):
		return onlyOf(body[1:], digits, end+1)
	case strings.IndexByte(digits, body[0]) >= 0:
		return 0
	}
	return onlyOf(body, alnum, end+1)
}

// onlyOf returns n when s is not empty and made of the bytes of set, else
// 0.
func onlyOf(s, set string, n int) int {
	if s == "" {
		return 0
	}
	for i := 0; i < len(s); i++ {
		if strings.IndexByte(set, s[i]) < 0 {
			return 0
		}
	}
	return n
}

// splitter holds a well-formed token stream: every opening tag has its
// closing tag (match), inner tags closed first.
type splitter struct {
	toks  []htmlTok
	match map[int]int // opening tag index → closing tag index
	max   int
}

// newSplitter makes the tokens well-formed (see splitText) and pairs the
// tags.
func newSplitter(toks []htmlTok, max int) *splitter {
	s := &splitter{match: map[int]int{}, max: max}
	var stack []int // indices into s.toks; -1 for a tag left out
	var names []string
	closeTop := func() {
		top := stack[len(stack)-1]
		stack, names = stack[:len(stack)-1], names[:len(names)-1]
		if top < 0 {
			return
		}
		c := s.toks[top].closer()
		s.match[top] = len(s.toks)
		s.toks = append(s.toks, htmlTok{raw: c, tag: s.toks[top].tag, close: true, len: len(c)})
	}
	for _, t := range toks {
		switch {
		case t.opens():
			names = append(names, t.tag)
			if 4*(t.len+len(t.closer())) > max {
				stack = append(stack, -1)
				continue
			}
			stack = append(stack, len(s.toks))
		case t.closes():
			k := len(names) - 1
			for k >= 0 && names[k] != t.tag {
				k--
			}
			for k >= 0 && len(stack) > k {
				closeTop()
			}
			continue // written by closeTop, or closes nothing
		}
		s.toks = append(s.toks, t)
	}
	for len(stack) > 0 {
		closeTop()
	}
	return s
}

// drop leaves the tag opened at toks[o] out from now on, with its closing
// tag; its text stays.
func (s *splitter) drop(o int) {
	s.toks[o] = htmlTok{}
	s.toks[s.match[o]] = htmlTok{}
}

// fit returns where the part that starts at toks[i], after the carried
// open tags, ends: the best cut (see cutLevel) at which the part, with the
// carried tags reopened and the tags open at the cut closed, is at most
// max. It returns i when not one token fits.
func (s *splitter) fit(i int, open []int) int {
	n, closers := 0, 0
	for _, o := range open {
		n += s.toks[o].len
		closers += len(s.toks[o].closer())
	}
	var best [4]int // the last fitting cut of each level
	for j := i; j < len(s.toks); j++ {
		t := s.toks[j]
		n += t.len
		switch {
		case t.opens():
			closers += len(t.closer())
		case t.closes():
			closers -= t.len
		}
		if n+closers > s.max {
			break
		}
		if j+1 == len(s.toks) {
			return j + 1
		}
		best[s.cutLevel(i, j+1)] = j + 1
	}
	for level := 3; level >= 0; level-- {
		if best[level] > i {
			return best[level]
		}
	}
	return i
}

// cutLevel rates a cut before toks[j] of a part starting at toks[i]: 3
// after a blank line, 2 after a line end, 1 after a space, 0 elsewhere.
func (s *splitter) cutLevel(i, j int) int {
	switch prev := s.toks[j-1].raw; {
	case prev == "\n" && j-2 >= i && s.toks[j-2].raw == "\n":
		return 3
	case prev == "\n":
		return 2
	case prev == " ":
		return 1
	}
	return 0
}

// write writes the part toks[i:end] with the carried tags reopened before
// it and the tags open at the cut closed after it, white space at its two
// ends left out, and returns it with the tags open at the cut.
func (s *splitter) write(i, end int, open []int) (string, []int) {
	var b strings.Builder
	for _, o := range open {
		b.WriteString(s.toks[o].raw)
	}
	from, to := i, end
	for from < to && s.toks[from].space() {
		from++
	}
	for to > from && s.toks[to-1].space() {
		to--
	}
	stack := append([]int(nil), open...)
	for j := i; j < end; j++ {
		t := s.toks[j]
		switch {
		case t.opens():
			stack = append(stack, j)
		case t.closes():
			stack = stack[:len(stack)-1]
		case j < from || j >= to:
			continue
		}
		b.WriteString(t.raw)
	}
	for k := len(stack) - 1; k >= 0; k-- {
		b.WriteString(s.toks[stack[k]].closer())
	}
	return b.String(), stack
}

// visibleText is the text of HTML without its tags, the entities left as
// they are: enough to tell whether anything would show.
func visibleText(s string) string {
	var b strings.Builder
	for _, t := range htmlTokens(s) {
		if t.tag == "" {
			b.WriteString(t.raw)
		}
	}
	return b.String()
}
