package app

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mmobot/mmobot/internal/boltdb"
	"github.com/mmobot/mmobot/internal/config"
	"github.com/mmobot/mmobot/internal/max/maxtest"
	"github.com/mmobot/mmobot/internal/metrics"
	"github.com/mmobot/mmobot/internal/mmo"
	"github.com/mmobot/mmobot/internal/telegram"
	"github.com/mmobot/mmobot/internal/telegram/telegramtest"
)

// The operator's view of the bot, end to end: the health checks and
// metrics it serves, and the backups it writes by itself.

var testBuild = metrics.Build{Version: "1.0.0-test", Commit: "0123abc"}

// get fetches a path from the bot's HTTP listener.
func (h *harness) get(path string) (int, string) {
	h.t.Helper()
	addr := h.m.HTTPAddr()
	if addr == nil {
		h.t.Fatal("the HTTP listener is off")
	}
	resp, err := http.Get("http://" + addr.String() + path)
	if err != nil {
		h.t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		h.t.Fatalf("GET %s: %v", path, err)
	}
	return resp.StatusCode, string(body)
}

// metrics scrapes /metrics as Prometheus would.
func (h *harness) metrics() metrics.Figures {
	h.t.Helper()
	code, body := h.get("/metrics")
	if code != 200 {
		h.t.Fatalf("GET /metrics: %d %s", code, body)
	}
	f, err := metrics.Read(strings.NewReader(body))
	if err != nil {
		h.t.Fatal(err)
	}
	return f
}

// TestReadyzFollowsTheBotAPI: /readyz is ready while polls succeed, stays
// ready while the Bot API is down for less than http.poll_max_age, turns
// not-ready with the reason once it is down for longer, and ready again
// when the API is back. /livez answers all along.
func TestReadyzFollowsTheBotAPI(t *testing.T) {
	h := newHarnessWith(t, func(c *config.Config) { c.HTTP.PollMaxAge = time.Minute })
	waitUntil(t, "the first successful poll", func() bool { code, _ := h.get("/readyz"); return code == 200 })
	if code, body := h.get("/livez"); code != 200 || body != "ok\n" {
		t.Errorf("/livez = %d %q", code, body)
	}

	h.srv.Inject(telegramtest.Fault{Method: "getUpdates", Kind: telegramtest.ServerError, Count: 1 << 30})
	// Once one poll has failed, none can succeed until the fault goes.
	waitUntil(t, "a failed poll", func() bool { return h.srv.Stats().Faults > 0 })
	h.clock.Add(50 * time.Second)
	if code, body := h.get("/readyz"); code != 200 {
		t.Errorf("down for 50 s of a 1 m allowance: /readyz = %d %q", code, body)
	}
	h.clock.Add(20 * time.Second)
	code, body := h.get("/readyz")
	if code != 503 || !strings.HasPrefix(body, "not ready\n") || !strings.Contains(body, "telegram: the last successful getUpdates was 1m10s ago") {
		t.Errorf("down for 70 s: /readyz = %d %q", code, body)
	}
	if code, _ := h.get("/livez"); code != 200 {
		t.Errorf("/livez = %d while Telegram is down: a liveness check must not restart the bot for it", code)
	}

	h.srv.ClearFaults()
	waitUntil(t, "ready again", func() bool { code, _ := h.get("/readyz"); return code == 200 })
	u := h.user(42, "Мария")
	u.Send("/start")
	next(t, u, "Здравствуйте")
}

