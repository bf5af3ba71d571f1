package chat

import (
	"strings"
	"testing"
)

// TestAsksSayWhereTheButtonIs: each text pointing at a location or phone
// button, in each language, says «at the bottom» in a messenger with a
// reply keyboard, and something else, found in the catalog, in one that
// puts the button on the message.
func TestAsksSayWhereTheButtonIs(t *testing.T) {
	onMessage := memTransport
	onMessage.Messenger, onMessage.AsksOnMessage = "onmessage", true
	m := newMemory(t, func(o *Options) { o.Transports = append(o.Transports, onMessage) })
	below := map[string][]string{"ru": {"внизу"}, "en": {"below", "bottom"}}
	for _, lang := range []string{"ru", "en"} {
		for _, key := range []string{"checkin.ask_location", "checkin.location_hint", "checkin.ask_venue",
			"consult.ask_phone", "consult.phone_hint"} {
			keyboard := (&Request{bot: m.engine, Update: &Update{Messenger: memoryName}, Lang: lang}).TAsk(key)
			onMsg := (&Request{bot: m.engine, Update: &Update{Messenger: onMessage.Messenger}, Lang: lang}).TAsk(key)
			if strings.Contains(onMsg, "asks_on_message") {
				t.Errorf("%s %s: no wording for a button on the message", lang, key)
			}
			saysBelow := func(s string) bool {
				for _, w := range below[lang] {
					if strings.Contains(s, w) {
						return true
					}
				}
				return false
			}
			if !saysBelow(keyboard) {
				t.Errorf("%s %s with a reply keyboard: %q", lang, key, keyboard)
			}
			if saysBelow(onMsg) {
				t.Errorf("%s %s with the button on the message: %q", lang, key, onMsg)
			}
		}
	}
}
