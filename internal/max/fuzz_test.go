package max

import (
	"errors"
	"strings"
	"testing"
)

// FuzzCallbackCodec: MAX button payloads use the same codec as
// Telegram's callback data. Arbitrary payloads never panic and what is
// accepted is what the bot issues; what the bot issues comes back equal,
// only from the chat it was sent to, and a change of any one byte is
// refused.
func FuzzCallbackCodec(f *testing.F) {
	f.Add(int64(42), "cd", "1234567890", "y", "", uint8(0), byte('x'))
	f.Add(int64(-70000000000), "mm", "4294967295", "9999", "1:lg:en:AAAAAAAA", uint8(5), byte(':'))
	f.Add(int64(7), "lg", "en", "", "1:lg:en:", uint8(63), byte(0))
	f.Add(int64(7), "", "", "", "1::x", uint8(1), byte('1'))
	f.Add(int64(7), "ab", "юникод", "\xff", strings.Repeat(":", 64), uint8(2), byte(0xff))
	c := codec{secret: []byte("0123456789abcdef0123456789abcdef")}
	f.Fuzz(func(t *testing.T, chat int64, verb, a, b, raw string, pos uint8, x byte) {
		if cb, err := c.decode(chat, raw); err == nil {
			again, err := c.encode(chat, cb.Verb, cb.Args...)
			if err != nil || again != raw {
				t.Fatalf("%q decodes to %+v, which encodes to %q, %v", raw, cb, again, err)
			}
		} else if !errors.Is(err, errCallbackForged) && !errors.Is(err, errCallbackMalformed) {
			t.Fatalf("decode(%q): %v", raw, err)
		}

		data, err := c.encode(chat, verb, a, b)
		if err != nil {
			return
		}
		if len(data) > MaxCallbackPayload {
			t.Fatalf("%q is %d bytes", data, len(data))
		}
		cb, err := c.decode(chat, data)
		if err != nil || cb.Verb != verb || len(cb.Args) != 2 || cb.Args[0] != a || cb.Args[1] != b {
			t.Fatalf("encode(%q, %q, %q) = %q, decodes to %+v, %v", verb, a, b, data, cb, err)
		}
		if _, err := c.decode(chat+1, data); err == nil {
			t.Fatalf("%q is accepted from another chat", data)
		}
		i := int(pos) % len(data)
		if data[i] == x {
			x++
		}
		changed := data[:i] + string([]byte{x}) + data[i+1:]
		if cb, err := c.decode(chat, changed); err == nil {
			t.Fatalf("%q (byte %d of %q changed) is accepted as %+v", changed, i, data, cb)
		}
	})
}
