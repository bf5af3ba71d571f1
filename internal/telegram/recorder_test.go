package telegram

import (
	"encoding/json"
	"log/slog"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mmobot/mmobot/internal/schedule"
	"github.com/mmobot/mmobot/internal/telegram/telegramtest"
)

// countingRecorder keeps what the transport told it.
type countingRecorder struct {
	mu       sync.Mutex
	requests map[string]int // "method code"
	waited   time.Duration
	sent     map[string]int
	updates  map[string]int
	scans    int
	polled   time.Time
}

func newCountingRecorder() *countingRecorder {
	return &countingRecorder{requests: map[string]int{}, sent: map[string]int{}, updates: map[string]int{}}
}

func (r *countingRecorder) Request(method string, code int) {
	r.mu.Lock()
	r.requests[method+" "+strconv.Itoa(code)]++
	r.mu.Unlock()
}

func (r *countingRecorder) Waited(method string, d time.Duration) {
	r.mu.Lock()
	r.waited += d
	r.mu.Unlock()
}

func (r *countingRecorder) Sent(kind string) {
	r.mu.Lock()
	r.sent[kind]++
	r.mu.Unlock()
}

func (r *countingRecorder) Update(kind string, took time.Duration) {
	r.mu.Lock()
	r.updates[kind]++
	r.mu.Unlock()
}

func (r *countingRecorder) DueScan(time.Duration) {
	r.mu.Lock()
	r.scans++
	r.mu.Unlock()
}

func (r *countingRecorder) Polled(at time.Time) {
	r.mu.Lock()
	r.polled = at
	r.mu.Unlock()
}

func (r *countingRecorder) get(f func(r *countingRecorder) int) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return f(r)
}

// TestRecorderSeesWhatTheServerSaw registers a user, with one 429 on the
// way, and compares what the recorder was told with what the fake server
// counted; the log has one info line per update, with its route and
// result and nothing of the person.
func TestRecorderSeesWhatTheServerSaw(t *testing.T) {
	srv := telegramtest.NewServer(t)
	passOverDoneQuestions(srv)
	rec := newCountingRecorder()
	logs := &telegramtest.LogBuffer{}
	opt := testOptions(srv)
	opt.Metrics = rec
	opt.Log = slog.New(slog.NewJSONHandler(logs, nil))
	tb := startBot(t, srv, filepath.Join(t.TempDir(), "mmo.db"), opt, nil)
	// The due scans are the schedule's; it tells the same recorder.
	sched := schedule.Start(tb.engine, schedule.Options{Every: 20 * time.Millisecond, Log: opt.Log, Metrics: rec})
	t.Cleanup(sched.Stop)

	u := srv.NewUser(4242, "Мария", "ru")
	srv.Inject(telegramtest.Fault{Method: "sendMessage", ChatID: u.ID, Kind: telegramtest.TooManyRequests, RetryAfter: 1})
	registerUser(t, u)
	expectNext(t, u, "вы зарегистрированы")
	srv.Settle(t)

	ok, refused := 0, 0
	for _, r := range srv.Requests() {
		if r.Method != "sendMessage" {
			continue
		}
		switch r.Status {
		case 200:
			ok++
		case 429:
			refused++
		}
	}
	if refused != 1 {
		t.Fatalf("the server refused %d sendMessage calls, want 1", refused)
	}
	if got := rec.get(func(r *countingRecorder) int { return r.requests["sendMessage 200"] }); got != ok {
		t.Errorf("recorded %d sendMessage 200, the server answered %d", got, ok)
	}
	if got := rec.get(func(r *countingRecorder) int { return r.requests["sendMessage 429"] }); got != 1 {
		t.Errorf("recorded %d sendMessage 429, want 1", got)
	}
	if got := rec.get(func(r *countingRecorder) int { return int(r.waited / time.Second) }); got != 1 {
		t.Errorf("recorded %d s asked to wait, want 1", got)
	}
	// Every message to the user answered what they did.
	edits := srv.Stats().ByMethod["editMessageText"] + srv.Stats().ByMethod["editMessageReplyMarkup"]
	if got := rec.get(func(r *countingRecorder) int { return r.sent["reply"] }); got != ok+edits {
		t.Errorf("recorded %d replies sent, the server took %d messages and %d edits", got, ok, edits)
	}
	// /start, the consent button, three answers.
	if got := rec.get(func(r *countingRecorder) int { return r.updates["message"] }); got != 4 {
		t.Errorf("recorded %d message updates, want 4", got)
	}
	if got := rec.get(func(r *countingRecorder) int { return r.updates["callback_query"] }); got != 1 {
		t.Errorf("recorded %d callback updates, want 1", got)
	}
	if rec.get(func(r *countingRecorder) int { return r.requests["getUpdates 200"] }) == 0 ||
		rec.get(func(r *countingRecorder) int { return int(r.polled.Unix()) }) == 0 {
		t.Error("no successful poll was recorded")
	}
	waitUntil(t, "a due scan", func() bool { return rec.get(func(r *countingRecorder) int { return r.scans }) > 0 })

	log := logs.String()
	var lines []string
	for _, line := range strings.Split(log, "\n") {
		if strings.Contains(line, `"msg":"update handled"`) {
			lines = append(lines, line)
		}
	}
	if len(lines) != 5 {
		t.Fatalf("%d update lines, want 5:\n%s", len(lines), log)
	}
	for _, want := range []string{`"route":"/start"`, `"route":"button:rc"`, `"route":"dialog:register"`} {
		if !strings.Contains(strings.Join(lines, "\n"), want) {
			t.Errorf("no update line with %s:\n%s", want, strings.Join(lines, "\n"))
		}
	}
	for _, line := range lines {
		for _, want := range []string{`"level":"INFO"`, `"result":"ok"`, `"duration_ms":`, `"type":`} {
			if !strings.Contains(line, want) {
				t.Errorf("update line lacks %s: %s", want, line)
			}
		}
		// The time and the duration are figures of the clock that may hold
		// any digits ("…495242426Z"): look for personal data in the rest.
		var fields map[string]any
		if err := json.Unmarshal([]byte(line), &fields); err != nil {
			t.Fatalf("update line is not JSON: %v: %s", err, line)
		}
		delete(fields, "time")
		delete(fields, "duration_ms")
		rest, _ := json.Marshal(fields)
		for _, personal := range []string{"4242", "Мария", "Иванова", "Лицей", "химии"} {
			if strings.Contains(string(rest), personal) {
				t.Errorf("update line holds %q: %s", personal, line)
			}
		}
	}
}

// TestUnknownCommandIsNotLoggedAsTyped: what a user types after a slash is
// theirs, not a route, and stays out of the info line.
func TestUnknownCommandIsNotLoggedAsTyped(t *testing.T) {
	srv := telegramtest.NewServer(t)
	logs := &telegramtest.LogBuffer{}
	opt := testOptions(srv)
	opt.Log = slog.New(slog.NewJSONHandler(logs, nil))
	startBot(t, srv, filepath.Join(t.TempDir(), "mmo.db"), opt, nil)
	u := srv.NewUser(7, "Пётр", "ru")
	u.Send("/ivanova_89991234567")
	u.Next(t)
	srv.Settle(t)
	if strings.Contains(logs.String(), "89991234567") {
		t.Errorf("the typed command reached the log:\n%s", logs.String())
	}
	if !strings.Contains(logs.String(), `"route":"/unknown"`) {
		t.Errorf("no update line for the unknown command:\n%s", logs.String())
	}
}
