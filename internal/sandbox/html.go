package sandbox

import (
	"html"
	"net/url"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/mmobot/mmobot/internal/chat"
)

// The page shows the bot's texts as Telegram shows them. The bot writes
// Telegram's HTML (parse_mode HTML); renderText turns it into HTML that is
// safe to put into the page: only the formatting Telegram renders survives
// as markup, and everything else — other tags, attributes, scripts — is
// shown as the text it is.

// allowedTags maps the tags Telegram renders to the element the page uses;
// Telegram's aliases (strong, em, ins, strike, del) render the same.
var allowedTags = map[string]string{
	"b": "b", "strong": "b",
	"i": "i", "em": "i",
	"u": "u", "ins": "u",
	"s": "s", "strike": "s", "del": "s",
	"code": "code", "pre": "pre",
	"a": "a",
}

// linkRE finds what Telegram turns into links in plain text: URLs, t.me
// links without a scheme, and /commands (which send themselves when
// tapped).
var linkRE = regexp.MustCompile(`(?i)(?:https?://|tg://)[^\s<>"«»]+|t\.me/[a-z0-9_]+(?:\?[^\s<>"«»]*)?|/[a-z][a-z0-9_]{0,31}(?:@[a-z0-9_]+)?`)

// renderer builds the page's HTML of one text.
type renderer struct {
	b     strings.Builder
	bot   string // the bot's username, to recognise its deep links
	stack []openTag
}

type openTag struct {
	name  string // as written, to match the end tag
	elem  string // as rendered
	plain bool   // a link without a usable href: rendered as nothing
}

// renderText returns the page's HTML for a message text sent with
// parseMode ("HTML" or none); bot is the bot's username.
func renderText(text, parseMode, bot string) string {
	r := &renderer{bot: bot}
	if !strings.EqualFold(parseMode, "html") {
		r.text(text)
		return r.b.String()
	}
	for len(text) > 0 {
		i := strings.IndexByte(text, '<')
		if i < 0 {
			r.text(html.UnescapeString(text))
			break
		}
		if i > 0 {
			r.text(html.UnescapeString(text[:i]))
			text = text[i:]
		}
		n, closing, name, attrs := scanTag(text)
		if n == 0 { // a lone "<": text
			r.text("<")
			text = text[1:]
			continue
		}
		raw := text[:n]
		text = text[n:]
		if closing {
			r.closeTag(name, raw)
		} else {
			r.openTag(name, attrs, raw)
		}
	}
	for len(r.stack) > 0 {
		r.pop()
	}
	return r.b.String()
}

// scanTag reads a tag at the start of s ("<b>", "</a>", `<a href="…">`)
// and returns its length (0 if s does not start with a well-formed tag),
// whether it is an end tag, its lower-case name and its attribute text.
func scanTag(s string) (n int, closing bool, name, attrs string) {
	i := 1
	if i < len(s) && s[i] == '/' {
		closing = true
		i++
	}
	start := i
	for i < len(s) && (s[i] >= 'a' && s[i] <= 'z' || s[i] >= 'A' && s[i] <= 'Z' || s[i] >= '0' && s[i] <= '9' || s[i] == '-') {
		i++
	}
	if i == start {
		return 0, false, "", ""
	}
	name = strings.ToLower(s[start:i])
	attrStart := i
	for i < len(s) {
		switch c := s[i]; c {
		case '>':
			return i + 1, closing, name, s[attrStart:i]
		case '"', '\'':
			j := strings.IndexByte(s[i+1:], c)
			if j < 0 {
				return 0, false, "", ""
			}
			i += j + 2
		case '<':
			return 0, false, "", ""
		default:
			i++
		}
	}
	return 0, false, "", ""
}

// hrefRE finds the href attribute of a link.
var hrefRE = regexp.MustCompile(`(?i)(?:^|\s)href\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))`)

func (r *renderer) openTag(name, attrs, raw string) {
	elem, ok := allowedTags[name]
	if !ok {
		r.text(html.UnescapeString(raw))
		return
	}
	if elem != "a" {
		r.stack = append(r.stack, openTag{name: name, elem: elem})
		r.b.WriteString("<" + elem + ">")
		return
	}
	href := ""
	if m := hrefRE.FindStringSubmatch(attrs); m != nil {
		href = html.UnescapeString(m[1] + m[2] + m[3])
	}
	tag := r.link(href)
	if tag == "" {
		r.stack = append(r.stack, openTag{name: name, elem: elem, plain: true})
		return
	}
	r.stack = append(r.stack, openTag{name: name, elem: elem})
	r.b.WriteString(tag)
}

