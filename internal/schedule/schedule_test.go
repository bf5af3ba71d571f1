package schedule

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mmobot/mmobot/internal/boltdb"
)

// jobs is scheduled work that records what the schedule told it.
type jobs struct {
	mu       sync.Mutex
	err      error
	failed   int
	ok       int
	inScan   chan struct{} // when set, Due says it began on it...
	release  chan struct{} // ...and waits for it to close
	finished atomic.Bool   // the last Due returned
}

func (j *jobs) Due() (time.Time, bool, bool, error) {
	if j.inScan != nil {
		j.inScan <- struct{}{}
		<-j.release
		defer j.finished.Store(true)
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	return time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC), true, true, j.err
}

func (j *jobs) StoreFailed(error, time.Time) { j.mu.Lock(); j.failed++; j.mu.Unlock() }
func (j *jobs) StoreOK(time.Time)            { j.mu.Lock(); j.ok++; j.mu.Unlock() }

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// TestCatchUpFiresAtOnceThenEvery: the first scan is at once (what fell
// due while the bot was down goes out at start), then every interval,
// below cron's whole seconds.
func TestCatchUpFiresAtOnceThenEvery(t *testing.T) {
	s := &catchUp{every: 20 * time.Millisecond}
	at := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	if got := s.Next(at); !got.Equal(at) {
		t.Errorf("first scan at %v, want at once (%v)", got, at)
	}
	if got := s.Next(at); !got.Equal(at.Add(20 * time.Millisecond)) {
		t.Errorf("second scan at %v, want 20 ms later", got)
	}
}

// TestScanReportsItsOutcome: a scan that landed tells the test signal and
// the store's health; one the disk refused reports the store failing and
// is not announced as done; any other failure is only logged.
func TestScanReportsItsOutcome(t *testing.T) {
	for _, tt := range []struct {
		name             string
		err              error
		signals, ok, bad int
	}{
		{"landed", nil, 1, 1, 0},
		{"disk full", fmt.Errorf("due scan: %w", boltdb.ErrUnwritable), 0, 0, 1},
		{"a bug", errors.New("boom"), 0, 0, 0},
	} {
		j := &jobs{err: tt.err}
		signals := 0
		scan(j, Options{Log: quiet(), OnDueScan: func(now time.Time, queued bool) {
			if !queued || now.IsZero() {
				t.Errorf("%s: signal %v, %v", tt.name, now, queued)
			}
			signals++
		}})
		if signals != tt.signals || j.ok != tt.ok || j.failed != tt.bad {
			t.Errorf("%s: %d signals, store ok %d, failed %d; want %d, %d, %d", tt.name, signals, j.ok, j.failed, tt.signals, tt.ok, tt.bad)
		}
	}
}

// TestStopWaitsForTheScanInHand: the schedule scans at once when started;
// Stop returns only after a scan in hand has finished, so the store can
// be closed after it.
func TestStopWaitsForTheScanInHand(t *testing.T) {
	j := &jobs{inScan: make(chan struct{}), release: make(chan struct{})}
	s := Start(j, Options{Every: time.Hour, Log: quiet()})
	select {
	case <-j.inScan: // the scan at start
	case <-time.After(10 * time.Second):
		t.Fatal("no scan at start")
	}
	done := s.stop()
	select {
	case <-done:
		t.Fatal("the schedule stopped while its scan was still running")
	default: // the scan waits for release: done cannot be closed yet
	}
	close(j.release)
	<-done
	if !j.finished.Load() {
		t.Error("the schedule stopped before its scan returned")
	}
}
