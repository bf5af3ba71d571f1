package maxtest

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"unicode/utf8"
)

// parseKeyboard checks the rows of an inline keyboard. s.mu must be held.
func (s *Server) parseKeyboard(op string, rows [][]json.RawMessage) ([][]Button, *apiError) {
	if len(rows) == 0 {
		return nil, badRequest("inline_keyboard.buttons: at least one row")
	}
	if len(rows) > maxRows {
		return nil, badRequest("inline_keyboard.buttons: more than %d rows", maxRows)
	}
	kb := make([][]Button, 0, len(rows))
	for i, row := range rows {
		if len(row) == 0 {
			return nil, badRequest("inline_keyboard.buttons[%d]: empty row", i)
		}
		var r []Button
		for j, raw := range row {
			at := fmt.Sprintf("inline_keyboard.buttons[%d][%d]", i, j)
			var rb rButton
			if err := strictDecode(raw, &rb); err != nil {
				var head struct {
					Type string `json:"type"`
				}
				if json.Unmarshal(raw, &head) == nil && !modelledButton(head.Type) {
					return nil, s.unmodelled(op, "a button of type "+strconv.Quote(head.Type))
				}
				return nil, badRequest("%s: %v", at, err)
			}
			if n := utf8.RuneCountInString(rb.Text); n < 1 || n > maxBtnText {
				return nil, badRequest("%s.text: size must be between 1 and %d, got %d", at, maxBtnText, n)
			}
			b := Button{Type: rb.Type, Text: rb.Text}
			extra := func(names ...string) *apiError {
				got := map[string]bool{"payload": rb.Payload != nil, "intent": rb.Intent != nil, "url": rb.URL != nil, "quick": rb.Quick != nil}
				for _, n := range names {
					delete(got, n)
				}
				for n, set := range got {
					if set {
						return badRequest("%s: a %s button has no field %q", at, rb.Type, n)
					}
				}
				return nil
			}
			switch rb.Type {
			case "callback":
				if aerr := extra("payload", "intent"); aerr != nil {
					return nil, aerr
				}
				if rb.Payload == nil || *rb.Payload == "" {
					return nil, badRequest("%s.payload: required", at)
				}
				if n := utf8.RuneCountInString(*rb.Payload); n > maxCBData {
					return nil, badRequest("%s.payload: size must be at most %d, got %d", at, maxCBData, n)
				}
				b.Payload = *rb.Payload
				if rb.Intent != nil {
					switch *rb.Intent {
					case "default", "positive", "negative":
						b.Intent = *rb.Intent
					default:
						return nil, badRequest("%s.intent: unknown value %q", at, *rb.Intent)
					}
				}
			case "link":
				if aerr := extra("url"); aerr != nil {
					return nil, aerr
				}
				if rb.URL == nil {
					return nil, badRequest("%s.url: required", at)
				}
				if n := utf8.RuneCountInString(*rb.URL); n > maxLinkURL {
					return nil, badRequest("%s.url: size must be at most %d, got %d", at, maxLinkURL, n)
				}
				u, err := url.Parse(*rb.URL)
				if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
					return nil, badRequest("%s.url: invalid URL %q", at, *rb.URL)
				}
				b.URL = *rb.URL
			case "request_geo_location":
				if aerr := extra("quick"); aerr != nil {
					return nil, aerr
				}
				b.Quick = rb.Quick != nil && *rb.Quick
			case "request_contact", "message":
				if aerr := extra(); aerr != nil {
					return nil, aerr
				}
			default:
				return nil, s.unmodelled(op, "a button of type "+strconv.Quote(rb.Type))
			}
			r = append(r, b)
		}
		kb = append(kb, r)
	}
	return kb, nil
}

func modelledButton(t string) bool {
	switch t {
	case "callback", "link", "request_geo_location", "request_contact", "message":
		return true
	}
	return false
}
