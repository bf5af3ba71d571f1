package max

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strconv"
	"strings"
)

// Button payloads are the Telegram transport's callback data, byte for
// byte: "1:verb:arg…:mac", a version, the route, its arguments and a MAC
// binding them to the chat the button was sent to, with the
// installation's secret. One codec for both messengers keeps one budget
// (chat.MaxButtonData) and one set of rules; MAX would carry up to 1,024
// characters, but nothing needs more. A modified client can send any
// payload it likes: the MAC refuses what the bot never issued.
const (
	callbackVersion = "1"
	macLen          = 8 // base64 characters: 48 bits
)

var (
	errCallbackForged    = errors.New("button payload: bad signature")
	errCallbackMalformed = errors.New("button payload: malformed")
)

// callback is a decoded payload.
type callback struct {
	Verb string
	Args []string
}

// codec signs and checks payloads with the installation's secret.
type codec struct{ secret []byte }

func (c codec) mac(chatID int64, body string) string {
	h := hmac.New(sha256.New, c.secret)
	h.Write([]byte(strconv.FormatInt(chatID, 10)))
	h.Write([]byte{0})
	h.Write([]byte(body))
	return base64.RawURLEncoding.EncodeToString(h.Sum(nil))[:macLen]
}

// encode builds the payload of a button sent to chatID.
func (c codec) encode(chatID int64, verb string, args ...string) (string, error) {
	if verb == "" {
		return "", errCallbackMalformed
	}
	parts := append([]string{callbackVersion, verb}, args...)
	for _, p := range parts[1:] {
		if strings.Contains(p, ":") {
			return "", errCallbackMalformed
		}
	}
	body := strings.Join(parts, ":")
	data := body + ":" + c.mac(chatID, body)
	if len(data) > MaxCallbackPayload {
		return "", errCallbackMalformed
	}
	return data, nil
}

// decode checks and splits a payload received from chatID.
func (c codec) decode(chatID int64, data string) (callback, error) {
	if len(data) > MaxCallbackPayload {
		return callback{}, errCallbackMalformed
	}
	i := strings.LastIndexByte(data, ':')
	if i < 0 {
		return callback{}, errCallbackMalformed
	}
	body, sum := data[:i], data[i+1:]
	parts := strings.Split(body, ":")
	if len(parts) < 2 || parts[0] != callbackVersion || parts[1] == "" {
		return callback{}, errCallbackMalformed
	}
	if !hmac.Equal([]byte(sum), []byte(c.mac(chatID, body))) {
		return callback{}, errCallbackForged
	}
	return callback{Verb: parts[1], Args: parts[2:]}, nil
}
