package button

import (
	"errors"
	"strings"
	"testing"
)

func TestCodec(t *testing.T) {
	tg := Codec{Secret: []byte("0123456789abcdef0123456789abcdef"), MaxLen: 64}
	mx := Codec{Secret: tg.Secret, MaxLen: 1024}
	data, err := tg.Encode(42, "rv", "12", "3", "y")
	if err != nil {
		t.Fatal(err)
	}
	// The same bytes for every messenger: a payload is checked alike.
	for _, c := range []Codec{tg, mx} {
		d, err := c.Decode(42, data)
		if err != nil || d.Verb != "rv" || d.Arg(0) != "12" || d.Arg(2) != "y" || d.Arg(3) != "" {
			t.Fatalf("decode %q: %+v, %v", data, d, err)
		}
		if n, ok := d.Int(0); !ok || n != 12 {
			t.Errorf("Int(0) = %d, %v", n, ok)
		}
	}
	long := strings.Repeat("a", 60)
	cases := []struct {
		name string
		err  error
		do   func() error
	}{
		{"another chat", ErrForged, func() error { _, err := tg.Decode(43, data); return err }},
		{"a changed argument", ErrForged, func() error { _, err := tg.Decode(42, strings.Replace(data, ":12:", ":13:", 1)); return err }},
		{"another version", ErrMalformed, func() error { _, err := tg.Decode(42, "2"+data[1:]); return err }},
		{"no mac", ErrMalformed, func() error { _, err := tg.Decode(42, "nothing"); return err }},
		{"empty verb", ErrMalformed, func() error { _, err := tg.Encode(42, ""); return err }},
		{"a colon in an argument", ErrMalformed, func() error { _, err := tg.Encode(42, "rv", "a:b"); return err }},
		{"over Telegram's 64 bytes", ErrTooLong, func() error { _, err := tg.Encode(42, "rv", long); return err }},
		{"within MAX's limit", nil, func() error { _, err := mx.Encode(42, "rv", long); return err }},
	}
	for _, c := range cases {
		if err := c.do(); !errors.Is(err, c.err) || (c.err == nil) != (err == nil) {
			t.Errorf("%s: %v, want %v", c.name, err, c.err)
		}
	}
}
