package chat

import "strings"

// The texts that point at the button of AskLocation or AskContact say
// where the person's messenger shows it. Telegram shows it in a keyboard
// below the input field («кнопкой внизу»); MAX, which has no such
// keyboard, as a button of the asking message (Transport.AsksOnMessage).
// The MAX wording of a text keyed "area.name" is "asks_on_message.area_name"
// in the locales.

// TAsk renders the text of key that points at a location or phone
// button, worded for the messenger of the update.
func (r *Request) TAsk(key string, args ...any) string {
	if r.bot.transport(r.Update.Messenger).AsksOnMessage {
		key = "asks_on_message." + strings.ReplaceAll(key, ".", "_")
	}
	return r.T(key, args...)
}
