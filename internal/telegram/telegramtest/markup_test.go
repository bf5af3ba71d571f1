package telegramtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// Error descriptions of parseMarkup, as answered by Telegram.
const (
	wantMarkupJSON  = "Bad Request: " + descMarkupJSON
	wantNotObject   = "Bad Request: can't parse inline keyboard button: InlineKeyboardButton must be an Object"
	wantTextString  = "Bad Request: can't parse inline keyboard button: Field \"text\" must be of type String"
	wantTextButton  = "Bad Request: can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
	wantDataInvalid = "Bad Request: BUTTON_DATA_INVALID"
	wantMarkupLong  = "Bad Request: reply markup is too long"
	wantURLInvalid  = "Bad Request: BUTTON_URL_INVALID"
	wantTextEmpty   = "Bad Request: BUTTON_TEXT_EMPTY"
)

// ik wraps rows of buttons in an inline keyboard markup.
func ik(rows string) string { return `{"inline_keyboard":` + rows + `}` }

// markupCase is an input of parseMarkup and what it answers.
type markupCase struct {
	name  string
	raw   string
	err   string     // "" when valid
	kb    [][]Button // for a valid markup
	canon string     // for a valid markup; "" for none
	keep  bool       // raw is kept as sent (false: emptied)
}

// markupCases are the valid and invalid markups of TestParseMarkup, and
// seeds of FuzzParseMarkup.
func markupCases() []markupCase {
	data64 := strings.Repeat("d", 64)
	cyr32 := strings.Repeat("д", 32) // 64 bytes
	return []markupCase{
		{name: "empty", raw: ""},
		{name: "blank", raw: " \n\t"},
		{name: "callback", raw: ik(`[[{"text":"a","callback_data":"x"}]]`), keep: true,
			kb:    [][]Button{{{Text: "a", Data: "x"}}},
			canon: `{"inline_keyboard":[[{"callback_data":"x","text":"a"}]]}`},
		{name: "rows and url", raw: ik(`[[{"text":"✅ Да","callback_data":"yes"},{"url":"https://example.org","text":"Site"}],[{"text":"Нет","callback_data":"no"}]]`), keep: true,
			kb:    [][]Button{{{Text: "✅ Да", Data: "yes"}, {Text: "Site", URL: "https://example.org"}}, {{Text: "Нет", Data: "no"}}},
			canon: `{"inline_keyboard":[[{"callback_data":"yes","text":"✅ Да"},{"text":"Site","url":"https://example.org"}],[{"callback_data":"no","text":"Нет"}]]}`},
		{name: "whitespace", raw: " { \"inline_keyboard\" :\n[ [ {\t\"text\" : \"a\" , \"callback_data\" : \"x\" } ] ] } ", keep: true,
			kb:    [][]Button{{{Text: "a", Data: "x"}}},
			canon: `{"inline_keyboard":[[{"callback_data":"x","text":"a"}]]}`},
		{name: "escapes", raw: ik(`[[{"text":"a\u0062 \"q\" <&> \/ \u2028","callback_data":"x\ty"}]]`), keep: true,
			kb:    [][]Button{{{Text: "ab \"q\" <&> / \u2028", Data: "x\ty"}}},
			canon: `{"inline_keyboard":[[{"callback_data":"x\ty","text":"ab \"q\" \u003c\u0026\u003e / \u2028"}]]}`},
		{name: "raw html characters", raw: ik(`[[{"text":"Q&A <1>","callback_data":"a&b"}]]`), keep: true,
			kb:    [][]Button{{{Text: "Q&A <1>", Data: "a&b"}}},
			canon: `{"inline_keyboard":[[{"callback_data":"a\u0026b","text":"Q\u0026A \u003c1\u003e"}]]}`},
		{name: "invalid utf-8 in text", raw: ik("[[{\"text\":\"a\xffb\",\"callback_data\":\"x\"}]]"), keep: true,
			kb:    [][]Button{{{Text: "a\ufffdb", Data: "x"}}},
			canon: `{"inline_keyboard":[[{"callback_data":"x","text":"a` + "\ufffd" + `b"}]]}`},
		{name: "escaped key", raw: ik(`[[{"te\u0078t":"a","callback_data":"x"}]]`), keep: true,
			kb:    [][]Button{{{Text: "a", Data: "x"}}},
			canon: `{"inline_keyboard":[[{"callback_data":"x","text":"a"}]]}`},
		{name: "duplicate key last wins", raw: ik(`[[{"text":1,"text":"a","callback_data":"x","callback_data":"y"}]]`), keep: true,
			kb:    [][]Button{{{Text: "a", Data: "y"}}},
			canon: `{"inline_keyboard":[[{"callback_data":"y","text":"a"}]]}`},
		{name: "duplicate key bad last", raw: ik(`[[{"text":"a","text":2,"callback_data":"x"}]]`), err: wantTextString},
		{name: "duplicate inline_keyboard", raw: `{"inline_keyboard":[[{"text":"a","callback_data":"x"}]],"inline_keyboard":null}`, keep: true},
		{name: "extra top key", raw: `{"inline_keyboard":[[{"text":"a","callback_data":"x"}]],"resize_keyboard":true}`, keep: true,
			kb:    [][]Button{{{Text: "a", Data: "x"}}},
			canon: `{"inline_keyboard":[[{"callback_data":"x","text":"a"}]]}`},
		{name: "empty rows skipped", raw: ik(`[[],[{"text":"a","callback_data":"x"}],null,[]]`), keep: true,
			kb:    [][]Button{{{Text: "a", Data: "x"}}},
			canon: `{"inline_keyboard":[[{"callback_data":"x","text":"a"}]]}`},
		{name: "no rows", raw: ik(`[]`), keep: true},
		{name: "only empty rows", raw: ik(`[[],null]`), keep: true},
		{name: "null keyboard", raw: ik(`null`), keep: true},
		{name: "data 64 bytes", raw: ik(`[[{"text":"a","callback_data":"` + data64 + `"}]]`), keep: true,
			kb:    [][]Button{{{Text: "a", Data: data64}}},
			canon: `{"inline_keyboard":[[{"callback_data":"` + data64 + `","text":"a"}]]}`},
		{name: "data 64 bytes cyrillic", raw: ik(`[[{"text":"a","callback_data":"` + cyr32 + `"}]]`), keep: true,
			kb:    [][]Button{{{Text: "a", Data: cyr32}}},
			canon: `{"inline_keyboard":[[{"callback_data":"` + cyr32 + `","text":"a"}]]}`},
		{name: "tg url", raw: ik(`[[{"text":"a","url":"tg://resolve?domain=x"}]]`), keep: true,
			kb:    [][]Button{{{Text: "a", URL: "tg://resolve?domain=x"}}},
			canon: `{"inline_keyboard":[[{"text":"a","url":"tg://resolve?domain=x"}]]}`},
		{name: "upper-case url", raw: ik(`[[{"text":"a","url":"HTTP://EXAMPLE.ORG/a?b=1&c=2"}]]`), keep: true,
			kb:    [][]Button{{{Text: "a", URL: "HTTP://EXAMPLE.ORG/a?b=1&c=2"}}},
			canon: `{"inline_keyboard":[[{"text":"a","url":"HTTP://EXAMPLE.ORG/a?b=1\u0026c=2"}]]}`},
		{name: "url and data", raw: ik(`[[{"text":"a","url":"https://x.org","callback_data":"x"}]]`), keep: true,
			kb:    [][]Button{{{Text: "a", Data: "x", URL: "https://x.org"}}},
			canon: `{"inline_keyboard":[[{"callback_data":"x","text":"a","url":"https://x.org"}]]}`},
		{name: "pay", raw: ik(`[[{"text":"a","pay":true}]]`), keep: true,
			kb:    [][]Button{{{Text: "a"}}},
			canon: `{"inline_keyboard":[[{"pay":true,"text":"a"}]]}`},
		{name: "login url nested keys sorted", raw: ik(`[[{"text":"a","login_url":{"url":"https://x.org","b":1.50,"a":[1e3,null]}}]]`), keep: true,
			kb:    [][]Button{{{Text: "a"}}},
			canon: `{"inline_keyboard":[[{"login_url":{"a":[1000,null],"b":1.5,"url":"https://x.org"},"text":"a"}]]}`},
		{name: "null action", raw: ik(`[[{"text":"a","web_app":null}]]`), keep: true,
			kb:    [][]Button{{{Text: "a"}}},
			canon: `{"inline_keyboard":[[{"text":"a","web_app":null}]]}`},
		{name: "extra button field", raw: ik(`[[{"text":"a","callback_data":"x","style":"primary"}]]`), keep: true,
			kb:    [][]Button{{{Text: "a", Data: "x"}}},
			canon: `{"inline_keyboard":[[{"callback_data":"x","style":"primary","text":"a"}]]}`},
		{name: "reply keyboard", raw: `{"keyboard":[[{"text":"Share","request_contact":true}]],"resize_keyboard":true}`, keep: true},
		{name: "reply keyboard null", raw: `{"keyboard":null}`, keep: true},
		{name: "remove keyboard", raw: `{"remove_keyboard":true}`, keep: true},
		{name: "force reply", raw: `{"force_reply":true}`, keep: true},
		{name: "reply keyboard not validated", raw: `{"keyboard":[[1]]}`, keep: true},

		{name: "truncated", raw: `{`, err: wantMarkupJSON},
		{name: "null", raw: `null`, err: wantMarkupJSON},
		{name: "array", raw: `[]`, err: wantMarkupJSON},
		{name: "string", raw: `"x"`, err: wantMarkupJSON},
		{name: "number", raw: `1`, err: wantMarkupJSON},
		{name: "empty object", raw: `{}`, err: wantMarkupJSON},
		{name: "unknown kind", raw: `{"foo":1}`, err: wantMarkupJSON},
		{name: "case of kind", raw: `{"Inline_keyboard":[]}`, err: wantMarkupJSON},
		{name: "trailing garbage", raw: ik(`[]`) + " x", err: wantMarkupJSON},
		{name: "two values", raw: ik(`[]`) + ik(`[]`), err: wantMarkupJSON},
		{name: "trailing comma", raw: ik(`[[{"text":"a","callback_data":"x",}]]`), err: wantMarkupJSON},
		{name: "trailing comma in row", raw: ik(`[[{"text":"a","callback_data":"x"},]]`), err: wantMarkupJSON},
		{name: "missing comma", raw: ik(`[[{"text":"a" "callback_data":"x"}]]`), err: wantMarkupJSON},
		{name: "bad escape", raw: ik(`[[{"text":"a\q","callback_data":"x"}]]`), err: wantMarkupJSON},
		{name: "control character", raw: ik("[[{\"text\":\"a\nb\",\"callback_data\":\"x\"}]]"), err: wantMarkupJSON},
		{name: "invalid after an error", raw: ik(`[[{"text":1,"callback_data":"x"}]]`) + "]", err: wantMarkupJSON},
		{name: "single quotes", raw: `{'inline_keyboard':[]}`, err: wantMarkupJSON},

		{name: "keyboard object", raw: ik(`{}`), err: wantNotObject},
		{name: "keyboard string", raw: ik(`"x"`), err: wantNotObject},
		{name: "row number", raw: ik(`[1]`), err: wantNotObject},
		{name: "row object", raw: ik(`[{"text":"a","callback_data":"x"}]`), err: wantNotObject},
		{name: "button number", raw: ik(`[[1]]`), err: wantNotObject},
		{name: "button string", raw: ik(`[["a"]]`), err: wantNotObject},
		{name: "button array", raw: ik(`[[[]]]`), err: wantNotObject},
		{name: "button true", raw: ik(`[[true]]`), err: wantNotObject},
		{name: "shape checked before buttons", raw: ik(`[[{"text":1}],[2]]`), err: wantNotObject},
		{name: "number overflow", raw: ik(`[[{"text":"a","callback_data":"x","pay":1e400}]]`), err: wantNotObject},
		{name: "number overflow after bad button", raw: ik(`[[{"text":1}],[{"text":"a","pay":1e400}]]`), err: wantNotObject},
		{name: "number overflow in text", raw: ik(`[[{"text":1e400,"callback_data":"x"}]]`), err: wantNotObject},

		{name: "null button", raw: ik(`[[null]]`), err: wantTextString},
		{name: "no fields", raw: ik(`[[{}]]`), err: wantTextString},
		{name: "no text", raw: ik(`[[{"callback_data":"x"}]]`), err: wantTextString},
		{name: "text number", raw: ik(`[[{"text":1,"callback_data":"x"}]]`), err: wantTextString},
		{name: "text null", raw: ik(`[[{"text":null,"callback_data":"x"}]]`), err: wantTextString},
		{name: "text object", raw: ik(`[[{"text":{},"callback_data":"x"}]]`), err: wantTextString},
		{name: "text key case", raw: ik(`[[{"Text":"a","callback_data":"x"}]]`), err: wantTextString},
		{name: "first bad button wins", raw: ik(`[[{"text":"a","callback_data":"x"},{"text":"b"}],[{"text":2}]]`), err: wantTextButton},
		{name: "no action", raw: ik(`[[{"text":"a"}]]`), err: wantTextButton},
		{name: "action key case", raw: ik(`[[{"text":"a","Callback_data":"x"}]]`), err: wantTextButton},
		{name: "no action before empty text", raw: ik(`[[{"text":""}]]`), err: wantTextButton},
		{name: "data empty", raw: ik(`[[{"text":"a","callback_data":""}]]`), err: wantDataInvalid},
		{name: "data too long", raw: ik(`[[{"text":"a","callback_data":"` + data64 + `e"}]]`), err: wantDataInvalid},
		{name: "data too long cyrillic", raw: ik(`[[{"text":"a","callback_data":"` + cyr32 + `e"}]]`), err: wantDataInvalid},
		{name: "data grows with replacement characters", raw: ik("[[{\"text\":\"a\",\"callback_data\":\"" + strings.Repeat("\xff", 30) + "\"}]]"), err: wantDataInvalid},
		{name: "data number", raw: ik(`[[{"text":"a","callback_data":1}]]`), err: wantDataInvalid},
		{name: "data null", raw: ik(`[[{"text":"a","callback_data":null}]]`), err: wantDataInvalid},
		{name: "data before empty text", raw: ik(`[[{"text":"","callback_data":""}]]`), err: wantDataInvalid},
		{name: "data before url", raw: ik(`[[{"text":"a","callback_data":"","url":"ftp://x"}]]`), err: wantDataInvalid},
		{name: "url scheme", raw: ik(`[[{"text":"a","url":"ftp://x.org"}]]`), err: wantURLInvalid},
		{name: "url no host", raw: ik(`[[{"text":"a","url":"https://"}]]`), err: wantURLInvalid},
		{name: "url relative", raw: ik(`[[{"text":"a","url":"/x"}]]`), err: wantURLInvalid},
		{name: "url unparsable", raw: ik(`[[{"text":"a","url":"https://x.org/%zz"}]]`), err: wantURLInvalid},
		{name: "url empty", raw: ik(`[[{"text":"a","url":""}]]`), err: wantURLInvalid},
		{name: "url number", raw: ik(`[[{"text":"a","url":1}]]`), err: wantURLInvalid},
		{name: "url null", raw: ik(`[[{"text":"a","url":null}]]`), err: wantURLInvalid},
		{name: "url before empty text", raw: ik(`[[{"text":"","url":"x"}]]`), err: wantURLInvalid},
		{name: "text empty", raw: ik(`[[{"text":"","callback_data":"x"}]]`), err: wantTextEmpty},
		{name: "text empty with pay", raw: ik(`[[{"text":"","pay":true}]]`), err: wantTextEmpty},
		{name: "text blank is not empty", raw: ik(`[[{"text":" ","callback_data":"x"}]]`), keep: true,
			kb:    [][]Button{{{Text: " ", Data: "x"}}},
			canon: `{"inline_keyboard":[[{"callback_data":"x","text":" "}]]}`},
		{name: "101 buttons", raw: ik(manyButtons(101, `{"text":"a","callback_data":"x"}`)), err: wantMarkupLong},
		{name: "101 buttons, general path", raw: ik(manyButtons(101, `{"text":"a","callback_data":"x","pay":true}`)), err: wantMarkupLong},
		{name: "100 buttons", raw: ik(manyButtons(100, `{"text":"a","callback_data":"x"}`)), keep: true,
			kb:    slices.Repeat([][]Button{{{Text: "a", Data: "x"}}}, 100),
			canon: `{"inline_keyboard":` + strings.ReplaceAll(manyButtons(100, `{"callback_data":"x","text":"a"}`), " ", "") + `}`},
	}
}

