package main

import "testing"

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
	res, err := runBroadcast(20)
	if err != nil {
		t.Fatal(err)
	}
	if res.lost != 0 || res.duplicate != 0 || res.tooMany != 0 || res.rate <= 0 {
		t.Errorf("broadcast to 20: %+v", res)
	}
}
