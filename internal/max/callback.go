package max

import "github.com/mmobot/mmobot/internal/button"

// Button payloads are the Telegram transport's callback data, byte for
// byte, by the same codec (package button): one budget
// (chat.MaxButtonData) and one set of rules. MAX would carry up to 1,024
// characters, but nothing needs more.
var (
	errCallbackForged    = button.ErrForged
	errCallbackMalformed = button.ErrMalformed
)

// callback is a decoded payload.
type callback = button.Data

// codec signs and checks payloads with the installation's secret.
type codec struct{ secret []byte }

func (c codec) button() button.Codec {
	return button.Codec{Secret: c.secret, MaxLen: MaxCallbackPayload}
}

// encode builds the payload of a button sent to chatID.
func (c codec) encode(chatID int64, verb string, args ...string) (string, error) {
	return c.button().Encode(chatID, verb, args...)
}

// decode checks and splits a payload received from chatID.
func (c codec) decode(chatID int64, data string) (callback, error) {
	return c.button().Decode(chatID, data)
}