func (r *renderer) closeTag(name, raw string) {
	if len(r.stack) == 0 || r.stack[len(r.stack)-1].name != name {
		r.text(html.UnescapeString(raw))
		return
	}
	r.pop()
}

func (r *renderer) pop() {
	t := r.stack[len(r.stack)-1]
	r.stack = r.stack[:len(r.stack)-1]
	if !t.plain {
		r.b.WriteString("</" + t.elem + ">")
	}
}

// inside reports whether an element is open.
func (r *renderer) inside(elem string) bool {
	for _, t := range r.stack {
		if t.elem == elem {
			return true
		}
	}
	return false
}

// link returns the opening tag of a link to href, or "" if href is not an
// http, https or tg URL. Deep links to the bot are marked so that the page
// can offer to open them as any persona.
func (r *renderer) link(href string) string {
	u, err := url.Parse(href)
	if err != nil {
		return ""
	}
	switch strings.ToLower(u.Scheme) {
	case "http", "https":
		if u.Host == "" {
			return ""
		}
	case "tg":
	default:
		return ""
	}
	attr := ` href="` + html.EscapeString(href) + `"`
	if p, ok := deepLinkPayload(href, r.bot); ok {
		return `<a class="deeplink"` + attr + ` data-start="` + html.EscapeString(p) + `">`
	}
	return `<a` + attr + ` target="_blank" rel="noopener noreferrer">`
}

// text writes plain text, escaped, with its URLs and commands made links
// as Telegram does (not inside links and code).
func (r *renderer) text(s string) {
	if r.inside("a") || r.inside("code") || r.inside("pre") {
		r.b.WriteString(html.EscapeString(s))
		return
	}
	last := 0
	for _, m := range linkRE.FindAllStringIndex(s, -1) {
		start, end := m[0], m[1]
		word := s[start:end]
		prev, _ := utf8.DecodeLastRuneInString(s[:start])
		wordBefore := start > 0 && (unicode.IsLetter(prev) || unicode.IsDigit(prev) || prev == '/' || prev == '_' || prev == '.')
		var tag string
		switch {
		case wordBefore:
		case word[0] == '/':
			// A command stands alone: after a space or an opening
			// bracket or quote, before a space or punctuation (so "</b>"
			// shown as text or a path is not one).
			if start > 0 && !unicode.IsSpace(prev) && !strings.ContainsRune("([«\"'", prev) {
				break
			}
			if next, _ := utf8.DecodeRuneInString(s[end:]); end < len(s) && (unicode.IsLetter(next) || unicode.IsDigit(next) || strings.ContainsRune("/><", next)) {
				break
			}
			tag = `<a class="cmd" href="#" data-cmd="` + html.EscapeString(word) + `">`
		default:
			word = strings.TrimRight(word, ".,;:!?)'")
			end = start + len(word)
			href := word
			if strings.HasPrefix(strings.ToLower(word), "t.me/") {
				href = "https://" + word
			}
			tag = r.link(href)
		}
		if tag == "" {
			continue
		}
		r.b.WriteString(html.EscapeString(s[last:start]))
		r.b.WriteString(tag + html.EscapeString(word) + "</a>")
		last = end
	}
	r.b.WriteString(html.EscapeString(s[last:]))
}

// deepLinkPayload returns the start payload of a link to the bot
// (https://t.me/<bot>?start=PAYLOAD) and whether href is one; a link
// without payload opens the bot with a plain /start.
func deepLinkPayload(href, bot string) (string, bool) {
	u, err := url.Parse(href)
	if err != nil || bot == "" {
		return "", false
	}
	if s := strings.ToLower(u.Scheme); s != "http" && s != "https" {
		return "", false
	}
	switch strings.ToLower(u.Host) {
	case "t.me", "www.t.me", "telegram.me":
	default:
		return "", false
	}
	if !strings.EqualFold(strings.Trim(u.Path, "/"), bot) {
		return "", false
	}
	p := u.Query().Get("start")
	if p != "" && !chat.ValidPayload(p) {
		return "", false
	}
	return p, true
}