// manyButtons is the rows of an inline keyboard of n buttons, one a row.
func manyButtons(n int, button string) string {
	return "[" + strings.Repeat("["+button+"],", n-1) + "[" + button + "]]"
}

func TestParseMarkup(t *testing.T) {
	for _, tt := range markupCases() {
		t.Run(tt.name, func(t *testing.T) {
			m, aerr := parseMarkup(tt.raw)
			if tt.err != "" {
				if aerr == nil {
					t.Fatalf("parseMarkup(%q) = %+v, want error %q", tt.raw, m, tt.err)
				}
				if aerr.code != 400 || aerr.desc != tt.err {
					t.Fatalf("parseMarkup(%q) error = %d %q, want 400 %q", tt.raw, aerr.code, aerr.desc, tt.err)
				}
				return
			}
			if aerr != nil {
				t.Fatalf("parseMarkup(%q) error = %q", tt.raw, aerr.desc)
			}
			wantRaw := ""
			if tt.keep {
				wantRaw = tt.raw
			}
			if m.raw != wantRaw {
				t.Errorf("raw = %q, want %q", m.raw, wantRaw)
			}
			if !reflect.DeepEqual(m.keyboard, tt.kb) {
				t.Errorf("keyboard = %#v, want %#v", m.keyboard, tt.kb)
			}
			if tt.canon == "" {
				if m.canon != nil {
					t.Errorf("canon = %s, want nil", m.canon)
				}
			} else if string(m.canon) != tt.canon {
				t.Errorf("canon = %s\nwant    %s", m.canon, tt.canon)
			}
			if m.canon != nil && !json.Valid(m.canon) {
				t.Errorf("canon %s is not JSON", m.canon)
			}
		})
	}
}

