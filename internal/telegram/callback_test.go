package telegram

import (
	"errors"
	"strings"
	"testing"

	"github.com/mmobot/mmobot/internal/chat"
)

func TestCallbackCodecRoundTrip(t *testing.T) {
	c := codec{secret: []byte("0123456789abcdef0123456789abcdef")}
	data, err := c.encode(42, "cd", "1234567890", "y")
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.decode(42, data)
	if err != nil {
		t.Fatal(err)
	}
	if got.Verb != "cd" || got.Arg(0) != "1234567890" || got.Arg(1) != "y" || got.Arg(2) != "" {
		t.Errorf("decoded %+v", got)
	}
	if n, ok := got.Int(0); !ok || n != 1234567890 {
		t.Errorf("Int(0) = %d, %v", n, ok)
	}
	// What decode would refuse is not issued.
	for _, parts := range [][]string{{""}, {"", "x"}, {"a:b"}, {"v", "x:y"}} {
		if data, err := c.encode(42, parts[0], parts[1:]...); err == nil {
			t.Errorf("encode(%q) = %q, want an error", parts, data)
		}
	}
}

func TestCallbackCodecRejects(t *testing.T) {
	c := codec{secret: []byte("secret-one")}
	other := codec{secret: []byte("secret-two")}
	good, _ := c.encode(42, "lg", "en")
	fromOther, _ := other.encode(42, "lg", "en")
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

// TestButtonBudgetFitsTelegram: a button using all of the conversation's
// budget (chat.MaxButtonData) is signed within Telegram's 64 bytes, for
// the longest chat id; one byte more is not.
func TestButtonBudgetFitsTelegram(t *testing.T) {
	c := codec{secret: []byte("k")}
	const chatID = -1009999999999 // a supergroup id: the longest chat id
	body := strings.Repeat("9", chat.MaxButtonData-len("v:"))
	data, err := c.encode(chatID, "v", body)
	if err != nil || len(data) != callbackMaxLen {
		t.Errorf("the full budget: %q (%d bytes), %v; want exactly %d bytes", data, len(data), err, callbackMaxLen)
	}
	if _, err := c.encode(chatID, "v", body+"9"); !errors.Is(err, errCallbackTooLong) {
		t.Errorf("a byte over the budget: %v", err)
	}
	if _, err := c.encode(1, "v", "a:b"); !errors.Is(err, errCallbackMalformed) {
		t.Errorf("separator in an argument: %v", err)
	}
}
