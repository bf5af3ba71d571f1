package fakechat

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"
)

// A wait ends when a change makes its condition true, not before; one
// whose condition never holds ends at its timeout or at the close.
func TestWaitUntil(t *testing.T) {
	var mu sync.Mutex
	w := NewWatch(&mu, time.Minute, 0)
	n := 0
	go func() {
		for range 3 {
			mu.Lock()
			n++
			w.Broadcast()
			mu.Unlock()
		}
	}()
	if !w.WaitUntil(time.Minute, func() bool { return n == 3 }) {
		t.Fatal("the condition did not hold after three changes")
	}
	if w.WaitUntil(10*time.Millisecond, func() bool { return n == 4 }) {
		t.Error("a condition that never held was reported")
	}
	go w.Close()
	start := time.Now()
	if w.WaitUntil(time.Minute, func() bool { return false }) || time.Since(start) > 30*time.Second {
		t.Error("the close did not end the wait")
	}
	if !w.Closed() || w.Sleep(context.Background(), time.Minute) {
		t.Error("a closed watch sleeps")
	}
}

// Settling waits for the server to be idle and quiet: a busy server does
// not settle, an idle one settles once Quiet passed since its last act.
func TestSettleWithin(t *testing.T) {
	var mu sync.Mutex
	w := NewWatch(&mu, time.Minute, 20*time.Millisecond)
	busy := true
	if w.SettleWithin(30*time.Millisecond, func() bool { return busy }) {
		t.Error("a busy server settled")
	}
	mu.Lock()
	busy = false
	w.Last = time.Now()
	w.Broadcast()
	mu.Unlock()
	if !w.SettleWithin(time.Minute, func() bool { return busy }) {
		t.Fatal("an idle server did not settle")
	}
	if quiet := time.Since(w.Last); quiet < w.Quiet {
		t.Errorf("settled %v after its last act, before the quiet period", quiet)
	}
}

func TestWriteRefused(t *testing.T) {
	var b strings.Builder
	WriteRefused(&b, nil)
	if b.Len() != 0 {
		t.Errorf("nothing refused, yet %q", b.String())
	}
	WriteRefused(&b, []string{"  second", "  first"})
	if got, want := b.String(), "last refused calls:\n  first\n  second\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