// TestParseMarkupCanon checks what "message is not modified" relies on:
// the canonical form is the same for the same keyboard however it is
// written, and differs when anything about a button differs.
func TestParseMarkupCanon(t *testing.T) {
	canon := func(raw string) []byte {
		t.Helper()
		m, aerr := parseMarkup(raw)
		if aerr != nil {
			t.Fatalf("parseMarkup(%q): %s", raw, aerr.desc)
		}
		return m.canon
	}
	base := ik(`[[{"text":"a","callback_data":"x"},{"text":"b","url":"https://x.org"}]]`)
	same := []string{
		` {"inline_keyboard": [ [ {"callback_data":"x", "text":"a"}, {"url":"https://x.org","text":"b"} ] ] } `,
		ik(`[[{"text":"a","callback_data":"x"},{"text":"b","url":"https:\/\/x.org"}]]`),
		ik(`[[{"text":"\u0061","callback_data":"x"},{"text":"b","url":"https://x.org"}]]`),
		ik(`[[],[{"text":"a","callback_data":"x"},{"text":"b","url":"https://x.org"}],null]`),
		`{"resize_keyboard":true,"inline_keyboard":[[{"text":"a","callback_data":"x"},{"text":"b","url":"https://x.org"}]]}`,
		ik(`[[{"text":"z","text":"a","callback_data":"x"},{"text":"b","url":"https://x.org"}]]`),
	}
	differ := []string{
		ik(`[[{"text":"A","callback_data":"x"},{"text":"b","url":"https://x.org"}]]`),
		ik(`[[{"text":"a","callback_data":"y"},{"text":"b","url":"https://x.org"}]]`),
		ik(`[[{"text":"a","callback_data":"x"},{"text":"b","url":"https://x.org/"}]]`),
		ik(`[[{"text":"a","callback_data":"x"}],[{"text":"b","url":"https://x.org"}]]`),
		ik(`[[{"text":"b","url":"https://x.org"},{"text":"a","callback_data":"x"}]]`),
		ik(`[[{"text":"a","callback_data":"x"}]]`),
		ik(`[[{"text":"a","callback_data":"x","url":"https://x.org"},{"text":"b","url":"https://x.org"}]]`),
		ik(`[[{"text":"a","callback_data":"x","pay":true},{"text":"b","url":"https://x.org"}]]`),
		ik(`[[{"text":"a","callback_data":"x","style":"danger"},{"text":"b","url":"https://x.org"}]]`),
		ik(`[[{"text":"a","callback_data":"x"},{"text":"b","web_app":{"url":"https://x.org"}}]]`),
	}
	want := canon(base)
	for _, raw := range same {
		if got := canon(raw); !bytes.Equal(got, want) {
			t.Errorf("canon(%s) = %s, want %s", raw, got, want)
		}
	}
	seen := map[string]string{string(want): base}
	for _, raw := range differ {
		got := canon(raw)
		if prev, ok := seen[string(got)]; ok {
			t.Errorf("canon(%s) = canon(%s) = %s", raw, prev, got)
		}
		seen[string(got)] = raw
	}
	// Non-inline keyboards and no keyboard compare equal: no inline buttons.
	for _, raw := range []string{"", `{"remove_keyboard":true}`, `{"keyboard":[[{"text":"a"}]]}`, ik(`[]`), ik(`[[]]`)} {
		if got := canon(raw); got != nil {
			t.Errorf("canon(%s) = %s, want nil", raw, got)
		}
	}
}

