package telegram

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/mmobot/mmobot/internal/boltdb"
	"github.com/mmobot/mmobot/internal/chat"
	"github.com/mmobot/mmobot/internal/outbox"
	"github.com/mmobot/mmobot/internal/telegram/telegramtest"
)

// TestSentWhileUnwritableGoesOutOnce: the answers to three /start are
// committed, then the disk fills before they go out. Telegram takes them,
// the store refuses to remove them: they are not sent again however often
// the whole outbox is read, the refusal is logged once, and once the disk
// takes writes they leave the store. The dispatcher once forgot such an
// item, and its next full scan, within a minute, sent it again.
func TestSentWhileUnwritableGoesOutOnce(t *testing.T) {
	srv := telegramtest.NewServer(t)
	logs := &telegramtest.LogBuffer{}
	opt := testOptions(srv)
	opt.Log = slog.New(slog.NewTextHandler(logs, nil))
	var fullScans atomic.Int64
	tb := startBot(t, srv, filepath.Join(t.TempDir(), "mmo.db"), opt, func(b *Bot) {
		b.out.FullEvery = 10 * time.Millisecond
		b.out.OnFullScan = func() { fullScans.Add(1) }
		b.out.HeldRetry = outbox.Retry{First: 10 * time.Millisecond, Most: 20 * time.Millisecond}
	})
	// rescans waits until the whole outbox was read n more times.
	rescans := func(n int64) {
		t.Helper()
		from := fullScans.Load()
		waitUntil(t, fmt.Sprintf("%d full scans of the outbox", n), func() bool { return fullScans.Load() >= from+n })
	}
	var failing atomic.Bool
	tb.db.SetWriteFault(func() error {
		if failing.Load() {
			return fmt.Errorf("write mmo.db: %w", syscall.ENOSPC)
		}
		return nil
	})
	srv.Settle(t) // the default menus

	users := []*telegramtest.User{srv.NewUser(401, "А", "ru"), srv.NewUser(402, "Б", "ru"), srv.NewUser(403, "В", "ru")}
	last := 0
	for _, u := range users {
		// The first answer hangs, so both answers are still to send
		// when the disk fills.
		srv.Inject(telegramtest.Fault{Method: "sendMessage", ChatID: u.ID, Kind: telegramtest.Hang, Count: 1})
		last = u.Send("/start")
	}
	srv.WaitConfirmed(t, last)
	waitUntil(t, "the first answers to hang", func() bool { return srv.Hanging("sendMessage") == len(users) })
	queued, err := tb.db.OutboxLen()
	if err != nil {
		t.Fatal(err)
	}
	if queued < 2*len(users) {
		t.Fatalf("%d items in the outbox, want at least the %d answers", queued, 2*len(users))
	}

	failing.Store(true)
	srv.Release("sendMessage")
	for _, u := range users {
		expectNext(t, u, "Здравствуйте")
		expectNext(t, u, "152-ФЗ")
	}
	rescans(3)
	noRepeats(t, srv, users, "while the database could not be written")
	if n, err := tb.db.OutboxLen(); err != nil || n != queued {
		t.Fatalf("%d items in the outbox (%v), want the %d sent ones still there while writes fail", n, err, queued)
	}

	failing.Store(false)
	waitUntil(t, "the sent items to leave the outbox", func() bool {
		n, err := tb.db.OutboxLen()
		return err == nil && n == 0
	})
	rescans(3)
	noRepeats(t, srv, users, "after the database recovered")
	log := logs.String()
	if got := strings.Count(log, `level=ERROR msg="outbox: sent items cannot be removed`); got != 1 {
		t.Errorf("the refused removals were logged %d times, want once:\n%s", got, log)
	}
	if got := strings.Count(log, `msg="outbox: the database takes writes again`); got != 1 {
		t.Errorf("the recovery was logged %d times, want once:\n%s", got, log)
	}
	if got := strings.Count(log, "level=ERROR"); got != 1 {
		t.Errorf("%d error lines, want the one:\n%s", got, log)
	}
}

// noRepeats waits for the server to settle and checks that none of the
// users got another message.
func noRepeats(t *testing.T, srv *telegramtest.Server, users []*telegramtest.User, when string) {
	t.Helper()
	settled := srv.SettleWithin(10 * time.Second)
	for _, u := range users {
		if extra := u.Drain(); len(extra) != 0 {
			t.Fatalf("user %d: %q sent again %s", u.ID, extra[0].Text, when)
		}
	}
	if !settled {
		t.Fatal("the server did not settle")
	}
}