// TestReadyzSeesAStuckOutbox: a reply that cannot be sent for longer than
// http.outbox_max_age makes the bot not ready, with the reason; once it
// goes, the bot is ready again.
func TestReadyzSeesAStuckOutbox(t *testing.T) {
	h := newHarness(t)
	u := h.user(42, "Мария")
	h.srv.Inject(telegramtest.Fault{Method: "sendMessage", ChatID: u.ID, Kind: telegramtest.Hang, Count: 1})
	u.Send("/start")
	waitUntil(t, "the reply to hang", func() bool { return h.srv.Hanging("sendMessage") == 1 })
	waitUntil(t, "ready with a reply in flight", func() bool { code, _ := h.get("/readyz"); return code == 200 })
	h.clock.Add(11 * time.Minute)
	waitUntil(t, "not ready for the outbox", func() bool {
		code, body := h.get("/readyz")
		return code == 503 && strings.Contains(body, "outbox: the oldest reply message has waited 11m0s (limit 10m0s, 2 waiting)")
	})
	h.srv.Release("sendMessage")
	next(t, u, "Здравствуйте")
	next(t, u, "152-ФЗ")
	waitUntil(t, "ready again", func() bool { code, _ := h.get("/readyz"); return code == 200 })
}

// serverCount counts the requests the fake server finished with a
// method and status, to chats that match, from the since-th on.
func serverCount(srv *telegramtest.Server, since int, method string, status int, chat func(string) bool) int {
	n := 0
	for _, r := range srv.Requests()[since:] {
		if r.Method == method && r.Status == status && (chat == nil || chat(r.Params.Get("chat_id"))) {
			n++
		}
	}
	return n
}

