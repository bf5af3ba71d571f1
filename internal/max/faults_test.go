package max

import (
	"bytes"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/mmobot/mmobot/internal/max/maxtest"
	"github.com/mmobot/mmobot/internal/outbox"
)

// The fault twins of the Telegram transport's tests: a database that
// cannot be written, a shutdown in the middle of a long poll or a
// hanging send, and failing calls on polling and on sending.

// logBuffer is a log the bot writes while a test reads it.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// quickRetry is the message retry policy of tests that must lose
// nothing: the real one's shape, in milliseconds, with room for a slow
// machine before anything is set aside.
var quickRetry = outbox.Retry{First: 20 * time.Millisecond, Most: 320 * time.Millisecond, Budget: 10 * time.Second}

// texts waits for the user's next messages and checks each holds its
// want, in order.
func texts(t *testing.T, u *maxtest.User, want ...string) {
	t.Helper()
	for _, w := range want {
		if m := u.Next(t); !strings.Contains(m.Text, w) {
			t.Fatalf("user %d: message %q lacks %q", u.ID, m.Text, w)
		}
	}
}

// count is how many of the user's messages hold text.
func count(u *maxtest.User, text string) int {
	n := 0
	for _, m := range u.Messages() {
		if strings.Contains(m.Text, text) {
			n++
		}
	}
	return n
}

// TestUnwritableDatabaseHoldsUpdates fails every commit, as a full disk
// would, while 100 people write /start: the marker stays where it was,
// so MAX commits nothing, one error is logged, and once the disk takes
// writes again every update is handled exactly once.
func TestUnwritableDatabaseHoldsUpdates(t *testing.T) {
	srv := maxtest.NewServer(t)
	srv.SetWaitTimeout(60 * time.Second)
	logs := &logBuffer{}
	opt := testOptions(srv)
	opt.Log = slog.New(slog.NewTextHandler(logs, nil))
	tb := startBot(t, filepath.Join(t.TempDir(), "mmo.db"), opt, nil)
	warm := srv.NewUser(999, "Первый", "ru")
	warm.Send("/help") // the bot is up and polling before the disk fills
	warm.Next(t)
	srv.Settle(t)

	var failing atomic.Bool
	failing.Store(true)
	tb.db.SetWriteFault(func() error {
		if failing.Load() {
			return fmt.Errorf("write mmo.db: %w", syscall.ENOSPC)
		}
		return nil
	})
	committed := srv.Committed()
	polls := srv.Calls("GET /updates")
	const n = 100
	users := make([]*maxtest.User, n)
	var last int64
	for i := range users {
		users[i] = srv.NewUser(int64(1000+i), fmt.Sprintf("Учитель %d", i), "ru")
		last = users[i].Send("/start")
	}
	// The batch is tried, refused, and asked for again with the old
	// marker, more than once.
	waitFor(t, "the bot to poll again after the refused commits", func() bool {
		return strings.Contains(logs.String(), "the database cannot be written") && srv.Calls("GET /updates") >= polls+3
	})
	if c := srv.Committed(); c != committed {
		t.Fatalf("MAX committed up to %d (from %d) while the database could not be written", c, committed)
	}
	if p := srv.Pending(); p != n {
		t.Fatalf("%d updates pending on MAX, want all %d", p, n)
	}
	for _, u := range users {
		if got := u.Drain(); len(got) != 0 {
			t.Fatalf("user %d got %q while nothing could be saved", u.ID, got[0].Text)
		}
	}

	failing.Store(false)
	for _, u := range users {
		texts(t, u, "Здравствуйте", "152-ФЗ")
	}
	srv.WaitConfirmed(t, last)
	srv.Settle(t)
	waitFor(t, "an empty outbox", func() bool { l, _ := tb.db.OutboxLen(); return l == 0 })
	for _, u := range users {
		if extra := u.Drain(); len(extra) != 0 {
			t.Errorf("user %d: answered twice: %q", u.ID, extra[0].Text)
		}
	}
	out := logs.String()
	if got := strings.Count(out, `level=ERROR msg="the database cannot be written`); got != 1 {
		t.Errorf("the unwritable database was logged %d times, want once:\n%s", got, out)
	}
	if !strings.Contains(out, "the database can be written again") {
		t.Error("the recovery was not logged")
	}
	if got := strings.Count(out, "level=ERROR"); got != 1 {
		t.Errorf("%d error lines, want the one:\n%s", got, out)
	}
}

