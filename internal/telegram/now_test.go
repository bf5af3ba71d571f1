package telegram

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/mmobot/mmobot/internal/boltdb"
	"github.com/mmobot/mmobot/internal/chat"
	"github.com/mmobot/mmobot/internal/telegram/telegramtest"
)

// helpMember is what /help shows a registered teacher.
const helpMember = "Бот присылает объявления"

// TestViewAnsweredAtOnce: a teacher's /help and /meetings are answered
// straight from the handling, with nothing written (no outbox item, no
// handled mark: no commit but the offset's). And so they are answered
// while the disk is full, once each, and nothing of them comes again
// when it has room.
func TestViewAnsweredAtOnce(t *testing.T) {
	srv := telegramtest.NewServer(t)
	path := filepath.Join(t.TempDir(), "mmo.db")
	u := srv.NewUser(501, "А", "ru")
	registeredWith(t, path, u)
	tb := startBot(t, srv, path, testOptions(srv), nil)
	// The first update of a person brings their record up to date (a
	// write, so the usual way); the views after it write nothing.
	u.Send("/help")
	tb.expectTexts(u, helpMember)

	commits := tb.db.Commits()
	id := u.Send("/help")
	expectNext(t, u, helpMember)
	srv.WaitConfirmed(t, id)
	// The one commit allowed is the offset saved beside the next poll.
	if n := tb.db.Commits() - commits; n > 1 {
		t.Errorf("%d commits for a /help, want at most the offset's", n)
	}

	var full atomic.Bool
	tb.db.SetWriteFault(func() error {
		if full.Load() {
			return fmt.Errorf("write mmo.db: %w", syscall.ENOSPC)
		}
		return nil
	})
	full.Store(true)
	u.Send("/help")
	expectNext(t, u, helpMember)
	last := u.Send("/meetings")
	expectNext(t, u, "мероприят")
	srv.WaitConfirmed(t, last)
	full.Store(false)
	noRepeats(t, srv, []*telegramtest.User{u}, "after the disk had room")
}

// TestViewAfterQueuedMessages: a reply never overtakes what its chat has
// waiting in the outbox. Here a message to the teacher hangs on the wire
// when they send /help; the reply goes into the outbox behind it, and
// arrives after it.
func TestViewAfterQueuedMessages(t *testing.T) {
	srv := telegramtest.NewServer(t)
	path := filepath.Join(t.TempDir(), "mmo.db")
	u := srv.NewUser(502, "А", "ru")
	registeredWith(t, path, u)
	tb := startBot(t, srv, path, testOptions(srv), func(b *Bot) { b.out.MsgRetry = quickRetry })
	u.Send("/help") // the first update brings the record up to date
	tb.expectTexts(u, helpMember)

	srv.Inject(telegramtest.Fault{Method: "sendMessage", ChatID: u.ID, Kind: telegramtest.Hang, Count: 1})
	enqueueNow(t, tb, chat.Message{Kind: chat.KindSend, Chat: u.ID, Text: "Раньше"})
	waitUntil(t, "the message to hang", func() bool { return srv.Hanging("sendMessage") == 1 })
	id := u.Send("/help")
	srv.WaitConfirmed(t, id)
	if n, err := tb.db.OutboxLen(); err != nil || n != 2 {
		t.Errorf("outbox holds %d (%v), want the hanging message and the reply behind it", n, err)
	}
	srv.Release("sendMessage")
	expectNext(t, u, "Раньше")
	tb.expectTexts(u, helpMember)
}

// enqueueNow commits a message to the running bot's outbox, as a notice.
func enqueueNow(t *testing.T, tb *testBot, m chat.Message) {
	t.Helper()
	data, _ := json.Marshal(&m)
	if err := tb.db.Update(func(tx *boltdb.Tx) error {
		return tx.Enqueue(&boltdb.OutboxItem{Messenger: Messenger, ChatID: m.Chat, Payload: data, Priority: boltdb.PriorityNotice})
	}); err != nil {
		t.Fatal(err)
	}
	tb.bot.Wake()
}

