package telegramtest

import (
	"encoding/json"
	"net/url"
	"strings"
	"unicode/utf8"
)

// This file parses and validates the reply_markup parameter.
//
// Every message the bot sends or edits goes through parseMarkup, so it has
// a lean path for the keyboards bots send: an object with only
// "inline_keyboard", whose buttons have only "text", "callback_data" and
// "url", all strings. That path reads the JSON in place, where decoding
// into maps and marshalling them back cost many times more. Anything
// else, valid or not, takes the general path, which decodes into maps and
// defines what is accepted. The lean path gives up on whatever it does not
// expect rather than judge it, so that the two answer alike, down to the
// bytes of canon (FuzzParseMarkup checks it).

// markup is a parsed reply_markup parameter.
type markup struct {
	raw      string     // as sent
	keyboard [][]Button // inline keyboard, nil if none
	// canon is the canonical JSON of the inline keyboard markup, nil if
	// none: json.Marshal of the keyboard decoded into maps, so keys are
	// sorted and white space gone. Equal keyboards have equal canon, which
	// is how an edit is found "not modified", and it is the reply_markup
	// of the message answered to the bot.
	canon []byte
}

// inlineActions are the inline keyboard button fields that give a button an
// action; a button needs one of them (more are not refused here).
var inlineActions = []string{
	"url", "callback_data", "login_url", "switch_inline_query",
	"switch_inline_query_current_chat", "callback_game", "pay", "web_app",
	"copy_text", "switch_inline_query_chosen_chat",
}

// parseMarkup parses and validates a reply_markup form value.
func parseMarkup(raw string) (markup, *apiError) {
	if strings.TrimSpace(raw) == "" {
		return markup{}, nil
	}
	m, aerr, ok := parseInlineKeyboard(raw)
	if !ok {
		m, aerr = parseMarkupGeneral(raw)
	}
	if aerr == nil && buttons(m.keyboard) > maxInlineButtons {
		return markup{}, badRequest(descMarkupLong)
	}
	return m, aerr
}

// maxInlineButtons is the most buttons Telegram takes in one inline
// keyboard; it refuses a larger one as "reply markup is too long". A
// list of everything (the associations of a region) must be paged.
const maxInlineButtons = 100

// buttons counts the buttons of a keyboard.
func buttons(kb [][]Button) int {
	n := 0
	for _, row := range kb {
		n += len(row)
	}
	return n
}

// buttonField is a field of an inline keyboard button: whether the button
// has it and, if it is a string, its value.
type buttonField struct {
	s        string
	set, str bool
}

// inlineButton is what validation reads of an inline keyboard button.
type inlineButton struct {
	text, data, url buttonField
	actions         int // how many of inlineActions the button has
}

// check validates the button, in Telegram's order of checks.
func (b *inlineButton) check() (Button, *apiError) {
	if !b.text.str {
		return Button{}, badRequest("can't parse inline keyboard button: Field \"text\" must be of type String")
	}
	if b.actions == 0 {
		return Button{}, badRequest("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard")
	}
	btn := Button{Text: b.text.s}
	if b.data.set {
		if !b.data.str || len(b.data.s) == 0 || len(b.data.s) > 64 {
			return Button{}, badRequest("BUTTON_DATA_INVALID")
		}
		btn.Data = b.data.s
	}
	if b.url.set {
		if !b.url.str || !validButtonURL(b.url.s) {
			return Button{}, badRequest("BUTTON_URL_INVALID")
		}
		btn.URL = b.url.s
	}
	if btn.Text == "" {
		return Button{}, badRequest("BUTTON_TEXT_EMPTY")
	}
	return btn, nil
}

