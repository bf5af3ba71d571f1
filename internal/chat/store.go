package chat

import (
	"log/slog"
	"sync"
	"time"
)

// storeHealth reports a database that cannot be written (a full disk, an
// I/O error) once when the failures begin and once when they end, however
// many updates and scans fail between: the operator needs one clear line,
// not one per update. Each report carries when its write began, so a
// failure that began before a later success (a batch that straddled the
// recovery) is not taken for a new outage.
type storeHealth struct {
	mu     sync.Mutex
	since  time.Time // when the failures began; zero while writes succeed
	lastOK time.Time // when the latest successful write began
}

// failed records a refused commit of a write that began at started.
func (h *storeHealth) failed(log *slog.Logger, err error, started time.Time) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.since.IsZero() || started.Before(h.lastOK) {
		return
	}
	h.since = started
	log.Error("the database cannot be written: updates stay unconfirmed and are retried, scheduled jobs wait; free disk space or fix the disk",
		"error", err)
}

// ok records a successful commit of a write that began at started.
func (h *storeHealth) ok(log *slog.Logger, started time.Time) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if started.After(h.lastOK) {
		h.lastOK = started
	}
	if h.since.IsZero() || started.Before(h.since) {
		return
	}
	log.Info("the database can be written again; held updates and jobs go on",
		"failing_for", time.Since(h.since).Round(time.Millisecond).String())
	h.since = time.Time{}
}