// TestMetricsFollowABroadcast publishes an event to 150 members, one of
// whom the Bot API keeps waiting and one of whom it refuses once with a
// 429, and reads /metrics during and after the broadcast: every count
// matches what the fake server itself counted.
func TestMetricsFollowABroadcast(t *testing.T) {
	h := newHarness(t)
	leader, us := meetingSetup(t, h, "Петров Пётр Петрович")
	aid := associationID(t, h, "ММО учителей математики")
	const seeded = 149
	members := map[string]bool{strconv.FormatInt(us[0].ID, 10): true}
	err := h.m.DB.Update(func(tx *boltdb.Tx) error {
		for i := range seeded {
			id := int64(5000 + i)
			h.srv.NewUser(id, "Участник", "ru")
			members[strconv.FormatInt(id, 10)] = true
			now := h.clock.Now()
			if err := tx.PutUser(&mmo.User{ID: id, Accounts: []mmo.Account{{Messenger: telegram.Messenger, ID: id}},
				Name: fmt.Sprintf("Участникова Нина %d", i), School: "Школа", Position: "учитель",
				RegisteredAt: now, ConsentAt: now}); err != nil {
				return err
			}
			if err := tx.PutMembership(&mmo.Membership{AssociationID: aid, UserID: id, State: mmo.MemberActive, JoinedAt: now}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	draft := scheduleEvent(t, leader, "Семинар", "Проектная деятельность", "30.11 14:00", "30 ноября 2026 (понедельник), 14:00")
	h.settle()
	before := h.metrics()

	const held, refused = 5000, 5001
	h.srv.Inject(telegramtest.Fault{Method: "sendMessage", ChatID: held, Kind: telegramtest.Hang})
	h.srv.Inject(telegramtest.Fault{Method: "sendMessage", ChatID: refused, Kind: telegramtest.TooManyRequests, RetryAfter: 1})
	since := len(h.srv.Requests())
	press(t, leader, draft, "Опубликовать")
	next(t, leader, "Объявлено")
	isMember := func(chat string) bool { return members[chat] }
	announced := func() int { return serverCount(h.srv, since, "sendMessage", 200, isMember) }
	sent := func(f metrics.Figures, kind string) int {
		return int(f.Value(metrics.NameSent, "kind", kind) - before.Value(metrics.NameSent, "kind", kind))
	}
	// 150 members, one held. The metrics count a message once the bot
	// has its answer, a moment after the server counted it, and the
	// outbox lets it go a moment later still.
	var during metrics.Figures
	waitUntil(t, "the broadcast to all but the held member", func() bool {
		during = h.metrics()
		return announced() == seeded && sent(during, "broadcast") == seeded &&
			during.Value(metrics.NameOutboxItems, "priority", "broadcast") == 1
	})
	// While one announcement hangs, the broadcast is in progress.
	if got := during.Value(metrics.NameBroadcasts); got != 1 {
		t.Errorf("broadcasts in progress during the broadcast: %v, want 1", got)
	}
	if got := during.Value(metrics.NameOutboxOldest, "priority", "broadcast"); got != 0 {
		t.Errorf("the held announcement is %v s old on a clock that did not move", got)
	}
	if got, want := sent(during, "broadcast"), announced(); got != want {
		t.Errorf("broadcast messages sent, by the metrics: %d; by the server: %d", got, want)
	}

	h.srv.Release("sendMessage")
	h.settle()
	after := h.metrics()
	if got := after.Value(metrics.NameBroadcasts); got != 0 {
		t.Errorf("broadcasts in progress after it: %v", got)
	}
	if got := after.Value(metrics.NameOutboxItems); got != 0 {
		t.Errorf("outbox items after the broadcast: %v", got)
	}
	if got, want := sent(after, "broadcast"), announced(); got != want || got != seeded+1 {
		t.Errorf("broadcast messages sent, by the metrics: %d; by the server: %d; want %d", got, want, seeded+1)
	}
	// Every message the server took is counted once, under its kind.
	took := serverCount(h.srv, 0, "sendMessage", 200, nil) + serverCount(h.srv, 0, "editMessageText", 200, nil) +
		serverCount(h.srv, 0, "editMessageReplyMarkup", 200, nil) + serverCount(h.srv, 0, "sendDocument", 200, nil) +
		serverCount(h.srv, 0, "sendPhoto", 200, nil)
	if got := int(after.Value(metrics.NameSent)); got != took {
		t.Errorf("messages sent, by the metrics: %d; taken by the server: %d", got, took)
	}
	for _, c := range []struct {
		method string
		status int
	}{{"sendMessage", 200}, {"sendMessage", 429}, {"editMessageText", 200}, {"answerCallbackQuery", 200}} {
		got := int(after.Value(metrics.NameRequests, "method", c.method, "code", strconv.Itoa(c.status)))
		if want := serverCount(h.srv, 0, c.method, c.status, nil); got != want {
			t.Errorf("%s %d requests, by the metrics: %d; by the server: %d", c.method, c.status, got, want)
		}
	}
	if got := after.Value(metrics.NameRequests, "code", "429"); got != 1 {
		t.Errorf("429s counted: %v, want the 1 injected", got)
	}
	if got := after.Value(metrics.NameRetryAfter); got != 1 {
		t.Errorf("seconds asked to wait: %v, want 1", got)
	}
	if got, want := int(after.Value(metrics.NameUpdates)), h.srv.Confirmed(); got != want {
		t.Errorf("updates counted: %d; confirmed to the server: %d", got, want)
	}
	if after.Value(metrics.NameUpdateSeconds) != after.Value(metrics.NameUpdates) {
		t.Error("not every update has its handling time")
	}
	if after.Value(metrics.NameDueScanSeconds) == 0 {
		t.Error("no due scan was timed")
	}
	if got := after.Value(metrics.NameLastPoll); got != float64(h.clock.Now().Unix()) {
		t.Errorf("last poll at %v, want the clock's %d", got, h.clock.Now().Unix())
	}
	fi, _ := os.Stat(h.cfg.Data.Path)
	if got := after.Value(metrics.NameStoreSize); got <= 0 || got > float64(fi.Size()) {
		t.Errorf("store size %v, the file has %d", got, fi.Size())
	}
	if after.Label(metrics.NameBuildInfo, "version") != testBuild.Version || after.Label(metrics.NameBuildInfo, "commit") != testBuild.Commit {
		t.Errorf("build info: version %q commit %q", after.Label(metrics.NameBuildInfo, "version"), after.Label(metrics.NameBuildInfo, "commit"))
	}
	// No label holds a person's id.
	_, text := h.get("/metrics")
	for id := range members {
		if strings.Contains(text, `"`+id+`"`) {
			t.Fatalf("a chat id is a label value in /metrics: %s", id)
		}
	}
}

// backupLog keeps the scheduled backups' looks at the clock.
type backupLog struct {
	mu     sync.Mutex
	checks []backupCheck
}

type backupCheck struct {
	now   time.Time
	wrote string
	err   error
}

func (l *backupLog) record(now time.Time, wrote string, err error) {
	l.mu.Lock()
	l.checks = append(l.checks, backupCheck{now, wrote, err})
	l.mu.Unlock()
}

func (l *backupLog) reset() {
	l.mu.Lock()
	l.checks = nil
	l.mu.Unlock()
}

// waitBackupCheck waits for the schedule to look at the clock as it is
// now, and returns what that look did.
func (h *harness) waitBackupCheck() backupCheck {
	h.t.Helper()
	at := h.clock.Now()
	var got backupCheck
	waitUntil(h.t, "the backup schedule to look at the moved clock", func() bool {
		h.backups.mu.Lock()
		defer h.backups.mu.Unlock()
		for _, c := range h.backups.checks {
			if !c.now.Before(at) {
				got = c
				return true
			}
		}
		return false
	})
	return got
}

// TestScheduledBackups: with backup.every 24h and keep 3, a backup is
// written at start and then each day by the bot's clock, named by its
// date, 0600, each a whole database with the bot's data; between them
// nothing is written; the oldest are deleted down to three; other files
// in the directory are left alone, but not what an interrupted backup
// left.
func TestScheduledBackups(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "backups")
	os.MkdirAll(dir, 0o700)
	foreign := filepath.Join(dir, "mmo-notes.txt")
	os.WriteFile(foreign, []byte("the operator's own file"), 0o600)
	// What a backup cut short by a kill leaves; removed at the start.
	for _, left := range []string{"mmo-20261120-090000.db.snapshot-123", "mmo-20261120-090000.db.tmp-456"} {
		os.WriteFile(filepath.Join(dir, left), []byte("half a copy"), 0o600)
	}
	h := newHarnessWith(t, func(c *config.Config) {
		c.Backup.Every = 24 * time.Hour
		c.Backup.Keep = 3
		c.Backup.Dir = dir
	})
	first := h.waitBackupCheck()
	if first.err != nil || filepath.Base(first.wrote) != "mmo-20261123-090000.db" {
		t.Fatalf("the first backup: %q, %v", first.wrote, first.err)
	}
	u := h.user(42, "Мария")
	h.register(u, "Иванова Мария Петровна", "Лицей № 1", "учитель химии")

	h.clock.Add(12 * time.Hour)
	if c := h.waitBackupCheck(); c.wrote != "" || c.err != nil {
		t.Fatalf("half a day later: %q, %v; want nothing written", c.wrote, c.err)
	}
	var written []string
	for day := 1; day <= 4; day++ {
		h.clock.Add(12 * time.Hour)
		c := h.waitBackupCheck()
		if c.err != nil || c.wrote == "" {
			t.Fatalf("day %d: %q, %v", day, c.wrote, c.err)
		}
		written = append(written, filepath.Base(c.wrote))
		h.clock.Add(12 * time.Hour)
	}
	want := []string{"mmo-20261124-090000.db", "mmo-20261125-090000.db", "mmo-20261126-090000.db", "mmo-20261127-090000.db"}
	if !slices.Equal(written, want) {
		t.Errorf("backups written %v, want %v", written, want)
	}
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if want := []string{"mmo-20261125-090000.db", "mmo-20261126-090000.db", "mmo-20261127-090000.db", "mmo-notes.txt"}; !slices.Equal(names, want) {
		t.Errorf("the directory holds %v, want %v", names, want)
	}
	for _, name := range names[:3] {
		path := filepath.Join(dir, name)
		fi, _ := os.Stat(path)
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v", name, fi.Mode().Perm())
		}
		db, err := boltdb.Open(path, boltdb.Options{Timeout: time.Second, ReadOnly: true})
		if err != nil {
			t.Fatalf("%s does not open: %v", name, err)
		}
		err = db.View(func(tx *boltdb.Tx) error { _, err := tx.UserByAccount(telegram.Messenger, 42); return err })
		db.Close()
		if err != nil {
			t.Errorf("%s lacks the registered user: %v", name, err)
		}
	}
	f := h.metrics()
	if got := f.Value(metrics.NameBackups, "result", "ok"); got != 5 {
		t.Errorf("backups counted: %v, want 5", got)
	}
	lastAt := float64(time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC).Unix())
	if got, want := f.Value(metrics.NameLastBackup), lastAt; got != want {
		t.Errorf("last backup at %v, want %v", got, want)
	}

	// A restart does not write one early: the newest on disk is half a
	// day old, so the next is due in half a day.
	h.stop()
	h.backups.reset()
	h.start()
	if c := h.waitBackupCheck(); c.wrote != "" {
		t.Errorf("a backup written at restart, half a day after the last: %s", c.wrote)
	}
	if got := h.metrics().Value(metrics.NameLastBackup); got != lastAt {
		t.Errorf("after a restart the last backup is %v", got)
	}
}

// TestFailedBackupIsToldToTheAdministrators: a backup that cannot be
// written is told to the administrator in their language, with the
// reason, the last good backup and the next attempt; not again within a
// day; and once more when backups work again.
func TestFailedBackupIsToldToTheAdministrators(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "backups")
	h := newHarnessWith(t, func(c *config.Config) {
		c.Backup.Every = 24 * time.Hour
		c.Backup.Dir = dir
	})
	if c := h.waitBackupCheck(); c.err != nil {
		t.Fatal(c.err)
	}
	a := h.admin()
	// A file where the directory was: nothing can be written there.
	os.RemoveAll(dir)
	os.WriteFile(dir, nil, 0o600)
	h.clock.Add(24 * time.Hour)
	if c := h.waitBackupCheck(); c.err == nil {
		t.Fatal("a backup into a file succeeded")
	}
	m := next(t, a, "Резервная копия базы данных не создана")
	for _, want := range []string{"Причина: <code>", "not a directory", "Каталог копий: <code>" + dir,
		"Последняя удачная копия: 23 ноября 2026 (понедельник), 12:00", "Следующая попытка: 24 ноября 2026 (вторник), 13:00"} {
		if !strings.Contains(m.Text, want) {
			t.Errorf("the alert lacks %q:\n%q", want, m.Text)
		}
	}
	h.clock.Add(time.Hour)
	if c := h.waitBackupCheck(); c.err == nil {
		t.Fatal("a backup into a file succeeded")
	}
	h.quiet()
	if extra := a.Drain(); len(extra) != 0 {
		t.Errorf("the administrator was told again within a day: %q", extra[0].Text)
	}

	os.Remove(dir)
	h.clock.Add(time.Hour)
	c := h.waitBackupCheck()
	if c.err != nil || c.wrote == "" {
		t.Fatalf("after the fix: %q, %v", c.wrote, c.err)
	}
	next(t, a, "снова создаются", filepath.Base(c.wrote))
	if got := h.metrics().Value(metrics.NameBackups, "result", "failed"); got != 2 {
		t.Errorf("failed backups counted: %v, want 2", got)
	}
}

// TestReadyzFollowsEachMessenger: with both messengers, MAX down is not
// ready though Telegram polls well: half the users would go unserved.
func TestReadyzFollowsEachMessenger(t *testing.T) {
	h := newHarnessOn(t, true, true, func(c *config.Config) { c.HTTP.PollMaxAge = time.Minute })
	waitUntil(t, "the first polls of both", func() bool { code, _ := h.get("/readyz"); return code == 200 })
	h.mx.Inject(maxtest.Fault{Op: "GET /updates", Kind: maxtest.InternalError, Count: 1 << 30})
	waitUntil(t, "a failed poll of MAX", func() bool { return h.mx.Stats().Faults > 0 })
	h.clock.Add(70 * time.Second)
	waitUntil(t, "not ready for MAX alone", func() bool {
		code, body := h.get("/readyz")
		return code == 503 && strings.Contains(body, "max: the last successful poll of updates was") &&
			!strings.Contains(body, "telegram:")
	})
}
