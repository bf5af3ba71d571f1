package main

import (
	"testing"
	"time"
)

// TestSmallBurst keeps the benchmark tool working: a small burst through
// both loops, every update answered and matched to its answer.
func TestSmallBurst(t *testing.T) {
	echo, err := runEcho(5, 50)
	if err != nil {
		t.Fatalf("echo: %v", err)
	}
	bot, err := runBot(5, 50, 20, 4)
	if err != nil {
		t.Fatalf("bot: %v", err)
	}
	for _, r := range []result{echo, bot} {
		if r.rate <= 0 || r.p50 <= 0 || r.p99 < r.p50 || r.max < r.p99 || r.peakHeap == 0 {
			t.Errorf("%s: implausible figures %+v", r.name, r)
		}
	}
}

// TestSmallBroadcast keeps the broadcast mode working: every member gets
// the announcement once, and the limits are kept.
func TestSmallBroadcast(t *testing.T) {
	res, err := runBroadcast(20, network{latency: 20 * time.Millisecond, jitter: 10 * time.Millisecond, back: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.lost != 0 || res.duplicate != 0 || res.tooMany != 0 || res.rate <= 0 {
		t.Errorf("broadcast to 20: %+v", res)
	}
}

// TestSmallReplyLatency keeps the reply-latency measure working: every
// /start is answered and matched, the announcement still waits when the
// last is, and nobody's announcement is lost or doubled.
func TestSmallReplyLatency(t *testing.T) {
	res, err := runReplyLatency(60, 4, network{})
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range []latency{res.idle, res.during} {
		if l.p50 <= 0 || l.p99 < l.p50 || l.max < l.p99 {
			t.Errorf("implausible latencies %+v", l)
		}
	}
	if res.queued == 0 || res.lost != 0 || res.duplicate != 0 || res.tooMany != 0 {
		t.Errorf("replies during a broadcast to 60: %+v", res)
	}
}
