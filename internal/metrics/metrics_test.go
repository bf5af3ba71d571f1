package metrics

import (
	"errors"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// scrape serves the metrics once, as Prometheus would fetch them, and
// reads them back.
func scrape(t *testing.T, m *Metrics) (Figures, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if rec.Code != 200 {
		t.Fatalf("GET /metrics: %d %s", rec.Code, rec.Body)
	}
	text := rec.Body.String()
	f, err := Read(strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	return f, text
}

func TestRecordedFiguresAreServed(t *testing.T) {
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	m := New(Build{Version: "1.2.3", Commit: "abc1234"}, Sources{
		Now: func() time.Time { return now },
		Outbox: func() (Outbox, error) {
			return Outbox{
				Items:      map[string]int{"reply": 2, "broadcast": 40},
				Oldest:     map[string]time.Time{"reply": now.Add(-3 * time.Second), "broadcast": now.Add(-90 * time.Second)},
				Broadcasts: 1,
			}, nil
		},
		StoreSize: func() (int64, error) { return 1 << 20, nil },
	})
	m.Request("sendMessage", 200)
	m.Request("sendMessage", 200)
	m.Request("sendMessage", 429)
	m.Request("getUpdates", 0)
	m.Waited("sendMessage", 7*time.Second)
	m.Sent("reply")
	m.Sent("broadcast")
	m.Sent("broadcast")
	m.Update("message", 3*time.Millisecond)
	m.Update("callback_query", 5*time.Millisecond)
	m.DueScan(2 * time.Millisecond)
	m.Polled(now)
	m.BackupDone(now.Add(-time.Hour), 4096)
	m.BackupFailed()

	f, text := scrape(t, m)
	for _, c := range []struct {
		name   string
		labels []string
		want   float64
	}{
		{NameRequests, []string{"method", "sendMessage", "code", "200"}, 2},
		{NameRequests, []string{"code", "429"}, 1},
		{NameRequests, []string{"method", "getUpdates", "code", "network"}, 1},
		{NameRetryAfter, nil, 7},
		{NameSent, []string{"kind", "broadcast"}, 2},
		{NameSent, []string{"kind", "notice"}, 0},
		{NameUpdates, nil, 2},
		{NameUpdates, []string{"type", "message"}, 1},
		{NameUpdateSeconds, nil, 2},
		{NameDueScanSeconds, nil, 1},
		{NameLastPoll, nil, float64(now.Unix())},
		{NameLastBackup, nil, float64(now.Add(-time.Hour).Unix())},
		{NameLastBackupBytes, nil, 4096},
		{NameBackups, []string{"result", "ok"}, 1},
		{NameBackups, []string{"result", "failed"}, 1},
		{NameOutboxItems, []string{"priority", "broadcast"}, 40},
		{NameOutboxItems, []string{"priority", "menu"}, 0},
		{NameOutboxOldest, []string{"priority", "broadcast"}, 90},
		{NameOutboxOldest, []string{"priority", "notice"}, 0},
		{NameBroadcasts, nil, 1},
		{NameStoreSize, nil, 1 << 20},
		{NameBuildInfo, []string{"version", "1.2.3", "commit", "abc1234"}, 1},
	} {
		if got := f.Value(c.name, c.labels...); got != c.want {
			t.Errorf("%s%v = %v, want %v", c.name, c.labels, got, c.want)
		}
	}
	if got := f.Sum(NameUpdateSeconds); got < 0.0079 || got > 0.0081 {
		t.Errorf("sum of update handling = %v s, want 0.008", got)
	}
	if !f.Has("go_goroutines") || !f.Has("process_start_time_seconds") {
		t.Error("the Go runtime's and the process's metrics are missing")
	}
	if !strings.Contains(text, "# HELP "+NameRequests) {
		t.Error("metrics are served without their help text")
	}
}

func TestAFailingSourceHidesOnlyItsOwnFigures(t *testing.T) {
	m := New(Build{}, Sources{
		Outbox:    func() (Outbox, error) { return Outbox{}, errors.New("store closed") },
		StoreSize: func() (int64, error) { return 0, errors.New("store closed") },
	})
	m.Sent("reply")
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	// promhttp answers 500 when a collector fails, unless told to go on.
	if rec.Code != 200 {
		t.Fatalf("GET /metrics with a failing source: %d %s", rec.Code, rec.Body)
	}
	f, err := Read(rec.Body)
	if err != nil {
		t.Fatal(err)
	}
	if f.Value(NameSent, "kind", "reply") != 1 {
		t.Error("the figures of working sources are lost with the failing one")
	}
	if f.Has(NameOutboxItems) || f.Has(NameStoreSize) {
		t.Error("a failing source still shows figures")
	}
}
