package telegram

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strconv"
	"strings"
)

// Callback data is "1:verb:arg…:mac": a version, a short verb naming the
// route, its arguments, and a MAC binding them to the chat the button was
// sent to. A modified client can send any callback data it likes; the MAC
// rejects data the bot never issued, and handlers still check rights and
// freshness themselves.
const (
	callbackVersion = "1"
	callbackMaxLen  = 64 // Telegram's limit, in bytes
	macLen          = 8  // base64 characters: 48 bits
)

var (
	errCallbackForged    = errors.New("callback data: bad signature")
	errCallbackMalformed = errors.New("callback data: malformed")
	errCallbackTooLong   = errors.New("callback data: longer than 64 bytes")
)

// callback is decoded callback data.
type callback struct {
	Verb string
	Args []string
}

// Arg returns the i-th argument, or "" if absent.
func (c callback) Arg(i int) string {
	if i < len(c.Args) {
		return c.Args[i]
	}
	return ""
}

// Int returns the i-th argument as an integer, or 0 and false.
func (c callback) Int(i int) (int64, bool) {
	n, err := strconv.ParseInt(c.Arg(i), 10, 64)
	return n, err == nil
}

// codec signs and checks callback data with the installation's secret.
type codec struct{ secret []byte }

func (c codec) mac(chatID int64, body string) string {
	h := hmac.New(sha256.New, c.secret)
	h.Write([]byte(strconv.FormatInt(chatID, 10)))
	h.Write([]byte{0})
	h.Write([]byte(body))
	return base64.RawURLEncoding.EncodeToString(h.Sum(nil))[:macLen]
}

// encode builds the data of a button sent to chatID. The verb must not be
// empty, and neither verb nor arguments may contain ':': decode would not
// read them back.
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
	if len(data) > callbackMaxLen {
		return "", errCallbackTooLong
	}
	return data, nil
}

// decode checks and splits data received from chatID.
func (c codec) decode(chatID int64, data string) (callback, error) {
	if len(data) > callbackMaxLen {
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
