// Package button signs and checks the data a pressed button carries back,
// the same way for every messenger: "1:verb:arg…:mac", a version, a short
// verb naming the route, its arguments, and a MAC binding them to the chat
// the button was sent to, with the installation's secret. A modified
// client can send any data it likes; the MAC refuses what the bot never
// issued, and handlers still check rights and freshness themselves.
package button

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"hash"
	"strconv"
	"strings"
	"sync"
)

const (
	version = "1"
	macLen  = 8 // base64 characters: 48 bits
)

// Errors of Decode and Encode.
var (
	ErrForged    = errors.New("button data: bad signature")
	ErrMalformed = errors.New("button data: malformed")
	ErrTooLong   = errors.New("button data: too long for the messenger")
)

// Data is decoded button data.
type Data struct {
	Verb string
	Args []string
}

// Arg returns the i-th argument, or "" if absent.
func (d Data) Arg(i int) string {
	if i < len(d.Args) {
		return d.Args[i]
	}
	return ""
}

// Int returns the i-th argument as an integer, or 0 and false.
func (d Data) Int(i int) (int64, bool) {
	n, err := strconv.ParseInt(d.Arg(i), 10, 64)
	return n, err == nil
}

// Codec signs and checks button data with the installation's secret, in
// at most MaxLen bytes (the messenger's limit).
type Codec struct {
	Secret []byte
	MaxLen int
}

// macs keeps keyed HMACs for reuse: keying one costs two blocks of
// hashing and its allocations, for every button of every message.
var macs sync.Pool

// keyedMAC is an HMAC with the secret it was keyed with.
type keyedMAC struct {
	secret []byte
	h      hash.Hash
}

func (c Codec) mac(chatID int64, body string) string {
	k, _ := macs.Get().(*keyedMAC)
	if k == nil || !bytes.Equal(k.secret, c.Secret) {
		k = &keyedMAC{secret: bytes.Clone(c.Secret), h: hmac.New(sha256.New, c.Secret)}
	} else {
		k.h.Reset()
	}
	var buf [24]byte
	k.h.Write(append(strconv.AppendInt(buf[:0], chatID, 10), 0))
	k.h.Write([]byte(body))
	var sum [sha256.Size]byte
	// macLen characters of base64 are the first macLen*6/8 bytes.
	var out [macLen]byte
	base64.RawURLEncoding.Encode(out[:], k.h.Sum(sum[:0])[:macLen*6/8])
	macs.Put(k)
	return string(out[:])
}

// Encode builds the data of a button sent to chatID. The verb must not be
// empty, and neither verb nor arguments may contain ':': Decode would not
// read them back.
func (c Codec) Encode(chatID int64, verb string, args ...string) (string, error) {
	if verb == "" {
		return "", ErrMalformed
	}
	parts := append([]string{version, verb}, args...)
	for _, p := range parts[1:] {
		if strings.Contains(p, ":") {
			return "", ErrMalformed
		}
	}
	body := strings.Join(parts, ":")
	data := body + ":" + c.mac(chatID, body)
	if len(data) > c.MaxLen {
		return "", ErrTooLong
	}
	return data, nil
}

// Decode checks and splits data received from chatID.
func (c Codec) Decode(chatID int64, data string) (Data, error) {
	if len(data) > c.MaxLen {
		return Data{}, ErrMalformed
	}
	i := strings.LastIndexByte(data, ':')
	if i < 0 {
		return Data{}, ErrMalformed
	}
	body, sum := data[:i], data[i+1:]
	parts := strings.Split(body, ":")
	if len(parts) < 2 || parts[0] != version || parts[1] == "" {
		return Data{}, ErrMalformed
	}
	if !hmac.Equal([]byte(sum), []byte(c.mac(chatID, body))) {
		return Data{}, ErrForged
	}
	return Data{Verb: parts[1], Args: parts[2:]}, nil
}