// TestViewSendFailedRetried: a reply sent at once that fails goes to the
// outbox, which retries it: the teacher gets it, once.
func TestViewSendFailedRetried(t *testing.T) {
	srv := telegramtest.NewServer(t)
	logs := &telegramtest.LogBuffer{}
	opt := testOptions(srv)
	opt.Log = slog.New(slog.NewTextHandler(logs, nil))
	path := filepath.Join(t.TempDir(), "mmo.db")
	u := srv.NewUser(503, "А", "ru")
	registeredWith(t, path, u)
	tb := startBot(t, srv, path, opt, func(b *Bot) { b.out.MsgRetry = quickRetry })
	u.Send("/help") // the first update brings the record up to date
	tb.expectTexts(u, helpMember)
	srv.Inject(telegramtest.Fault{Method: "sendMessage", ChatID: u.ID, Kind: telegramtest.BadGateway, Count: 2})
	u.Send("/help")
	tb.expectTexts(u, helpMember)
	if st := srv.Stats(); st.Faults != 2 {
		t.Errorf("faults hit = %d, want 2", st.Faults)
	}
	if !strings.Contains(logs.String(), "a reply sent at once failed") {
		t.Errorf("the reply was not tried at once:\n%s", logs.String())
	}
}

// TestViewNotAnsweredTwiceWhenBatchHeld: a /help shares a batch with a
// newcomer's /start when the disk is full. The /start cannot be stored,
// so the bot keeps the batch unconfirmed and Telegram delivers it again
// and again; the /help, answered at once the first time, is not answered
// again. Once the disk has room, the newcomer is answered.
func TestViewNotAnsweredTwiceWhenBatchHeld(t *testing.T) {
	srv := telegramtest.NewServer(t)
	path := filepath.Join(t.TempDir(), "mmo.db")
	teacher := srv.NewUser(504, "А", "ru")
	registeredWith(t, path, teacher)
	newcomer := srv.NewUser(505, "Б", "ru")
	// The teacher's first update brings their record up to date.
	first := startBot(t, srv, path, testOptions(srv), nil)
	teacher.Send("/help")
	first.expectTexts(teacher, helpMember)
	first.stop()

	teacher.Send("/help")
	newcomer.Send("/start")
	confirmed := srv.Confirmed()
	var full atomic.Bool
	full.Store(true)
	tb := startBot(t, srv, path, testOptions(srv), func(b *Bot) {
		b.db.SetWriteFault(func() error {
			if full.Load() {
				return fmt.Errorf("write mmo.db: %w", syscall.ENOSPC)
			}
			return nil
		})
	})
	expectNext(t, teacher, helpMember)
	// The batch is delivered again (each poll after the first asks for
	// it anew): three more rounds of it.
	polls := srv.Calls("getUpdates")
	waitUntil(t, "the held batch delivered three more times", func() bool { return srv.Calls("getUpdates") >= polls+3 })
	if extra := teacher.Drain(); len(extra) != 0 {
		t.Fatalf("/help answered again while the batch was held: %q", extra[0].Text)
	}
	if srv.Confirmed() != confirmed {
		t.Fatal("the batch was confirmed while the /start could not be stored")
	}
	full.Store(false)
	tb.expectTexts(newcomer, "Здравствуйте", "152-ФЗ")
	noRepeats(t, srv, []*telegramtest.User{teacher}, "after the disk had room")
}

// TestViewHangingHoldsLittle: a reply sent at once that hangs holds its
// batch only until DirectTimeout, not for the request's timeout (30 s
// here, longer than the test waits for an answer): it is then cut and the
// outbox sends it (once: the fake server drops a call that hangs until
// its client gives up), and
// another teacher's view behind it is answered. (That the replies after
// a cut go through the outbox for a while is TestSendNowCutsAHang's.)
func TestViewHangingHoldsLittle(t *testing.T) {
	srv := telegramtest.NewServer(t)
	logs := &telegramtest.LogBuffer{}
	opt := testOptions(srv)
	opt.Log = slog.New(slog.NewTextHandler(logs, nil))
	opt.RequestTimeout = 30 * time.Second
	path := filepath.Join(t.TempDir(), "mmo.db")
	a, b := srv.NewUser(506, "А", "ru"), srv.NewUser(507, "Б", "ru")
	registeredWith(t, path, a)
	registeredWith(t, path, b)
	tb := startBot(t, srv, path, opt, func(bot *Bot) {
		bot.out.MsgRetry = quickRetry
		bot.out.DirectTimeout = 200 * time.Millisecond
	})
	for _, u := range []*telegramtest.User{a, b} {
		u.Send("/help") // the first update brings the record up to date
		tb.expectTexts(u, helpMember)
	}

	srv.Inject(telegramtest.Fault{Method: "sendMessage", ChatID: a.ID, Kind: telegramtest.Hang, Count: 1})
	a.Send("/help")
	waitUntil(t, "the reply to hang", func() bool { return srv.Hanging("sendMessage") == 1 })
	b.Send("/help")
	expectNext(t, b, helpMember)
	tb.expectTexts(a, helpMember)
	if !strings.Contains(logs.String(), "took too long and was cut") {
		t.Errorf("the cut was not logged:\n%s", logs.String())
	}
}
