package main

import (
	"path/filepath"
	"strings"
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

// TestSmallMixedBurst keeps the burst against the echo loop working on a
// seeded store: every update is answered in both, and the bot's answers
// to invitations are writes.
func TestSmallMixedBurst(t *testing.T) {
	_, work, fresh := smallCity(t)
	echo, bot, ratio, err := mixedBurst(work, 8, 96, 4, 1, fresh)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range []result{echo, bot} {
		if r.rate <= 0 || r.p50 <= 0 || r.p99 < r.p50 || r.max < r.p99 || strings.Contains(r.note, "only") {
			t.Errorf("%s: implausible figures %+v", r.name, r)
		}
	}
	// 2 of the 8 users answer invitations, 12 times each: each answer
	// changes the one before, is taken and committed.
	if bot.taken != 24 || bot.writes < 24 || bot.commits == 0 {
		t.Errorf("the bot took %d answers, its store saw %d writes in %d commits; want 24 answers taken and written", bot.taken, bot.writes, bot.commits)
	}
	if ratio <= 0 {
		t.Errorf("ratio %v", ratio)
	}
	t.Logf("echo %+v\nbot %+v\nratio %.3f", echo, bot, ratio)
}

// TestSmallScanAndSize keeps the scan, size and answer steps of `mmobench all`
// working, on a small seeded store: every row is filled in.
func TestSmallScanAndSize(t *testing.T) {
	dir, work, fresh := smallCity(t)
	rows := map[string]string{}
	add := func(what, figure, _ string) { rows[what] = figure }
	if err := scanStep(work, dir, fresh, add); err != nil {
		t.Fatal(err)
	}
	if err := sizeStep(work, dir, fresh, add); err != nil {
		t.Fatal(err)
	}
	if err := answerStep(work, fresh, add); err != nil {
		t.Fatal(err)
	}
	if len(rows) != 11 { // the scan's 6 (the archive's among them), the size's 4 and the answer's
		t.Errorf("rows: %v", rows)
	}
	for what, figure := range rows {
		if figure == "" || strings.Contains(figure, "failed") {
			t.Errorf("%s: %q", what, figure)
		}
	}
}

// smallCity seeds a small city into a temporary directory and returns
// the directory, the working copy's path and how to make the copy anew.
func smallCity(t *testing.T) (dir, work string, fresh func() error) {
	t.Helper()
	dir = t.TempDir()
	src := filepath.Join(dir, "seeded.db")
	cfg := seedConfig(true)
	cfg.Users, cfg.Associations, cfg.Consultations = 300, 10, 40
	if _, err := seedFile(src, cfg); err != nil {
		t.Fatal(err)
	}
	work = filepath.Join(dir, "work.db")
	return dir, work, func() error { return copyFile(src, work) }
}
