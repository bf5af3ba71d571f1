package telegram

import "github.com/mmobot/mmobot/internal/button"

// Callback data is the button package's, in at most Telegram's 64 bytes.
const callbackMaxLen = 64 // Telegram's limit, in bytes

var (
	errCallbackForged    = button.ErrForged
	errCallbackMalformed = button.ErrMalformed
	errCallbackTooLong   = button.ErrTooLong
)

// callback is decoded callback data.
type callback = button.Data

// codec signs and checks callback data with the installation's secret.
type codec struct{ secret []byte }

func (c codec) button() button.Codec { return button.Codec{Secret: c.secret, MaxLen: callbackMaxLen} }

// encode builds the data of a button sent to chatID.
func (c codec) encode(chatID int64, verb string, args ...string) (string, error) {
	return c.button().Encode(chatID, verb, args...)
}

// decode checks and splits data received from chatID.
func (c codec) decode(chatID int64, data string) (callback, error) {
	return c.button().Decode(chatID, data)
}