// referenceParseMarkup is parseMarkup as it was before its lean path: it
// decodes into maps throughout. FuzzParseMarkup holds parseMarkup to it.
// It is a frozen copy on purpose, not to be changed with parseMarkup: an
// oracle that followed the code would check nothing.
func referenceParseMarkup(raw string) (markup, *apiError) {
	m := markup{raw: raw}
	if strings.TrimSpace(raw) == "" {
		m.raw = ""
		return m, nil
	}
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
			text, ok := b["text"].(string)
			if !ok {
				return m, badRequest("can't parse inline keyboard button: Field \"text\" must be of type String")
			}
			actions := 0
			for _, a := range inlineActions {
				if _, ok := b[a]; ok {
					actions++
				}
			}
			if actions == 0 {
				return m, badRequest("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard")
			}
			btn := Button{Text: text}
			if v, ok := b["callback_data"]; ok {
				d, ok := v.(string)
				if !ok || len(d) == 0 || len(d) > 64 {
					return m, badRequest("BUTTON_DATA_INVALID")
				}
				btn.Data = d
			}
			if v, ok := b["url"]; ok {
				u, ok := v.(string)
				if !ok || !validButtonURL(u) {
					return m, badRequest("BUTTON_URL_INVALID")
				}
				btn.URL = u
			}
			if text == "" {
				return m, badRequest("BUTTON_TEXT_EMPTY")
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
	n := 0
	for _, row := range kb {
		n += len(row)
	}
	if n > 100 {
		return markup{}, badRequest("reply markup is too long")
	}
	m.keyboard = kb
	m.canon = canon
	return m, nil
}

// FuzzParseMarkup checks that parseMarkup answers every input as
// referenceParseMarkup does: the same error, keyboard and canonical JSON.
func FuzzParseMarkup(f *testing.F) {
	for _, seed := range []string{
		"", " ", "{", "null", "{}", benchKeyboard(),
		ik(`[[{"text":"a","callback_data":"x"},{"url":"https://example.org","text":"Site"}],[],null]`),
		ik(`[[{"text":"a\u0062 \"q\" <&> \/ \u2028","callback_data":"x\ty"}]]`),
		ik(`[[{"te\u0078t":"a","text":1,"callback_data":"x","callback_data":"y"}]]`),
		ik("[[{\"text\":\"a\xffb\",\"callback_data\":\"" + strings.Repeat("\xff", 22) + "\"}]]"),
		ik(`[[{"text":"a","pay":true,"login_url":{"url":"https://x.org","b":1.50}}]]`),
		ik(`[[{"text":"","url":"tg://x"},{"text":"a","callback_data":null}]]`),
		ik(`[[{"text":"a","callback_data":"x"}],[2]]`),
		`{"keyboard":[[{"text":"Share","request_contact":true}]],"resize_keyboard":true}`,
		`{"inline_keyboard":[],"inline_keyboard":null,"remove_keyboard":true}`,
	} {
		f.Add(seed)
	}
	for _, c := range markupCases() {
		f.Add(c.raw)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		got, gotErr := parseMarkup(raw)
		want, wantErr := referenceParseMarkup(raw)
		if (gotErr == nil) != (wantErr == nil) || gotErr != nil && *gotErr != *wantErr {
			t.Fatalf("parseMarkup(%q) error = %v, want %v", raw, gotErr, wantErr)
		}
		if gotErr != nil {
			return
		}
		if got.raw != want.raw || !reflect.DeepEqual(got.keyboard, want.keyboard) || !bytes.Equal(got.canon, want.canon) {
			t.Fatalf("parseMarkup(%q) =\n%q %#v %s\nwant\n%q %#v %s", raw, got.raw, got.keyboard, got.canon, want.raw, want.keyboard, want.canon)
		}
	})
}

