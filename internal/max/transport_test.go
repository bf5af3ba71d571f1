package max

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mmobot/mmobot/internal/boltdb"
	"github.com/mmobot/mmobot/internal/chat"
	"github.com/mmobot/mmobot/internal/i18n"
	"github.com/mmobot/mmobot/internal/max/maxtest"
	"github.com/mmobot/mmobot/internal/mmo"
	"github.com/mmobot/mmobot/locales"
)

// The crash and fault twins of the Telegram transport's tests: a kill
// during a broadcast, an update redelivered after a crash, a 429 storm.

// testBot is the transport and the conversation over a store file and
// the fake server.
type testBot struct {
	t       *testing.T
	bot     *Bot
	db      *boltdb.DB
	handled *counting
	cancel  context.CancelFunc
	done    chan error
}

// counting is the conversation, counting how updates ended.
type counting struct {
	*chat.Engine
	duplicates atomic.Int32
}

func (c *counting) Handle(ctx context.Context, u *chat.Update) (chat.Result, error) {
	res, err := c.Engine.Handle(ctx, u)
	if res.Outcome == chat.OutcomeDuplicate {
		c.duplicates.Add(1)
	}
	return res, err
}

var testLog io.Writer = io.Discard

func testOptions(srv *maxtest.Server) BotOptions {
	return BotOptions{
		Token: srv.Token(), BaseURL: srv.URL(), PollTimeout: 2 * time.Second, RequestTimeout: 5 * time.Second,
		Workers: 4, PerSecond: 2000, Log: slog.New(slog.NewTextHandler(testLog, nil)),
	}
}

func startBot(t *testing.T, path string, opt BotOptions, edit func(*Bot)) *testBot {
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
	bot, err := NewBot(ctx, db, opt)
	if err != nil {
		cancel()
		db.Close()
		t.Fatal(err)
	}
	engine, err := chat.New(db, cat, chat.Options{Log: opt.Log, Transports: []chat.Transport{bot.Transport()}, Wake: bot.Wake})
	if err != nil {
		cancel()
		db.Close()
		t.Fatal(err)
	}
	if edit != nil {
		edit(bot)
	}
	tb := &testBot{t: t, bot: bot, db: db, handled: &counting{Engine: engine}, cancel: cancel, done: make(chan error, 1)}
	go func() { tb.done <- bot.Run(ctx, tb.handled) }()
	t.Cleanup(tb.stop)
	return tb
}

// stop stops the bot (or waits for it to have stopped) and closes its
// store.
func (tb *testBot) stop() {
	if tb.cancel == nil {
		return
	}
	tb.cancel()
	select {
	case err := <-tb.done:
		if err != nil {
			tb.t.Errorf("Run: %v", err)
		}
	case <-time.After(15 * time.Second):
		tb.t.Fatal("Run did not return")
	}
	tb.cancel = nil
	tb.db.Close()
}

