package telegram

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mmobot/mmobot/internal/boltdb"
	"github.com/mmobot/mmobot/internal/i18n"
	"github.com/mmobot/mmobot/internal/mmo"
	"github.com/mmobot/mmobot/internal/telegram/telegramtest"
	"github.com/mmobot/mmobot/locales"
)

// testBot is a bot over a store file and a fake server.
type testBot struct {
	t      *testing.T
	bot    *Bot
	db     *boltdb.DB
	cancel context.CancelFunc
	done   chan error
}

func testOptions(srv *telegramtest.Server) Options {
	return Options{
		Token:          telegramtest.Token,
		Endpoint:       srv.Endpoint(),
		PollTimeout:    2 * time.Second,
		RequestTimeout: 5 * time.Second,
		Workers:        4,
		Limits:         Limits{Global: 500, Private: 200, PrivateBurst: 50, GroupPerMinute: 600},
		Log:            slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
}

// quickRetry is the message retry policy of tests that must lose
// nothing: the real one's shape, in milliseconds, with room for a slow
// machine before anything is set aside.
var quickRetry = retryPolicy{first: 20 * time.Millisecond, most: 320 * time.Millisecond, budget: 10 * time.Second}

// startBot opens the store at path and runs a bot until the test ends or
// stop is called. edit may change the bot before it runs.
func startBot(t *testing.T, srv *telegramtest.Server, path string, opt Options, edit func(*Bot)) *testBot {
	t.Helper()
	db, err := boltdb.Open(path, boltdb.Options{Timeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	cat, err := i18n.New(locales.FS)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	bot, err := New(ctx, db, cat, opt)
	if err != nil {
		cancel()
		db.Close()
		t.Fatal(err)
	}
	if edit != nil {
		edit(bot)
	}
	tb := &testBot{t: t, bot: bot, db: db, cancel: cancel, done: make(chan error, 1)}
	go func() { tb.done <- bot.Run(ctx) }()
	t.Cleanup(tb.stop)
	return tb
}

// stop stops the bot and closes its store.
func (tb *testBot) stop() {
	if tb.cancel == nil {
		return
	}
	tb.cancel()
	tb.wait()
}

// wait waits for Run to return and closes the store.
func (tb *testBot) wait() {
	select {
	case err := <-tb.done:
		if err != nil {
			tb.t.Errorf("Run: %v", err)
		}
	case <-time.After(15 * time.Second):
		tb.t.Fatal("Run did not return")
	}
	tb.cancel()
	tb.cancel = nil
	tb.db.Close()
}

// expectTexts waits for the chat's next messages and checks each contains
// its fragment, then that nothing else arrives once the server settles.
func expectTexts(t *testing.T, srv *telegramtest.Server, u *telegramtest.User, fragments ...string) {
	t.Helper()
	for _, f := range fragments {
		m := u.Next(t)
		if !strings.Contains(m.Text, f) {
			t.Fatalf("user %d: got %q, want a message with %q", u.ID, m.Text, f)
		}
	}
	srv.Settle(t)
	if extra := u.Drain(); len(extra) != 0 {
		t.Fatalf("user %d got %d unexpected messages, first %q", u.ID, len(extra), extra[0].Text)
	}
}

func TestCrashBeforeOffsetIsSavedRedeliversOnce(t *testing.T) {
	srv := telegramtest.NewServer(t)
	path := filepath.Join(t.TempDir(), "mmo.db")
	users := []*telegramtest.User{srv.NewUser(1, "А", "ru"), srv.NewUser(2, "Б", "ru"), srv.NewUser(3, "В", "ru")}
	for _, u := range users {
		u.Send("/start")
	}
	// The first bot handles the batch and "crashes" before saving the
	// offset: the store is left as a kill would leave it, and Telegram
	// has not been told the updates were received.
	first := startBot(t, srv, path, testOptions(srv), func(b *Bot) {
		b.testHookAfterBatch = func(int) bool { return false }
	})
	first.wait()
	if c := srv.Confirmed(); c != 0 {
		t.Fatalf("updates confirmed before the offset was saved: %d", c)
	}
	// More updates arrive while the bot is down.
	users[0].Send("/help")

	startBot(t, srv, path, testOptions(srv), nil)
	for _, u := range users[1:] {
		expectTexts(t, srv, u, "Здравствуйте", "152-ФЗ")
	}
	expectTexts(t, srv, users[0], "Здравствуйте", "152-ФЗ", "/start")
	if c := srv.Confirmed(); c != 4 {
		t.Errorf("confirmed = %d, want 4", c)
	}
}

func TestOutboxSentAfterRestart(t *testing.T) {
	srv := telegramtest.NewServer(t)
	path := filepath.Join(t.TempDir(), "mmo.db")
	// Replies committed by a bot killed before it could send them.
	db, err := boltdb.Open(path, boltdb.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	u := srv.NewUser(10, "А", "ru")
	err = db.Update(func(tx *boltdb.Tx) error {
		for _, text := range []string{"первое", "второе", "третье"} {
			data, _ := json.Marshal(outMsg{Kind: outSend, ChatID: u.ID, Text: text})
			if err := tx.Enqueue(&boltdb.OutboxItem{ChatID: u.ID, Payload: data}); err != nil {
				return err
			}
		}
		return nil
	})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	tb := startBot(t, srv, path, testOptions(srv), nil)
	expectTexts(t, srv, u, "первое", "второе", "третье")
	// The server hears a send before the bot has recorded it.
	waitUntil(t, "the outbox to empty", func() bool { n, _ := tb.db.OutboxLen(); return n == 0 })
}

func TestPollingFaultsLoseNothing(t *testing.T) {
	srv := telegramtest.NewServer(t)
	path := filepath.Join(t.TempDir(), "mmo.db")
	startBot(t, srv, path, testOptions(srv), nil)
	u := srv.NewUser(20, "А", "ru")
	for _, f := range []telegramtest.Fault{
		{Method: "getUpdates", Kind: telegramtest.TooManyRequests, RetryAfter: 1},
		{Method: "getUpdates", Kind: telegramtest.ServerError},
		{Method: "getUpdates", Kind: telegramtest.BadGateway},
		{Method: "getUpdates", Kind: telegramtest.Drop},
	} {
		srv.Inject(f)
		u.Send("/help")
		expectTexts(t, srv, u, "/start")
	}
}

func TestSendingFaultsLoseNothing(t *testing.T) {
	srv := telegramtest.NewServer(t)
	path := filepath.Join(t.TempDir(), "mmo.db")
	opt := testOptions(srv)
	startBot(t, srv, path, opt, func(b *Bot) { b.out.msgRetry = quickRetry })
	u := srv.NewUser(30, "А", "ru")
	srv.Inject(telegramtest.Fault{Method: "sendMessage", Kind: telegramtest.TooManyRequests, RetryAfter: 1})
	srv.Inject(telegramtest.Fault{Method: "sendMessage", Kind: telegramtest.ServerError})
	srv.Inject(telegramtest.Fault{Method: "sendMessage", Kind: telegramtest.BadGateway})
	srv.Inject(telegramtest.Fault{Method: "sendMessage", Kind: telegramtest.Drop})
	u.Send("/start")
	expectTexts(t, srv, u, "Здравствуйте", "152-ФЗ")
	if st := srv.Stats(); st.Faults != 4 {
		t.Errorf("faults hit = %d, want 4", st.Faults)
	}
}

func TestSendingRetriesInOrder(t *testing.T) {
	// Failures in a row: the outbox keeps the item and tries again
	// later, the chat's next message waiting behind it, so the answers
	// still arrive, in order.
	srv := telegramtest.NewServer(t)
	path := filepath.Join(t.TempDir(), "mmo.db")
	startBot(t, srv, path, testOptions(srv), func(b *Bot) { b.out.msgRetry = quickRetry })
	u := srv.NewUser(31, "А", "ru")
	srv.Inject(telegramtest.Fault{Method: "sendMessage", Kind: telegramtest.BadGateway, Count: 3})
	u.Send("/start")
	expectTexts(t, srv, u, "Здравствуйте", "152-ФЗ")
}

func TestUpdatesOfOneChatInOrder(t *testing.T) {
	srv := telegramtest.NewServer(t)
	path := filepath.Join(t.TempDir(), "mmo.db")
	u := srv.NewUser(40, "А", "ru")
	startBot(t, srv, path, testOptions(srv), nil)
	u.Send("/start")
	u.Next(t)
	consent := u.Next(t)
	if _, err := u.Press(&consent, "Согласен"); err != nil {
		t.Fatal(err)
	}
	u.Next(t) // edited consent
	u.Next(t) // step 1
	// Three answers typed at once land in one batch; handled out of order
	// they would fail validation or fill the wrong fields.
	u.Send("Иванова Мария Петровна")
	u.Send("Лицей № 1")
	u.Send("учитель химии")
	expectTexts(t, srv, u, "Шаг 2", "Шаг 3", "Иванова Мария Петровна")
}

func TestEmptyAnswersDoNotSpin(t *testing.T) {
	srv := telegramtest.NewServer(t, telegramtest.Options{NoLongPoll: true})
	path := filepath.Join(t.TempDir(), "mmo.db")
	startBot(t, srv, path, testOptions(srv), nil)
	time.Sleep(3 * time.Second)
	// Spinning would make tens of thousands of calls; the backoff caps
	// it near one a second once the server keeps answering empty.
	if n := srv.Calls("getUpdates"); n > 20 {
		t.Errorf("%d getUpdates calls in 3 s against a server without long polling", n)
	}
	// And an update is still picked up.
	u := srv.NewUser(50, "А", "ru")
	u.Send("/help")
	expectTexts(t, srv, u, "/start")
}

func TestHandlerPanicApologisesOnce(t *testing.T) {
	srv := telegramtest.NewServer(t)
	path := filepath.Join(t.TempDir(), "mmo.db")
	var calls atomic.Int32
	tb := startBot(t, srv, path, testOptions(srv), func(b *Bot) {
		b.routes.commands["boom"] = route{role: 0, fn: func(r *Request) error {
			calls.Add(1)
			r.Reply("half-done work")
			panic("boom")
		}}
	})
	u := srv.NewUser(60, "А", "ru")
	id := u.Send("/boom")
	expectTexts(t, srv, u, "что-то пошло не так")
	if _, ok := tb.db.HandledAt(id); !ok && srv.Confirmed() < id {
		t.Error("the failed update was not marked handled")
	}
	if calls.Load() != 1 {
		t.Errorf("handler ran %d times", calls.Load())
	}
}

func TestShutdownCutsTheLongPoll(t *testing.T) {
	srv := telegramtest.NewServer(t)
	path := filepath.Join(t.TempDir(), "mmo.db")
	opt := testOptions(srv)
	opt.PollTimeout = 50 * time.Second
	tb := startBot(t, srv, path, opt, nil)
	u := srv.NewUser(70, "А", "ru")
	u.Send("/help")
	u.Next(t)
	srv.Settle(t) // the bot now waits in a 50 s long poll
	start := time.Now()
	tb.stop()
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("shutdown took %v: the long poll was not cut", d)
	}
}

func TestMenusRefreshedWhenTheBuildChangesThem(t *testing.T) {
	srv := telegramtest.NewServer(t)
	path := filepath.Join(t.TempDir(), "mmo.db")
	db, err := boltdb.Open(path, boltdb.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	srv.NewUser(80, "А", "ru")
	now := time.Now()
	err = db.Update(func(tx *boltdb.Tx) error {
		tx.PutUser(&mmo.User{ID: 81, RegisteredAt: now, Name: "Член Обычный"}) // default menu
		return tx.PutUser(&mmo.User{ID: 80, RegisteredAt: now, Name: "Координатор Главный", Coordinator: true})
	})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	chatMenuCalls := func() int {
		n := 0
		for _, r := range srv.Requests() {
			if r.Method == "setMyCommands" && strings.Contains(r.Params.Get("scope"), `"chat"`) {
				n++
			}
		}
		return n
	}

	// Menus are queued before polling starts and set in the background:
	// once an update was answered and the outbox is empty, every menu the
	// start queued has been set.
	asker := int64(90)
	settled := func(tb *testBot) {
		t.Helper()
		asker++
		u := srv.NewUser(asker, "Г", "ru")
		u.Send("/help")
		u.Next(t)
		waitUntil(t, "the outbox to empty", func() bool { n, _ := tb.db.OutboxLen(); return n == 0 })
		srv.Settle(t)
	}

	tb := startBot(t, srv, path, testOptions(srv), nil)
	settled(tb)
	if got := srv.ChatCommands(80); len(got) == 0 {
		t.Fatal("the coordinator's menu was not set at the first start")
	}
	if n := chatMenuCalls(); n != 1 {
		t.Errorf("%d chat menus set, want 1 (members keep the default)", n)
	}
	defaults := srv.Calls("setMyCommands") - 1
	tb.stop()

	tb = startBot(t, srv, path, testOptions(srv), nil)
	settled(tb)
	if n := chatMenuCalls(); n != 1 {
		t.Errorf("menus set again although unchanged: %d calls", n)
	}
	if n := srv.Calls("setMyCommands") - 1; n != defaults {
		t.Errorf("default menus set again although unchanged: %d calls, then %d", defaults, n)
	}
	tb.stop()

	tb = startBot(t, srv, path, testOptions(srv), func(b *Bot) {
		b.routes.commands["extra"] = route{role: mmo.RoleCoordinator, fn: b.cmdHelp, menu: "menu.help"}
		b.routes.order = append(b.routes.order, "extra")
	})
	settled(tb)
	got := srv.ChatCommands(80)
	if n := chatMenuCalls(); n != 2 || len(got) == 0 || got[len(got)-1].Command != "extra" {
		t.Errorf("after a menu change: %d calls, menu %v", n, got)
	}
}

// A bad alert time is refused before the bot connects, so the daily jobs
// never run at a time nobody set.
func TestNewRefusesABadAlertTime(t *testing.T) {
	srv := telegramtest.NewServer(t)
	opt := testOptions(srv)
	opt.AlertsAt = "9 утра"
	if _, err := New(context.Background(), nil, nil, opt); err == nil || !strings.Contains(err.Error(), `alerts time "9 утра"`) {
		t.Fatalf("New = %v, want an error naming the alert time", err)
	}
}
