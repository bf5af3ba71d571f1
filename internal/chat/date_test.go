package chat

import (
	"testing"
	"time"

	"github.com/mmobot/mmobot/internal/i18n"
	"github.com/mmobot/mmobot/internal/mmo"
	"github.com/mmobot/mmobot/locales"
)

func TestFormatWhen(t *testing.T) {
	cat, err := i18n.New(locales.FS)
	if err != nil {
		t.Fatal(err)
	}
	msk, _ := time.LoadLocation("Europe/Moscow")
	b := &Engine{cat: cat, opt: Options{Location: msk}}
	at := time.Date(2026, 12, 25, 12, 30, 0, 0, time.UTC) // 15:30 in Moscow
	tests := []struct {
		t    time.Time
		lang string
		want string
	}{
		{at, "ru", "25 декабря 2026 (пятница), 15:30"},
		{at, "en", "Friday, 25 December 2026, 15:30"},
		{time.Date(2027, 3, 1, 9, 5, 0, 0, msk), "ru", "1 марта 2027 (понедельник), 09:05"},
		{time.Date(2027, 3, 1, 9, 5, 0, 0, msk), "en", "Monday, 1 March 2027, 09:05"},
		{time.Date(2027, 5, 9, 0, 0, 0, 0, msk), "ru", "9 мая 2027 (воскресенье), 00:00"},
	}
	for _, tt := range tests {
		if got := b.formatWhen(tt.t, tt.lang); got != tt.want {
			t.Errorf("formatWhen(%v, %q) = %q, want %q", tt.t, tt.lang, got, tt.want)
		}
	}
	// What the bot shows back, it reads back.
	now := time.Date(2026, 11, 22, 10, 0, 0, 0, msk)
	back, err := mmo.ParseWhen(b.formatWhen(at, "en"), now, msk)
	if err != nil || !back.Equal(at) {
		t.Errorf("English round trip = %v, %v; want %v", back, err, at)
	}
	back, err = mmo.ParseWhen("25 декабря 2026 15:30", now, msk)
	if err != nil || !back.Equal(at) {
		t.Errorf("round trip = %v, %v; want %v", back, err, at)
	}
}
