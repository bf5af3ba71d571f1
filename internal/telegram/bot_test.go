package telegram

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mmobot/mmobot/internal/boltdb"
	"github.com/mmobot/mmobot/internal/chat"
	"github.com/mmobot/mmobot/internal/i18n"
	"github.com/mmobot/mmobot/internal/mmo"
	"github.com/mmobot/mmobot/internal/outbox"
	"github.com/mmobot/mmobot/internal/telegram/telegramtest"
	"github.com/mmobot/mmobot/locales"
)

// testBot is the transport and the conversation over a store file and a
// fake server.
type testBot struct {
	t      *testing.T
	srv    *telegramtest.Server
	bot    *Bot
	engine *chat.Engine
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

// tgAccount is the account list of a Telegram user.
func tgAccount(id int64) []mmo.Account {
	return []mmo.Account{{Messenger: Messenger, ID: id}}
}

// chatOptions are the conversation's options of the tests: its log goes
// where the transport's does.
func chatOptions(opt Options) chat.Options {
	return chat.Options{Log: opt.Log}
}

// quickRetry is the message retry policy of tests that must lose
// nothing: the real one's shape, in milliseconds, with room for a slow
// machine before anything is set aside.
var quickRetry = outbox.Retry{First: 20 * time.Millisecond, Most: 320 * time.Millisecond, Budget: 10 * time.Second}

// startBot opens the store at path and runs the transport, with the
// conversation behind it, until the test ends or stop is called. edit may
// change the transport before it runs.
func startBot(t *testing.T, srv *telegramtest.Server, path string, opt Options, edit func(*Bot)) *testBot {
	t.Helper()
	return startBotWith(t, srv, path, opt, chatOptions(opt), edit)
}

// startBotWith is startBot with the conversation's options; it adds the
// transport to them. Menus are queued at the start, as the program does.
func startBotWith(t *testing.T, srv *telegramtest.Server, path string, opt Options, copt chat.Options, edit func(*Bot)) *testBot {
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
	bot, err := New(ctx, db, opt)
	if err != nil {
		cancel()
		db.Close()
		t.Fatal(err)
	}
	copt.Transports = []chat.Transport{bot.Transport()}
	copt.Wake = bot.Wake
	engine, err := chat.New(db, cat, copt)
	if err != nil {
		cancel()
		db.Close()
		t.Fatal(err)
	}
	if err := engine.RefreshMenus(); err != nil {
		t.Fatal(err)
	}
	if edit != nil {
		edit(bot)
	}
	tb := &testBot{t: t, srv: srv, bot: bot, engine: engine, db: db, cancel: cancel, done: make(chan error, 1)}
	go func() { tb.done <- bot.Run(ctx, engine) }()
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

// settled waits for the explicit signs that everything the updates sent
// so far caused has happened: each update confirmed (so handled, and its
// replies committed to the outbox: the offset is saved only after that),
// and the outbox empty (so every reply was accepted by the server, which
// records a message before it answers).
func (tb *testBot) settled() {
	tb.t.Helper()
	waitUntil(tb.t, "every update confirmed and the outbox empty", func() bool {
		n, err := tb.db.OutboxLen()
		return tb.srv.Pending() == 0 && err == nil && n == 0
	})
}

// expectTexts waits for the chat's next messages and checks each contains
// its fragment, then, once everything the updates caused has happened
// (settled), that nothing else arrived.
func (tb *testBot) expectTexts(u *telegramtest.User, fragments ...string) {
	t := tb.t
	t.Helper()
	for _, f := range fragments {
		m := u.Next(t)
		if !strings.Contains(m.Text, f) {
			t.Fatalf("user %d: got %q, want a message with %q", u.ID, m.Text, f)
		}
	}
	tb.settled()
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

	tb := startBot(t, srv, path, testOptions(srv), nil)
	for _, u := range users[1:] {
		tb.expectTexts(u, "Здравствуйте", "152-ФЗ")
	}
	tb.expectTexts(users[0], "Здравствуйте", "152-ФЗ", "/start")
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
			data, _ := json.Marshal(chat.Message{Kind: chat.KindSend, Chat: u.ID, Text: text})
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
	tb.expectTexts(u, "первое", "второе", "третье")
}

func TestPollingFaultsLoseNothing(t *testing.T) {
	srv := telegramtest.NewServer(t)
	path := filepath.Join(t.TempDir(), "mmo.db")
	tb := startBot(t, srv, path, testOptions(srv), nil)
	u := srv.NewUser(20, "А", "ru")
	for _, f := range []telegramtest.Fault{
		{Method: "getUpdates", Kind: telegramtest.TooManyRequests, RetryAfter: 1},
		{Method: "getUpdates", Kind: telegramtest.ServerError},
		{Method: "getUpdates", Kind: telegramtest.BadGateway},
		{Method: "getUpdates", Kind: telegramtest.Drop},
	} {
		srv.Inject(f)
		u.Send("/help")
		tb.expectTexts(u, "/start")
	}
}

func TestSendingFaultsLoseNothing(t *testing.T) {
	srv := telegramtest.NewServer(t)
	path := filepath.Join(t.TempDir(), "mmo.db")
	opt := testOptions(srv)
	tb := startBot(t, srv, path, opt, func(b *Bot) { b.out.MsgRetry = quickRetry })
	u := srv.NewUser(30, "А", "ru")
	srv.Inject(telegramtest.Fault{Method: "sendMessage", Kind: telegramtest.TooManyRequests, RetryAfter: 1})
	srv.Inject(telegramtest.Fault{Method: "sendMessage", Kind: telegramtest.ServerError})
	srv.Inject(telegramtest.Fault{Method: "sendMessage", Kind: telegramtest.BadGateway})
	srv.Inject(telegramtest.Fault{Method: "sendMessage", Kind: telegramtest.Drop})
	u.Send("/start")
	tb.expectTexts(u, "Здравствуйте", "152-ФЗ")
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
	tb := startBot(t, srv, path, testOptions(srv), func(b *Bot) { b.out.MsgRetry = quickRetry })
	u := srv.NewUser(31, "А", "ru")
	srv.Inject(telegramtest.Fault{Method: "sendMessage", Kind: telegramtest.BadGateway, Count: 3})
	u.Send("/start")
	tb.expectTexts(u, "Здравствуйте", "152-ФЗ")
}

func TestUpdatesOfOneChatInOrder(t *testing.T) {
	srv := telegramtest.NewServer(t)
	passOverDoneQuestions(srv)
	path := filepath.Join(t.TempDir(), "mmo.db")
	u := srv.NewUser(40, "А", "ru")
	tb := startBot(t, srv, path, testOptions(srv), nil)
	u.Send("/start")
	u.Next(t)
	consent := u.Next(t)
	if _, err := u.Press(&consent, "Даю согласие"); err != nil {
		t.Fatal(err)
	}
	u.Next(t) // edited consent
	u.Next(t) // step 1
	// Three answers typed at once land in one batch; handled out of order
	// they would fail validation or fill the wrong fields.
	u.Send("Иванова Мария Петровна")
	u.Send("Лицей № 1")
	u.Send("учитель химии")
	tb.expectTexts(u, "Шаг 2", "Шаг 3", "Иванова Мария Петровна")
}

// TestEmptyAnswersDoNotSpin measures a rate: the getUpdates calls made
// in 3 s against a server that answers at once with nothing. The sleep is
// the measuring window, not a wait for something not to happen.
func TestEmptyAnswersDoNotSpin(t *testing.T) {
	srv := telegramtest.NewServer(t, telegramtest.Options{NoLongPoll: true})
	path := filepath.Join(t.TempDir(), "mmo.db")
	tb := startBot(t, srv, path, testOptions(srv), nil)
	time.Sleep(3 * time.Second)
	// Spinning would make tens of thousands of calls; the backoff caps
	// it near one a second once the server keeps answering empty.
	if n := srv.Calls("getUpdates"); n > 20 {
		t.Errorf("%d getUpdates calls in 3 s against a server without long polling", n)
	}
	// And an update is still picked up.
	u := srv.NewUser(50, "А", "ru")
	u.Send("/help")
	tb.expectTexts(u, "/start")
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

// passOverDoneQuestions makes srv's readers pass over an edit that only
// took «✖ Отмена» off a form's answered question, as the journeys of the
// app do: the registration asks each step with it.
func passOverDoneQuestions(srv *telegramtest.Server) {
	srv.PassOver(func(before, after telegramtest.Message) bool {
		return before.Text == after.Text && len(after.Keyboard) == 0 && len(before.Keyboard) > 0 && before.Keyboard[len(before.Keyboard)-1][0].Text == "✖ Отмена"
	})
}
