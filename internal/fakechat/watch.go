// Package fakechat holds what the fake messenger servers (telegramtest,
// maxtest) share: the Watch their tests wait on, for a condition on a
// server's state or for the server to go quiet, and the way they list
// the calls they refused in a failure message.
package fakechat

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"
)

// Watch is what the tests of a fake server wait on. It is guarded by the
// server's own lock, so that a condition reads the server's state as it
// is: every method but WaitUntil, SettleWithin, Timeout, Sleep, Done and
// Closed wants that lock held, and so do the fields.
type Watch struct {
	mu      *sync.Mutex
	changed chan struct{} // closed and replaced on every change
	done    chan struct{}
	once    sync.Once

	// WaitTimeout is how long the waiting helpers wait before failing.
	WaitTimeout time.Duration
	// Quiet is how long the server must have done nothing to be settled.
	Quiet time.Duration
	// Last is when the server last did something a settled test waits
	// out (a call other than a long poll, an update taken).
	Last time.Time
}

// NewWatch returns the watch of a server guarded by mu.
func NewWatch(mu *sync.Mutex, waitTimeout, quiet time.Duration) *Watch {
	return &Watch{mu: mu, changed: make(chan struct{}), done: make(chan struct{}), WaitTimeout: waitTimeout, Quiet: quiet}
}

// Close gives up every wait: the server is closing. It is safe to call
// more than once.
func (w *Watch) Close() { w.once.Do(func() { close(w.done) }) }

// Done is closed when the server closes.
func (w *Watch) Done() <-chan struct{} { return w.done }

// Closed reports whether the server closed.
func (w *Watch) Closed() bool {
	select {
	case <-w.done:
		return true
	default:
		return false
	}
}

// Changed returns a channel closed at the next change (Broadcast). The
// lock must be held.
func (w *Watch) Changed() <-chan struct{} { return w.changed }

// Broadcast wakes every waiter: the server's state changed. The lock
// must be held.
func (w *Watch) Broadcast() {
	close(w.changed)
	w.changed = make(chan struct{})
}

// Timeout returns WaitTimeout, taking the lock.
func (w *Watch) Timeout() time.Duration {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.WaitTimeout
}

// WaitUntil waits until cond, called with the lock held, reports true; or
// until the timeout elapses or the server closes. It reports whether cond
// held.
func (w *Watch) WaitUntil(timeout time.Duration, cond func() bool) bool {
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	for {
		w.mu.Lock()
		if cond() {
			w.mu.Unlock()
			return true
		}
		ch := w.changed
		w.mu.Unlock()
		select {
		case <-ch:
		case <-timer.C:
			w.mu.Lock()
			defer w.mu.Unlock()
			return cond()
		case <-w.done:
			w.mu.Lock()
			defer w.mu.Unlock()
			return cond()
		}
	}
}

// SettleWithin waits until busy, called with the lock held, reports false
// and the server has done nothing for Quiet; it reports whether that came
// within d.
func (w *Watch) SettleWithin(d time.Duration, busy func() bool) bool {
	deadline := time.Now().Add(d)
	for {
		w.mu.Lock()
		now := time.Now()
		quietFor := now.Sub(w.Last)
		isBusy := busy()
		if !isBusy && quietFor >= w.Quiet {
			w.mu.Unlock()
			return true
		}
		ch := w.changed
		wait := deadline.Sub(now)
		if !isBusy && w.Quiet-quietFor < wait {
			wait = w.Quiet - quietFor
		}
		w.mu.Unlock()
		if wait <= 0 {
			return false
		}
		t := time.NewTimer(wait)
		select {
		case <-ch:
		case <-t.C:
		case <-w.done:
			t.Stop()
			return false
		}
		t.Stop()
	}
}

// WaitFor fails tb, with failure, the time waited and what summary says
// of the server, unless cond (called with the lock held) holds within
// WaitTimeout.
func (w *Watch) WaitFor(tb testing.TB, failure string, cond func() bool, summary func() string) {
	tb.Helper()
	if d := w.Timeout(); !w.WaitUntil(d, cond) {
		tb.Fatalf("%s after %v\n%s", failure, d, summary())
	}
}

// Settle fails tb, as WaitFor does, unless the server settles
// (SettleWithin) within WaitTimeout.
func (w *Watch) Settle(tb testing.TB, failure string, busy func() bool, summary func() string) {
	tb.Helper()
	if d := w.Timeout(); !w.SettleWithin(d, busy) {
		tb.Fatalf("%s after %v\n%s", failure, d, summary())
	}
}

// Sleep sleeps d unless ctx is done or the server closes first; it
// reports whether the whole delay elapsed.
func (w *Watch) Sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
	case <-w.done:
	}
	return false
}

// WriteRefused writes the refused calls of a failure message, given one
// line each, newest first, as they are found walking back from the last
// call: under a heading, oldest first; nothing when there are none.
func WriteRefused(b *strings.Builder, newestFirst []string) {
	if len(newestFirst) == 0 {
		return
	}
	b.WriteString("last refused calls:\n")
	for i := len(newestFirst) - 1; i >= 0; i-- {
		b.WriteString(newestFirst[i])
		b.WriteByte('\n')
	}
}
