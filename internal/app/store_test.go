package app

import (
	"fmt"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/mmobot/mmobot/internal/telegram/telegramtest"
)

// TestUnwritableDatabaseHoldsUpdates fails every commit, as a full disk
// would, while 200 people write /start: nothing is confirmed to Telegram,
// one error is logged, and once the disk takes writes again every update
// is handled exactly once, with no apology.
func TestUnwritableDatabaseHoldsUpdates(t *testing.T) {
	h := newHarness(t)
	warm := h.user(999, "Первый")
	warm.Send("/help") // the bot is up and polling before the disk fills
	warm.Next(t)
	h.settle()
	var failing atomic.Bool
	h.m.DB.SetWriteFault(func() error {
		if failing.Load() {
			return fmt.Errorf("write %s: %w", h.cfg.Data.Path, syscall.ENOSPC)
		}
		return nil
	})
	failing.Store(true)
	polls := h.srv.Calls("getUpdates")
	const n = 200
	users := make([]*telegramtest.User, n)
	first, last := 0, 0
	for i := range users {
		users[i] = h.user(int64(1000+i), fmt.Sprintf("Учитель %d", i))
		id := users[i].Send("/start")
		if i == 0 {
			first = id
		}
		last = id
	}
	// The batch is tried, refused and tried again, more than once.
	waitUntil(t, "the bot to poll again after the refused commits", func() bool {
		return strings.Contains(h.logs.String(), "the database cannot be written") &&
			h.srv.Calls("getUpdates") >= polls+3
	})
	if c := h.srv.Confirmed(); c >= first {
		t.Fatalf("update %d confirmed while the database could not be written", c)
	}
	for _, u := range users {
		if got := u.Drain(); len(got) != 0 {
			t.Fatalf("user %d got %q while nothing could be saved", u.ID, got[0].Text)
		}
	}

	failing.Store(false)
	for _, u := range users {
		next(t, u, "Здравствуйте")
		next(t, u, "152-ФЗ")
	}
	h.srv.WaitConfirmed(t, last)
	h.settle()
	for _, u := range users {
		if extra := u.Drain(); len(extra) != 0 {
			t.Errorf("user %d: answered twice: %q", u.ID, extra[0].Text)
		}
	}
	logs := h.logs.String()
	if got := strings.Count(logs, `level=ERROR msg="the database cannot be written`); got != 1 {
		t.Errorf("the unwritable database was logged %d times, want once:\n%s", got, logs)
	}
	if !strings.Contains(logs, "the database can be written again") {
		t.Error("the recovery was not logged")
	}
	if got := strings.Count(logs, "level=ERROR"); got != 1 {
		t.Errorf("%d error lines, want the one:\n%s", got, logs)
	}
	if strings.Contains(logs, "update failed") {
		t.Error("a refused commit was treated as a handler failure")
	}
}