// benchKeyboard is a realistic keyboard of the bot: 6 rows of 1 to 3
// buttons with Russian labels and callback data of about 40 bytes, as
// tgbotapi encodes it.
func benchKeyboard() string {
	labels := []string{"✅ Принять", "❌ Отклонить", "📜 История", "⚔️ В бой", "🛡 Защита", "🎒 Инвентарь",
		"💰 Торговля", "🏰 Гильдия", "🔙 Назад", "⚙️ Настройки", "📊 Рейтинг", "❓ Помощь"}
	type button struct {
		Text         string `json:"text"`
		CallbackData string `json:"callback_data"`
	}
	var rows [][]button
	n := 0
	for r, width := range []int{3, 2, 3, 1, 2, 1} {
		var row []button
		for range width {
			row = append(row, button{Text: labels[n%len(labels)], CallbackData: fmt.Sprintf("v1:menu:%d:act:%02d:session-7f3a9c1e2b4d6f80", r, n)})
			n++
		}
		rows = append(rows, row)
	}
	b, err := json.Marshal(map[string]any{"inline_keyboard": rows})
	if err != nil {
		panic(err)
	}
	return string(b)
}

func BenchmarkParseMarkup(b *testing.B) {
	raw := benchKeyboard()
	if m, aerr := parseMarkup(raw); aerr != nil || len(m.keyboard) != 6 {
		b.Fatalf("parseMarkup: %v %+v", aerr, m.keyboard)
	}
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		if _, aerr := parseMarkup(raw); aerr != nil {
			b.Fatal(aerr.desc)
		}
	}
}

// BenchmarkSendMessage is one sendMessage with an HTML text and the
// keyboard of BenchmarkParseMarkup through the server's handler: the
// server's own work per request of the bot.
func BenchmarkSendMessage(b *testing.B) {
	s := NewServer(b)
	s.NewUser(42, "Алиса", "ru")
	text := "<b>Гильдия «Северный ветер»</b>\n\n" + strings.Repeat("⚔️ Рыцарь <i>ур. 12</i> — 1 250 золота\n", 8)
	body := url.Values{"chat_id": {"42"}, "text": {text}, "parse_mode": {"HTML"}, "reply_markup": {benchKeyboard()}}.Encode()
	h := s.Handler()
	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequest(http.MethodPost, "/bot"+Token+"/sendMessage", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("sendMessage: %d %s", rec.Code, rec.Body)
		}
	}
}