// waitFor polls cond until it holds, failing after 60 s: it waits for
// something to happen, never for nothing to.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// seedAssociation stores an association whose leader (user 1) and n
// members have MAX accounts, and a draft event.
func seedAssociation(t *testing.T, path string, users []*maxtest.User, start time.Time) uint64 {
	t.Helper()
	db, err := boltdb.Open(path, boltdb.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	now := time.Now()
	var eventID uint64
	err = db.Update(func(tx *boltdb.Tx) error {
		a := &mmo.Association{Name: "ММО", Subject: "математика", Policy: mmo.PolicyOpen}
		if err := tx.CreateAssociation(a); err != nil {
			return err
		}
		for _, mu := range users[1:] {
			u := &mmo.User{ID: mu.ID, Accounts: []mmo.Account{{Messenger: Messenger, ID: mu.ID, Chat: mu.ChatID}},
				Name: fmt.Sprintf("Участник Номер %d", mu.ID), School: "Школа", Position: "учитель", RegisteredAt: now, ConsentAt: now}
			if err := tx.PutUser(u); err != nil {
				return err
			}
			if err := tx.PutMembership(&mmo.Membership{AssociationID: a.ID, UserID: mu.ID, State: mmo.MemberActive, JoinedAt: now}); err != nil {
				return err
			}
		}
		if err := tx.SetLeader(a.ID, 1); err != nil {
			return err
		}
		e := &mmo.Event{AssociationID: a.ID, Format: mmo.FormatSeminar, Topic: "Тема", Start: start, Duration: time.Hour,
			Place: "Школа № 1", State: mmo.EventDraft, CreatedBy: 1}
		if err := tx.CreateEvent(e); err != nil {
			return err
		}
		eventID = e.ID
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return eventID
}

// members creates the leader (index 1) and n members as MAX users.
func members(srv *maxtest.Server, n int) []*maxtest.User {
	us := make([]*maxtest.User, n+2)
	for id := int64(1); id <= int64(n)+1; id++ {
		us[id] = srv.NewUser(id, "U", "ru")
	}
	return us
}

// publish presses the publish button of an event as its leader would.
func publish(t *testing.T, b *Bot, leader *maxtest.User, eventID uint64) {
	t.Helper()
	data, err := b.codec.encode(leader.ChatID, "ep", strconv.FormatUint(eventID, 10)) // chat's verbEventPublish
	if err != nil {
		t.Fatal(err)
	}
	// A press comes on a message of the bot's, which names the chat.
	leader.Send("/help")
	m := leader.Next(t)
	leader.PressData(m.ID, data)
}

// announced counts the members holding the announcement, and those who
// hold it more than once.
func announced(us []*maxtest.User) (have, twice int) {
	for _, u := range us[2:] {
		n := 0
		for _, m := range u.Messages() {
			if strings.Contains(m.Text, "Новое мероприятие") {
				n++
			}
		}
		if n > 0 {
			have++
		}
		if n > 1 {
			twice++
		}
	}
	return have, twice
}

// TestBroadcastSurvivesACrash kills the sender in the middle of a
// broadcast to 300 members and restarts it: nobody is skipped, and no
// more are messaged twice than were in flight at the crash.
func TestBroadcastSurvivesACrash(t *testing.T) {
	const n = 300
	srv := maxtest.NewServer(t)
	srv.SetWaitTimeout(60 * time.Second)
	us := members(srv, n)
	path := filepath.Join(t.TempDir(), "mmo.db")
	eventID := seedAssociation(t, path, us, time.Now().Add(72*time.Hour))
	opt := testOptions(srv)
	first := startBot(t, path, opt, nil)
	publish(t, first.bot, us[1], eventID)
	waitFor(t, "a fifth of the broadcast", func() bool { have, _ := announced(us); return have >= n/5 })
	first.bot.out.Dead.Store(true)
	window := first.bot.out.Parallel
	first.stop()
	before, _ := announced(us)
	if before >= n {
		t.Fatalf("everything was sent before the crash (%d); the test tests nothing", before)
	}

	second := startBot(t, path, opt, nil)
	waitFor(t, "every member announced", func() bool { have, _ := announced(us); return have == n })
	waitFor(t, "an empty outbox", func() bool { l, _ := second.db.OutboxLen(); return l == 0 })
	srv.Settle(t)
	have, twice := announced(us)
	t.Logf("sent before the crash: %d; after the restart %d of %d have it; twice: %d (window %d)", before, have, n, twice, window)
	if twice > window {
		t.Errorf("%d members got it twice, more than the %d that can be in flight", twice, window)
	}
}

// TestUpdateRedeliveredAfterACrash: the bot dies after handling a batch
// and before saving its marker; MAX delivers the batch again to the next
// start, which recognises the update and does not apply it twice.
func TestUpdateRedeliveredAfterACrash(t *testing.T) {
	srv := maxtest.NewServer(t)
	path := filepath.Join(t.TempDir(), "mmo.db")
	u := srv.NewUser(7, "Мария", "ru")
	u.Send("/start")
	first := startBot(t, path, testOptions(srv), func(b *Bot) {
		b.testHookAfterBatch = func() bool { return false } // crash
	})
	select {
	case err := <-first.done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the simulated crash did not happen")
	}
	first.done <- nil // for stop
	first.stop()
	if srv.Pending() == 0 {
		t.Fatal("the update was committed on MAX before the crash")
	}

	second := startBot(t, path, testOptions(srv), nil)
	srv.Settle(t)
	waitFor(t, "an empty outbox", func() bool { l, _ := second.db.OutboxLen(); return l == 0 })
	if got := second.handled.duplicates.Load(); got != 1 {
		t.Errorf("%d updates recognised as handled, want the redelivered one", got)
	}
	greetings := 0
	for _, m := range u.Messages() {
		if strings.Contains(m.Text, "Здравствуйте") {
			greetings++
		}
	}
	if greetings != 1 {
		t.Errorf("greeted %d times, want once: %v", greetings, u.Messages())
	}
}

// TestTooManyRequestsStorm runs a broadcast at far more than the server
// allows: every member gets the announcement exactly once, the 429s are
// waited out as MAX asks, and the bot keeps to the limit after them.
func TestTooManyRequestsStorm(t *testing.T) {
	const n = 90
	srv := maxtest.NewServer(t)
	srv.SetWaitTimeout(60 * time.Second)
	us := members(srv, n)
	path := filepath.Join(t.TempDir(), "mmo.db")
	eventID := seedAssociation(t, path, us, time.Now().Add(72*time.Hour))
	srv.EnforceRateLimit(maxtest.DefaultRateLimit)
	tb := startBot(t, path, testOptions(srv), nil)
	publish(t, tb.bot, us[1], eventID)
	waitFor(t, "every member announced", func() bool { have, _ := announced(us); return have == n })
	waitFor(t, "an empty outbox", func() bool { l, _ := tb.db.OutboxLen(); return l == 0 })
	srv.Settle(t)
	have, twice := announced(us)
	refused := 0
	for _, r := range srv.Requests() {
		if r.Status == 429 {
			refused++
		}
	}
	t.Logf("%d of %d announced, %d twice, %d calls refused with 429", have, n, twice, refused)
	if twice != 0 {
		t.Errorf("%d members got it twice: a refused call has no effect", twice)
	}
	if refused == 0 {
		t.Error("no 429 was met: the test tests nothing")
	}
	// After a 429 the bot waits what MAX asked: no call comes within the
	// pause of the refusal that asked for it, but for those already on
	// their way when it came (at most the dispatcher's window).
	reqs := srv.Requests()
	for i, r := range reqs {
		if r.Status != 429 || r.Op() == "GET /updates" {
			continue
		}
		early := 0
		for _, later := range reqs[i+1:] {
			if later.Op() == "GET /updates" || later.Status == 429 || !later.At.After(r.At) {
				continue
			}
			if later.At.Sub(r.At) >= 900*time.Millisecond {
				break
			}
			early++
		}
		if window := tb.bot.out.Parallel; early > window {
			t.Errorf("%d calls within a second after a 429 that asked for a second; at most %d could be on their way", early, window)
		}
		break
	}
}
