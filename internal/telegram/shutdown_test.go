package telegram

import (
	"context"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mmobot/mmobot/internal/telegram/telegramtest"
)

// TestStartHonoursCancelWhileGetMeHangs: SIGTERM while getMe hangs stops
// the start at once.
func TestStartHonoursCancelWhileGetMeHangs(t *testing.T) {
	srv := telegramtest.NewServer(t)
	srv.Inject(telegramtest.Fault{Method: "getMe", Kind: telegramtest.Hang, Count: 1000})
	opt := testOptions(srv)
	opt.RequestTimeout = time.Minute
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := New(ctx, nil, opt)
		done <- err
	}()
	waitUntil(t, "getMe to hang", func() bool { return srv.Hanging("getMe") == 1 })
	cancel()
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("New succeeded without getMe")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("New did not return within 5 s of the cancel while getMe hung")
	}
}

// TestHangingMenusHoldUpNothing: with every setMyCommands hanging, the
// bot answers from the start (menus are set in the background), and
// SIGTERM is honoured within 5 s.
func TestHangingMenusHoldUpNothing(t *testing.T) {
	srv := telegramtest.NewServer(t)
	srv.Inject(telegramtest.Fault{Method: "setMyCommands", Kind: telegramtest.Hang, Count: 1000})
	opt := testOptions(srv)
	opt.RequestTimeout = time.Minute
	tb := startBot(t, srv, filepath.Join(t.TempDir(), "mmo.db"), opt, nil)
	waitUntil(t, "the default menu to hang", func() bool { return srv.Hanging("setMyCommands") >= 1 })
	u := srv.NewUser(401, "А", "ru")
	u.Send("/help")
	expectNext(t, u, "/start")
	tb.cancel()
	select {
	case err := <-tb.done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return within 5 s of the cancel while setMyCommands hung")
	}
	tb.done <- nil // for the cleanup's wait
}

// TestOneUsersFloodIsLimited: of 100 messages from one user within the
// window, 20 are handled and the rest draw one notice and are dropped,
// each confirmed and recorded as handled; another user typing meanwhile
// is answered as usual, and once the window moves on the first is too.
func TestOneUsersFloodIsLimited(t *testing.T) {
	srv := telegramtest.NewServer(t)
	srv.SetWaitTimeout(30 * time.Second)
	var mu sync.Mutex
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	opt := testOptions(srv)
	logs := &telegramtest.LogBuffer{}
	opt.Log = slog.New(slog.NewTextHandler(logs, nil))
	copt := chatOptions(opt)
	copt.UserUpdates, copt.UserWindow = 20, 10*time.Second
	// A stopped clock: all 100 fall in one window however slow the machine.
	copt.Now = func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	tb := startBotWith(t, srv, filepath.Join(t.TempDir(), "mmo.db"), opt, copt, nil)
	flooder, other := srv.NewUser(601, "А", "ru"), srv.NewUser(602, "Б", "ru")
	var ids []int
	for i := range 100 {
		if i == 50 {
			other.Send("/help")
		}
		ids = append(ids, flooder.Send("/help"))
	}
	srv.WaitConfirmed(t, ids[len(ids)-1])
	srv.Settle(t)
	helps, notices := 0, 0
	for _, m := range flooder.Drain() {
		switch {
		case strings.Contains(m.Text, "/start"):
			helps++
		case strings.Contains(m.Text, "Слишком много сообщений"):
			notices++
		default:
			t.Errorf("unexpected message %q", m.Text)
		}
	}
	if helps != 20 || notices != 1 {
		t.Errorf("the flooding user got %d answers and %d notices, want 20 and 1", helps, notices)
	}
	if got := other.Drain(); len(got) != 1 || !strings.Contains(got[0].Text, "/start") {
		t.Errorf("the other user got %v, want one answer", got)
	}
	// Dropped on purpose, not lost: confirmed with the rest, and said so.
	if off, _ := tb.db.Offset(); off <= ids[len(ids)-1] {
		t.Errorf("offset %d: the dropped updates were not confirmed", off)
	}
	if n := strings.Count(logs.String(), "user over the update limit"); n != 1 || !strings.Contains(logs.String(), "user_id=601 limit=20 window=10s") {
		t.Errorf("%d log lines about the flood, want one naming the user and the limit:\n%s", n, logs.String())
	}

	mu.Lock()
	now = now.Add(10 * time.Second)
	mu.Unlock()
	flooder.Send("/help")
	expectNext(t, flooder, "/start")
}

// TestShutdownCutsAHangingSend: SIGTERM while a reply's sendMessage hangs
// is honoured within 5 s; the reply stays in the outbox and goes out
// after the restart.
func TestShutdownCutsAHangingSend(t *testing.T) {
	srv := telegramtest.NewServer(t)
	path := filepath.Join(t.TempDir(), "mmo.db")
	opt := testOptions(srv)
	opt.RequestTimeout = time.Minute
	tb := startBot(t, srv, path, opt, nil)
	u := srv.NewUser(411, "А", "ru")
	srv.Inject(telegramtest.Fault{Method: "sendMessage", ChatID: u.ID, Kind: telegramtest.Hang})
	u.Send("/help")
	waitUntil(t, "the reply to hang", func() bool { return srv.Hanging("sendMessage") == 1 })
	tb.cancel()
	select {
	case err := <-tb.done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return within 5 s of the cancel while sendMessage hung")
	}
	tb.done <- nil // for the cleanup's wait
	tb.stop()
	if len(u.Messages()) != 0 {
		t.Fatal("the hanging reply was recorded as sent")
	}
	startBot(t, srv, path, testOptions(srv), nil)
	expectNext(t, u, "/start")
}
