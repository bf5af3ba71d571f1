package app

import (
	"context"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mmobot/mmobot/internal/boltdb"
	"github.com/mmobot/mmobot/internal/config"
	"github.com/mmobot/mmobot/internal/max/maxtest"
	"github.com/mmobot/mmobot/internal/mmo"
	"github.com/mmobot/mmobot/internal/telegram"
	"github.com/mmobot/mmobot/internal/telegram/telegramtest"
)

// clock is a settable clock for dialog expiry and the like.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// harness runs the real program against the fake Bot API server.
type harness struct {
	t   *testing.T
	srv *telegramtest.Server
	// mx is the fake MAX server, nil unless the bot runs on MAX (see
	// newHarnessOn).
	mx    *maxtest.Server
	cfg   config.Config
	clock *clock
	logs  *telegramtest.LogBuffer
	// backupIdle, when set, is the Main's BackupIdle.
	backupIdle time.Duration
	scans      scanLog
	backups    backupLog

	// liveCount turns on the live delivery count of the leaders' cards
	// (see live_test.go); off, a card changes only when it is drawn.
	liveCount bool

	m      *Main
	cancel context.CancelFunc
	done   chan error
}

const adminID = 900001

func testConfig(t *testing.T, srv *telegramtest.Server) config.Config {
	cfg := config.Default()
	cfg.Telegram.Token = telegramtest.Token
	cfg.Telegram.APIEndpoint = srv.Endpoint()
	cfg.Telegram.PollTimeout = 2 * time.Second
	cfg.Telegram.RequestTimeout = 5 * time.Second
	cfg.Telegram.Workers = 4
	cfg.Admins = []config.Admin{config.TelegramAdmin(adminID)}
	cfg.Data.Path = filepath.Join(t.TempDir(), "mmo.db")
	cfg.Data.OpenTimeout = 2 * time.Second
	cfg.Log.Level = "debug"
	// Tests type faster than a person; the per-chat limit and the limit on
	// a user's updates have tests of their own.
	cfg.Limits.PrivatePerSecond = 200
	cfg.Limits.PrivateBurst = 50
	cfg.Limits.GlobalPerSecond = 500
	cfg.Limits.UserUpdates = 0
	// Health and metrics on a port of the system's choosing; scheduled
	// backups only where a test turns them on.
	cfg.HTTP.Addr = "127.0.0.1:0"
	cfg.Backup.Every = 0
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	return cfg
}

// newHarness starts the bot against a new fake server.
func newHarness(t *testing.T, opts ...telegramtest.Options) *harness {
	t.Helper()
	return newHarnessWith(t, nil, opts...)
}

// newHarnessWith starts the bot with a config changed by edit.
func newHarnessWith(t *testing.T, edit func(*config.Config), opts ...telegramtest.Options) *harness {
	t.Helper()
	srv := telegramtest.NewServer(t, opts...)
	h := &harness{
		t:     t,
		srv:   srv,
		cfg:   testConfig(t, srv),
		clock: &clock{t: time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)},
		logs:  &telegramtest.LogBuffer{},
	}
	if edit != nil {
		edit(&h.cfg)
	}
	h.passOverDoneQuestions()
	h.start()
	t.Cleanup(func() {
		h.stop()
		if t.Failed() {
			t.Logf("bot log:\n%s", h.logs.String())
		}
	})
	return h
}

func (h *harness) start() {
	h.t.Helper()
	live := time.Duration(-1) // the tests written before the live count read the card on presses
	if h.liveCount {
		live = 0
	}
	h.m = &Main{Config: h.cfg, Now: h.clock.Now, Log: NewLogger(h.cfg, h.logs), DueInterval: 20 * time.Millisecond, LiveEvery: live,
		BackupIdle: h.backupIdle, OnDueScan: h.scans.record,
		BackupCheck: 10 * time.Millisecond, OnBackupCheck: h.backups.record,
		Build: testBuild}
	ctx, cancel := context.WithCancel(context.Background())
	if err := h.m.Open(ctx); err != nil {
		cancel()
		h.t.Fatalf("open: %v", err)
	}
	h.cancel = cancel
	h.done = make(chan error, 1)
	go func() { h.done <- h.m.Run(ctx) }()
}

// stop shuts the bot down as SIGTERM would.
func (h *harness) stop() {
	if h.cancel == nil {
		return
	}
	h.cancel()
	select {
	case err := <-h.done:
		if err != nil {
			h.t.Errorf("Run: %v", err)
		}
	case <-time.After(15 * time.Second):
		h.t.Error("the bot did not stop within 15 s")
	}
	if err := h.m.Close(); err != nil {
		h.t.Errorf("Close: %v", err)
	}
	h.cancel = nil
}

func (h *harness) restart() {
	h.stop()
	h.start()
}

// user creates a simulated Telegram user with a Russian client.
func (h *harness) user(id int64, firstName string) *telegramtest.User {
	return h.srv.NewUser(id, firstName, "ru")
}