// TestChatPacedAfterWaitForTurn: a chat's next message waits a whole
// interval of the chat's rate after the one before was answered, not
// after it was picked. Here a chat's first message is picked while
// another chat's turn is booked, and waits half a second for its own
// turn; its second message once went half a second after it, and
// Telegram (the fake server, counting as Telegram does) answered 429.
func TestChatPacedAfterWaitForTurn(t *testing.T) {
	srv := telegramtest.NewServer(t)
	srv.EnforceLimits(telegramtest.Limits{Global: 2, PerChat: 1})
	path := filepath.Join(t.TempDir(), "mmo.db")
	a, b := srv.NewUser(501, "А", "ru"), srv.NewUser(502, "Б", "ru")
	enqueue(t, path, boltdb.PriorityReply,
		chat.Message{Kind: chat.KindSend, Chat: b.ID, Text: "первое Б"},
		chat.Message{Kind: chat.KindSend, Chat: a.ID, Text: "первое А"},
		chat.Message{Kind: chat.KindSend, Chat: a.ID, Text: "второе А"})
	opt := testOptions(srv)
	opt.Limits = Limits{Global: 2, Private: 1, PrivateBurst: 1, GroupPerMinute: 20}
	startBot(t, srv, path, opt, nil)
	expectNext(t, b, "первое Б")
	expectNext(t, a, "первое А")
	expectNext(t, a, "второе А")
	srv.Settle(t)
	if st := srv.Stats(); st.TooMany != 0 {
		t.Errorf("the bot provoked %d answers 429", st.TooMany)
	}
	var went []time.Time
	for _, r := range calls(srv, "sendMessage", toChat(a.ID)) {
		if r.Status == 200 {
			went = append(went, r.At)
		}
	}
	if len(went) != 2 {
		t.Fatalf("%d messages reached the chat, want 2", len(went))
	}
	if gap := went[1].Sub(went[0]); gap < time.Second {
		t.Errorf("the chat's messages arrived %v apart, want at least a second", gap)
	}
}

// TestChatPacedAfterDelayOnTheWay: the first of two messages to a chat
// is held up for 300 ms on its way to Telegram (a busy machine, the
// network), the second is not. Paced from when the first left, the
// second arrived 0.73 s after it and was answered 429; paced from the
// answer to the first, it arrives a whole interval later.
func TestChatPacedAfterDelayOnTheWay(t *testing.T) {
	srv := telegramtest.NewServer(t)
	srv.EnforceLimits(telegramtest.Limits{PerChat: 1})
	var held atomic.Bool
	way := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/sendMessage") && held.CompareAndSwap(false, true) {
			time.Sleep(300 * time.Millisecond)
		}
		srv.Handler().ServeHTTP(w, r)
	}))
	t.Cleanup(way.Close)
	path := filepath.Join(t.TempDir(), "mmo.db")
	a := srv.NewUser(511, "А", "ru")
	enqueue(t, path, boltdb.PriorityReply,
		chat.Message{Kind: chat.KindSend, Chat: a.ID, Text: "первое"},
		chat.Message{Kind: chat.KindSend, Chat: a.ID, Text: "второе"})
	opt := testOptions(srv)
	opt.Endpoint = way.URL + "/bot%s/%s"
	opt.Limits = Limits{Global: 30, Private: 1, PrivateBurst: 1, GroupPerMinute: 20}
	startBot(t, srv, path, opt, nil)
	expectNext(t, a, "первое")
	expectNext(t, a, "второе")
	srv.Settle(t)
	if st := srv.Stats(); st.TooMany != 0 {
		t.Errorf("the bot provoked %d answers 429", st.TooMany)
	}
}

// TestRetriesWhileUnwritableLoggedOnce: with the disk full, sends that
// fail for a while are still retried and delivered, and the store's
// refusal to record each failed attempt is one error line for the outage,
// not one per attempt of every message.
func TestRetriesWhileUnwritableLoggedOnce(t *testing.T) {
	srv := telegramtest.NewServer(t)
	logs := &telegramtest.LogBuffer{}
	opt := testOptions(srv)
	opt.Log = slog.New(slog.NewTextHandler(logs, nil))
	tb := startBot(t, srv, filepath.Join(t.TempDir(), "mmo.db"), opt, func(b *Bot) {
		b.out.MsgRetry = quickRetry
		b.out.HeldRetry = outbox.Retry{First: 10 * time.Millisecond, Most: 20 * time.Millisecond}
	})
	srv.Settle(t) // the default menus
	users := []*telegramtest.User{srv.NewUser(411, "А", "ru"), srv.NewUser(412, "Б", "ru"), srv.NewUser(413, "В", "ru")}
	last := 0
	for _, u := range users {
		srv.Inject(telegramtest.Fault{Method: "sendMessage", ChatID: u.ID, Kind: telegramtest.Hang, Count: 1})
		last = u.Send("/start")
	}
	srv.WaitConfirmed(t, last)
	waitUntil(t, "the first answers to hang", func() bool { return srv.Hanging("sendMessage") == len(users) })

	var failing atomic.Bool
	failing.Store(true)
	tb.db.SetWriteFault(func() error {
		if failing.Load() {
			return fmt.Errorf("write mmo.db: %w", syscall.ENOSPC)
		}
		return nil
	})
	// Each user's next sends fail three times before they go through.
	for _, u := range users {
		srv.Inject(telegramtest.Fault{Method: "sendMessage", ChatID: u.ID, Kind: telegramtest.BadGateway, Count: 3})
	}
	srv.Release("sendMessage")
	for _, u := range users {
		expectNext(t, u, "Здравствуйте")
		expectNext(t, u, "152-ФЗ")
	}
	failing.Store(false)
	waitUntil(t, "the sent items to leave the outbox", func() bool {
		n, err := tb.db.OutboxLen()
		return err == nil && n == 0
	})
	log := logs.String()
	if got := strings.Count(log, `msg="outbox: failed attempts cannot be recorded`); got != 1 {
		t.Errorf("the unrecorded attempts were logged %d times, want once:\n%s", got, log)
	}
	if got := strings.Count(log, `msg="outbox: record retry"`); got != 0 {
		t.Errorf("each unrecorded attempt logged on its own (%d lines):\n%s", got, log)
	}
}
