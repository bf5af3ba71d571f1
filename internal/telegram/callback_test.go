package telegram

import (
	"errors"
	"strings"
	"testing"
)

func TestCallbackCodecRoundTrip(t *testing.T) {
	c := codec{secret: []byte("0123456789abcdef0123456789abcdef")}
	data, err := c.encode(42, verbCoordDel, "1234567890", "y")
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.decode(42, data)
	if err != nil {
		t.Fatal(err)
	}
	if got.Verb != verbCoordDel || got.Arg(0) != "1234567890" || got.Arg(1) != "y" || got.Arg(2) != "" {
		t.Errorf("decoded %+v", got)
	}
	if n, ok := got.Int(0); !ok || n != 1234567890 {
		t.Errorf("Int(0) = %d, %v", n, ok)
	}
}

func TestCallbackCodecRejects(t *testing.T) {
	c := codec{secret: []byte("secret-one")}
	other := codec{secret: []byte("secret-two")}
	good, _ := c.encode(42, verbLang, "en")
	fromOther, _ := other.encode(42, verbLang, "en")
	tampered := strings.Replace(good, ":en:", ":ru:", 1)
	tests := []struct {
		name string
		chat int64
		data string
		want error
	}{
		{"another chat", 43, good, errCallbackForged},
		{"tampered argument", 42, tampered, errCallbackForged},
		{"another installation", 42, fromOther, errCallbackForged},
		{"no signature", 42, "1:lg:en", errCallbackForged},
		{"empty", 42, "", errCallbackMalformed},
		{"old version", 42, "0" + good[1:], errCallbackMalformed},
		{"no verb", 42, "1::x", errCallbackMalformed},
		{"plain text", 42, "hello", errCallbackMalformed},
		{"too long", 42, strings.Repeat("a", 65), errCallbackMalformed},
	}
	for _, tt := range tests {
		if _, err := c.decode(tt.chat, tt.data); !errors.Is(err, tt.want) {
			t.Errorf("%s: err = %v, want %v", tt.name, err, tt.want)
		}
	}
}

// TestCallbackDataFitsTelegram checks the longest data each route makes
// against Telegram's 64-byte limit, with the largest ids Telegram issues.
func TestCallbackDataFitsTelegram(t *testing.T) {
	c := codec{secret: []byte("k")}
	const chat = -1009999999999 // a supergroup id: the longest chat id
	const user = "9999999999999"
	cases := [][]string{
		{verbConsent, "4294967295", "decline"},
		{verbLang, "en"},
		{verbEditField, "position"},
		{verbDeleteData, "yes"},
		{verbCoordAdd},
		{verbCoordSet, user},
		{verbCoordDel, user, "y"},
	}
	for _, cs := range cases {
		data, err := c.encode(chat, cs[0], cs[1:]...)
		if err != nil {
			t.Errorf("%v: %v", cs, err)
			continue
		}
		if len(data) > callbackMaxLen {
			t.Errorf("%v: %d bytes", cs, len(data))
		}
	}
	if _, err := c.encode(1, "v", strings.Repeat("x", 60)); !errors.Is(err, errCallbackTooLong) {
		t.Errorf("oversized data: %v", err)
	}
	if _, err := c.encode(1, "v", "a:b"); !errors.Is(err, errCallbackMalformed) {
		t.Errorf("separator in an argument: %v", err)
	}
}