// TestShutdownCutsTheLongPoll: SIGTERM while the bot waits in a long
// poll of 50 s stops it at once, not when the poll ends.
func TestShutdownCutsTheLongPoll(t *testing.T) {
	srv := maxtest.NewServer(t)
	opt := testOptions(srv)
	opt.PollTimeout = 50 * time.Second
	tb := startBot(t, filepath.Join(t.TempDir(), "mmo.db"), opt, nil)
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

// TestShutdownCutsAHangingSend: SIGTERM while a reply's POST /messages
// hangs stops the bot within its grace, and the reply, still in the
// outbox, goes out once on the next start.
func TestShutdownCutsAHangingSend(t *testing.T) {
	srv := maxtest.NewServer(t)
	path := filepath.Join(t.TempDir(), "mmo.db")
	opt := testOptions(srv)
	opt.RequestTimeout = time.Minute
	u := srv.NewUser(71, "А", "ru")
	srv.Inject(maxtest.Fault{Op: "POST /messages", Kind: maxtest.Slow, Delay: 10 * time.Minute})
	first := startBot(t, path, opt, nil)
	u.Send("/help")
	waitFor(t, "the reply's send to hang", func() bool { return srv.Stats().Faults == 1 })
	start := time.Now()
	first.stop()
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("shutdown took %v: the hanging send was not cut", d)
	}
	second := startBot(t, path, testOptions(srv), nil)
	texts(t, u, "/start")
	srv.Settle(t)
	waitFor(t, "an empty outbox", func() bool { l, _ := second.db.OutboxLen(); return l == 0 })
	if n := len(u.Messages()); n != 1 {
		t.Errorf("%d messages, want the one reply: %v", n, u.Messages())
	}
}

// TestPollingFaultsLoseNothing: 5xx answers, an HTML 502, a 429 and a
// dropped connection on GET /updates are waited out; every update is
// handled once.
func TestPollingFaultsLoseNothing(t *testing.T) {
	srv := maxtest.NewServer(t)
	srv.SetWaitTimeout(30 * time.Second)
	tb := startBot(t, filepath.Join(t.TempDir(), "mmo.db"), testOptions(srv), nil)
	u := srv.NewUser(20, "А", "ru")
	u.Send("/help")
	texts(t, u, "/start")
	faults := []maxtest.Fault{
		{Op: "GET /updates", Kind: maxtest.InternalError},
		{Op: "GET /updates", Kind: maxtest.Unavailable},
		{Op: "GET /updates", Kind: maxtest.BadGateway},
		{Op: "GET /updates", Kind: maxtest.TooManyRequests, RetryAfter: 1},
		{Op: "GET /updates", Kind: maxtest.Drop},
	}
	for _, f := range faults {
		// The poll in flight is past the fault: the next one meets it,
		// and the message sent while the bot waits out the failure is
		// picked up after it.
		before := srv.Stats().Faults
		srv.Inject(f)
		waitFor(t, fmt.Sprintf("a poll to meet the %v fault", f.Kind), func() bool { return srv.Stats().Faults == before+1 })
		u.Send("/help")
		texts(t, u, "/start")
	}
	srv.Settle(t)
	waitFor(t, "an empty outbox", func() bool { l, _ := tb.db.OutboxLen(); return l == 0 })
	if n := len(u.Messages()); n != len(faults)+1 {
		t.Errorf("%d answers to %d /help", n, len(faults)+1)
	}
	if d := tb.handled.duplicates.Load(); d != 0 {
		t.Errorf("%d updates delivered twice", d)
	}
}

// TestSendingFaultsLoseNothing: 5xx answers, an HTML 502 and a dropped
// connection on POST /messages are retried with backoff; every reply
// arrives once, in order.
func TestSendingFaultsLoseNothing(t *testing.T) {
	srv := maxtest.NewServer(t)
	srv.SetWaitTimeout(30 * time.Second)
	tb := startBot(t, filepath.Join(t.TempDir(), "mmo.db"), testOptions(srv), func(b *Bot) { b.out.MsgRetry = quickRetry })
	u := srv.NewUser(30, "А", "ru")
	for _, k := range []maxtest.FaultKind{maxtest.InternalError, maxtest.Unavailable, maxtest.BadGateway, maxtest.Drop} {
		srv.Inject(maxtest.Fault{Op: "POST /messages", Kind: k})
	}
	u.Send("/start")
	texts(t, u, "Здравствуйте", "152-ФЗ")
	srv.Settle(t)
	waitFor(t, "an empty outbox", func() bool { l, _ := tb.db.OutboxLen(); return l == 0 })
	if st := srv.Stats(); st.Faults != 4 {
		t.Errorf("faults met = %d, want 4", st.Faults)
	}
	if a, b := count(u, "Здравствуйте"), count(u, "152-ФЗ"); a != 1 || b != 1 {
		t.Errorf("the greeting came %d times and the consent %d, want once each", a, b)
	}
	// The retries waited: no two attempts of the failing send within the
	// first wait of the policy.
	var at []time.Time
	for _, r := range srv.Requests() {
		if r.Op() == "POST /messages" {
			at = append(at, r.At)
		}
	}
	for i := 1; i < 5 && i < len(at); i++ {
		if gap := at[i].Sub(at[i-1]); gap < quickRetry.First {
			t.Errorf("attempt %d came %v after the one before: no backoff", i+1, gap)
		}
	}
}