// parseMarkupGeneral is the general path of parseMarkup, for any
// non-blank raw.
func parseMarkupGeneral(raw string) (markup, *apiError) {
	m := markup{raw: raw}
	var top map[string]json.RawMessage
	if err := json.Unmarshal([]byte(raw), &top); err != nil || top == nil {
		return m, badRequest(descMarkupJSON)
	}
	ik, ok := top["inline_keyboard"]
	if !ok {
		if _, ok := top["keyboard"]; ok {
			return m, nil
		}
		if _, ok := top["remove_keyboard"]; ok {
			return m, nil
		}
		if _, ok := top["force_reply"]; ok {
			return m, nil
		}
		return m, badRequest(descMarkupJSON)
	}
	var rows [][]map[string]any
	if err := json.Unmarshal(ik, &rows); err != nil {
		return m, badRequest("can't parse inline keyboard button: InlineKeyboardButton must be an Object")
	}
	var kb [][]Button
	var canonRows [][]map[string]any
	for _, row := range rows {
		if len(row) == 0 {
			continue
		}
		var r []Button
		for _, b := range row {
			field := func(key string) buttonField {
				v, set := b[key]
				s, str := v.(string)
				return buttonField{s: s, set: set, str: str}
			}
			ib := inlineButton{text: field("text"), data: field("callback_data"), url: field("url")}
			for _, a := range inlineActions {
				if _, ok := b[a]; ok {
					ib.actions++
				}
			}
			btn, aerr := ib.check()
			if aerr != nil {
				return m, aerr
			}
			r = append(r, btn)
		}
		kb = append(kb, r)
		canonRows = append(canonRows, row)
	}
	if len(kb) == 0 {
		return m, nil
	}
	canon, err := json.Marshal(map[string]any{"inline_keyboard": canonRows})
	if err != nil {
		return m, badRequest(descMarkupJSON)
	}
	m.keyboard = kb
	m.canon = canon
	return m, nil
}

// parseInlineKeyboard is the lean path of parseMarkup. ok is false when
// raw is not of the shape it takes; parseMarkup then takes the general
// path.
func parseInlineKeyboard(raw string) (m markup, aerr *apiError, ok bool) {
	r := markupReader{s: raw}
	if !r.consume('{') {
		return markup{}, nil, false
	}
	if key, ok := r.str(); !ok || key != "inline_keyboard" || !r.consume(':') || !r.consume('[') {
		return markup{}, nil, false
	}
	var kb [][]Button
	// The first invalid button is the answer, but only once the rest
	// has been read: invalid JSON after it is answered differently.
	var invalid *apiError
	read := r.list(']', func() bool {
		if !r.consume('[') {
			return false
		}
		var row []Button
		ok := r.list(']', func() bool {
			b, ok := r.button()
			if ok && invalid == nil {
				var btn Button
				if btn, invalid = b.check(); invalid == nil {
					row = append(row, btn)
				}
			}
			return ok
		})
		if len(row) > 0 {
			kb = append(kb, row)
		}
		return ok
	})
	if !read || !r.consume('}') || !r.end() {
		return markup{}, nil, false
	}
	m.raw = raw
	if invalid != nil {
		return m, invalid, true
	}
	if len(kb) > 0 {
		m.keyboard = kb
		m.canon = appendCanon(make([]byte, 0, len(raw)+8), kb)
	}
	return m, nil, true
}

// appendCanon appends the canonical JSON of a keyboard read by the lean
// path: the JSON json.Marshal makes of its map, keys in sorted order. The
// lean path takes only buttons with text, callback_data and url, and a
// valid button with either has it non-empty.
func appendCanon(dst []byte, kb [][]Button) []byte {
	dst = append(dst, `{"inline_keyboard":[`...)
	for i, row := range kb {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, '[')
		for j, b := range row {
			if j > 0 {
				dst = append(dst, ',')
			}
			dst = append(dst, '{')
			if b.Data != "" {
				dst = append(dst, `"callback_data":`...)
				dst = appendJSONString(dst, b.Data)
				dst = append(dst, ',')
			}
			dst = append(dst, `"text":`...)
			dst = appendJSONString(dst, b.Text)
			if b.URL != "" {
				dst = append(dst, `,"url":`...)
				dst = appendJSONString(dst, b.URL)
			}
			dst = append(dst, '}')
		}
		dst = append(dst, ']')
	}
	return append(dst, "]}"...)
}