// next returns the user's next message, failing if it lacks want.
func next(t *testing.T, u *telegramtest.User, want ...string) telegramtest.Message {
	t.Helper()
	m := u.Next(t)
	for _, w := range want {
		if !strings.Contains(m.Text, w) {
			t.Fatalf("message %q lacks %q", m.Text, w)
		}
	}
	return m
}

// press presses a button and returns the callback answer.
func press(t *testing.T, u *telegramtest.User, m telegramtest.Message, button string) telegramtest.CallbackAnswer {
	t.Helper()
	id, err := u.Press(&m, button)
	if err != nil {
		t.Fatalf("press %q: %v (message %q)", button, err, m.Text)
	}
	return u.Answer(t, id)
}

// register walks a user through the whole registration.
func (h *harness) register(u *telegramtest.User, name, school, position string) {
	t := h.t
	t.Helper()
	u.Send("/start")
	next(t, u, "Здравствуйте")
	consent := next(t, u, "152-ФЗ")
	press(t, u, consent, "Даю согласие")
	next(t, u, "Согласие получено") // the consent message, edited
	next(t, u, "Шаг 1 из 3")
	u.Send(name)
	next(t, u, "Шаг 2 из 3")
	u.Send(school)
	next(t, u, "Шаг 3 из 3")
	u.Send(position)
	next(t, u, "вы зарегистрированы")
}

// storedUser reads the user of a Telegram user id from the store of the
// running bot.
func (h *harness) storedUser(id int64) (*mmo.User, error) {
	var u *mmo.User
	err := h.m.DB.View(func(tx *boltdb.Tx) error {
		var err error
		u, err = tx.UserByAccount(telegram.Messenger, id)
		return err
	})
	return u, err
}

// uid is the bot's own id of the user of a Telegram user id, which the
// store's records refer to.
func (h *harness) uid(id int64) int64 {
	h.t.Helper()
	u, err := h.storedUser(id)
	if err != nil {
		h.t.Fatalf("the user of Telegram id %d: %v", id, err)
	}
	return u.ID
}

// dialog reads the open dialog of the user of a Telegram user id, nil
// if none.
func (h *harness) dialog(id int64) *mmo.Dialog {
	var d *mmo.Dialog
	h.m.DB.View(func(tx *boltdb.Tx) error {
		if u, err := tx.UserByAccount(telegram.Messenger, id); err == nil {
			d, _ = tx.Dialog(u.ID)
		}
		return nil
	})
	return d
}

// nextSkipping returns the next message containing want, skipping messages
// that start with skip (such as the daily digest).
func nextSkipping(t *testing.T, u *telegramtest.User, skip, want string) telegramtest.Message {
	t.Helper()
	for {
		m := u.Next(t)
		if strings.HasPrefix(m.Text, skip) {
			continue
		}
		if !strings.Contains(m.Text, want) {
			t.Fatalf("message %q lacks %q", m.Text, want)
		}
		return m
	}
}

// waitUntil polls cond until it holds, failing the test after 30 s. It
// waits for something to happen, never for nothing to.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// settle waits until every update is confirmed and every reply the bot
// queued was accepted by the server: the outbox is empty, so nothing the
// updates caused is still on its way.
func (h *harness) settle() {
	h.t.Helper()
	h.srv.Settle(h.t)
	if h.mx != nil {
		h.mx.Settle(h.t)
	}
	waitUntil(h.t, "an empty outbox", func() bool {
		n, err := h.m.DB.OutboxLen()
		return err == nil && n == 0
	})
}

// scanLog counts the bot's completed due scans, for tests that must know
// the scheduler has looked at the clock they moved.
type scanLog struct {
	mu     sync.Mutex
	n      int       // completed scans
	now    time.Time // the clock of the latest
	queued bool      // whether the latest queued messages
}

func (l *scanLog) record(now time.Time, queued bool) {
	l.mu.Lock()
	l.n++
	l.now, l.queued = now, queued
	l.mu.Unlock()
}

func (l *scanLog) count() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.n
}

// waitScan waits for a due scan that began after the call, on the state
// and clock as they are now, and, if idle, queued nothing. Scans never
// overlap, so the second to complete after the call began after it.
func (h *harness) waitScan(idle bool) {
	h.t.Helper()
	after := h.scans.count() + 1
	at := h.clock.Now()
	waitUntil(h.t, "a due scan of the moved clock", func() bool {
		h.scans.mu.Lock()
		defer h.scans.mu.Unlock()
		if h.scans.n <= after || h.scans.now.Before(at) {
			return false
		}
		if idle && h.scans.queued {
			after = h.scans.n // queued something: wait for a scan after it
			return false
		}
		return true
	})
}

// scanned waits until the scheduler has run on the clock as it is now,
// and what it sent has reached the server.
func (h *harness) scanned() {
	h.t.Helper()
	h.settle()
	h.waitScan(false)
	h.settle()
}

// quiet waits until the bot has nothing more to say: every update is
// handled, a due scan of the clock as it is now found nothing to queue,
// and every queued message has reached the server. After it a test may
// assert that nothing else arrived.
func (h *harness) quiet() {
	h.t.Helper()
	h.settle()
	h.waitScan(true)
	h.settle()
}
