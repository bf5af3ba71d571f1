package main

import (
	"fmt"
	"os"
	"runtime/pprof"
	"runtime/trace"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mmobot/mmobot/internal/boltdb"
	"github.com/mmobot/mmobot/internal/seed"
	"github.com/mmobot/mmobot/internal/telegram"
	"github.com/mmobot/mmobot/internal/telegram/telegramtest"
)

// latencyResult is what a latency run measured.
type latencyResult struct {
	l                         latency
	samples, scans, histories int
}

// probeUser and historyUser are seeded teachers: members of the first
// associations, whose records span every school year. Four probes take
// turns, so that no chat is sent more than Telegram's one message a
// second.
const (
	probeUser   = 3
	probes      = 4
	historyUser = 2
)

// latencyRun has teachers send /help, one every 250 ms, for dur, with the
// due scan every scan, and, with history, another teacher asking /history
// again as soon as each is answered. Telegram's limits are lifted: the
// handling is measured, not the limits.
func latencyRun(path string, scan, dur time.Duration, history bool) (latencyResult, error) {
	db, err := boltdb.Open(path, boltdb.Options{Timeout: 5 * time.Second})
	if err != nil {
		return latencyResult{}, err
	}
	defer db.Close()
	srv := telegramtest.Start(telegramtest.Options{})
	defer srv.Close()
	srv.SetWaitTimeout(time.Minute)
	var scans atomic.Int64
	stop, err := startBotWith(db, srv, func(o *botOptions) {
		o.sched.Every = scan
		o.sched.OnDueScan = func(time.Time, bool) { scans.Add(1) }
		o.tg.Limits = telegram.Limits{Global: 1e6, Private: 1e6, PrivateBurst: 1000, GroupPerMinute: 1e6}
	})
	if err != nil {
		return latencyResult{}, err
	}
	defer stop()
	// Wait for the catch-up scan at start, as a bot that has been running.
	for deadline := time.Now().Add(2 * time.Minute); scans.Load() == 0 && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	probe := make([]*telegramtest.User, probes)
	for i := range probe {
		probe[i] = srv.NewUser(seed.TelegramID(int64(probeUser+i)), "P", "ru")
	}
	var res latencyResult
	// Each probe asks twice before the measure: its first update brings
	// its record up to date, and the first line its two answers share
	// tells the answers to /help from the reminders and notices the
	// scans send the same chats meanwhile (each of those is sent once).
	first := map[string]string{}
	for _, p := range probe {
		chat := strconv.FormatInt(p.ID, 10)
		seen := map[string]int{}
		for range 2 {
			from := len(srv.Requests())
			p.Send("/help")
			if _, ok := p.NextWithin(time.Minute); !ok {
				return res, fmt.Errorf("probe %d: no answer to /help", p.ID)
			}
			srv.SettleWithin(10 * time.Second)
			lines := map[string]bool{}
			for _, r := range srv.Requests()[from:] {
				if r.Method == "sendMessage" && r.Status == 200 && r.Params.Get("chat_id") == chat {
					line, _, _ := strings.Cut(r.Params.Get("text"), "\n")
					lines[line] = true
				}
			}
			for line := range lines {
				seen[line]++
			}
		}
		for line, k := range seen {
			if k == 2 {
				first[chat] = line
			}
		}
		if first[chat] == "" {
			return res, fmt.Errorf("probe %d: its two answers to /help differ", p.ID)
		}
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	if history {
		h := srv.NewUser(seed.TelegramID(historyUser), "H", "ru")
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-done:
					return
				default:
				}
				h.Send("/history")
				if _, ok := h.NextWithin(time.Minute); ok {
					res.histories++
				}
			}
		}()
	}
	if profile != "" && history {
		f, err := os.Create(profile + ".latency")
		if err != nil {
			return res, err
		}
		defer f.Close()
		pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
		tf, err := os.Create(profile + ".trace")
		if err != nil {
			return res, err
		}
		defer tf.Close()
		trace.Start(tf)
		defer trace.Stop()
	}
	// isAnswer tells an answer to /help in a probe's chat.
	isAnswer := func(r telegramtest.Request) bool {
		chat := r.Params.Get("chat_id")
		return r.Method == "sendMessage" && r.Status == 200 && first[chat] != "" && strings.HasPrefix(r.Params.Get("text"), first[chat])
	}
	before := len(srv.Requests())
	startScans := scans.Load()
	sent := map[string][]time.Time{}
	n := 0
	tick := time.NewTicker(250 * time.Millisecond)
	for end := time.Now().Add(dur); time.Now().Before(end); <-tick.C {
		p := probe[n%probes]
		id := strconv.FormatInt(p.ID, 10)
		sent[id] = append(sent[id], time.Now())
		p.Send("/help")
		n++
	}
	tick.Stop()
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if len(slices.DeleteFunc(srv.Requests()[before:], func(r telegramtest.Request) bool { return !isAnswer(r) })) >= n {
			break
		}
	}
	close(done)
	wg.Wait()
	res.scans = int(scans.Load() - startScans)
	var lat []time.Duration
	seen := map[string]int{}
	for _, r := range srv.Requests()[before:] {
		chat := r.Params.Get("chat_id")
		if k := seen[chat]; isAnswer(r) && k < len(sent[chat]) {
			lat = append(lat, r.At.Sub(sent[chat][k]))
			seen[chat]++
		}
	}
	if len(lat) != n {
		return res, fmt.Errorf("%d answers to %d /help", len(lat), n)
	}
	slices.Sort(lat)
	res.samples = len(lat)
	res.l = latency{p50: lat[len(lat)/2], p99: lat[(len(lat)*99+99)/100-1], max: lat[len(lat)-1]}
	return res, nil
}