// appendJSONString appends s as json.Marshal encodes it. Most strings
// need no escaping and are copied; the others go through json.Marshal,
// which escapes quotes, backslashes, control characters, <, >, & and
// U+2028 and U+2029, and replaces invalid UTF-8.
func appendJSONString(dst []byte, s string) []byte {
	plain := utf8.ValidString(s)
	for i := 0; plain && i < len(s); i++ {
		switch c := s[i]; {
		case c < 0x20, c == '"', c == '\\', c == '<', c == '>', c == '&':
			plain = false
		case c == 0xe2: // the first byte of U+2028 and U+2029
			plain = !strings.HasPrefix(s[i:], "\u2028") && !strings.HasPrefix(s[i:], "\u2029")
		}
	}
	if !plain {
		b, _ := json.Marshal(s) // a string always marshals
		return append(dst, b...)
	}
	dst = append(dst, '"')
	dst = append(dst, s...)
	return append(dst, '"')
}

// markupReader reads the JSON of a reply_markup in place, for the lean
// path of parseMarkup. Each method reports false when what comes next is
// not what it reads, invalid JSON included.
type markupReader struct {
	s string
	i int // next byte to read
}

func (r *markupReader) skipSpace() {
	for r.i < len(r.s) && isSpace(r.s[r.i]) {
		r.i++
	}
}

// consume skips white space, then c if it is next.
func (r *markupReader) consume(c byte) bool {
	r.skipSpace()
	if r.i < len(r.s) && r.s[r.i] == c {
		r.i++
		return true
	}
	return false
}

// end skips white space and reports whether nothing follows.
func (r *markupReader) end() bool {
	r.skipSpace()
	return r.i == len(r.s)
}

// list reads the elements of an array or object whose opening bracket has
// been read, with elem, up to and including the closing bracket close.
func (r *markupReader) list(close byte, elem func() bool) bool {
	if r.consume(close) {
		return true
	}
	for {
		if !elem() {
			return false
		}
		if r.consume(close) {
			return true
		}
		if !r.consume(',') {
			return false
		}
	}
}

// str reads a string value. A string without escapes and of valid UTF-8
// is a slice of the input; the others are decoded by encoding/json, which
// also rejects invalid escapes.
func (r *markupReader) str() (string, bool) {
	r.skipSpace()
	if r.i >= len(r.s) || r.s[r.i] != '"' {
		return "", false
	}
	start := r.i
	escaped := false
	for r.i++; r.i < len(r.s); {
		switch c := r.s[r.i]; {
		case c == '"':
			r.i++
			q := r.s[start:r.i]
			if !escaped && utf8.ValidString(q) {
				return q[1 : len(q)-1], true
			}
			var v string
			if json.Unmarshal([]byte(q), &v) != nil {
				return "", false
			}
			return v, true
		case c == '\\':
			escaped = true
			r.i += 2
		case c < 0x20:
			return "", false
		default:
			r.i++
		}
	}
	return "", false
}

// button reads a button with only text, callback_data and url, all
// strings. A key given twice counts as its last value, as when decoding
// into a map.
func (r *markupReader) button() (inlineButton, bool) {
	var b inlineButton
	if !r.consume('{') {
		return b, false
	}
	ok := r.list('}', func() bool {
		key, ok := r.str()
		if !ok || !r.consume(':') {
			return false
		}
		v, ok := r.str()
		f := buttonField{s: v, set: true, str: true}
		switch {
		case !ok:
			return false
		case key == "text":
			b.text = f
		case key == "callback_data":
			b.data = f
		case key == "url":
			b.url = f
		default:
			return false
		}
		return true
	})
	if b.data.set {
		b.actions++
	}
	if b.url.set {
		b.actions++
	}
	return b, ok
}

func validButtonURL(s string) bool {
	u, err := url.Parse(s)
	if err != nil {
		return false
	}
	switch strings.ToLower(u.Scheme) {
	case "http", "https":
		return u.Host != ""
	case "tg":
		return true
	}
	return false
}
