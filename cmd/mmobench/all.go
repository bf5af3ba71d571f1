package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/mmobot/mmobot/internal/boltdb"
	"github.com/mmobot/mmobot/internal/config"
	"github.com/mmobot/mmobot/internal/seed"
	"github.com/mmobot/mmobot/internal/telegram"
	"github.com/mmobot/mmobot/internal/telegram/telegramtest"
)

// runAll is `mmobench all`: every benchmark on one seeded store, with the
// scheduler live, and a table of the figures at the end.
func runAll(args []string, w io.Writer) error {
	fs := flag.NewFlagSet("all", flag.ContinueOnError)
	dbPath := fs.String("db", "", "a store seeded by `mmobench seed` (default: seed the region into a temporary directory)")
	city := fs.Bool("city", false, "seed a city instead of the region (without -db)")
	scan := fs.Duration("scan", 5*time.Second, "the due scan's interval during the latency runs (the bot's default is 30 s)")
	dur := fs.Duration("duration", 30*time.Second, "how long each latency run sends its trivial command")
	users := fs.Int("users", 200, "burst: users sending updates")
	updates := fs.Int("updates", 2000, "burst: updates in the burst")
	workers := fs.Int("workers", config.Default().Telegram.Workers, "bot workers, and the echo loop's")
	members := fs.Int("members", 1000, "broadcast: members of the association")
	only := fs.String("only", "startup,scan,latency,burst,broadcast,size", "the benchmarks to run, comma-separated")
	latency := fs.Duration("latency", 100*time.Millisecond, "broadcast: the network's delay to the server")
	jitter := fs.Duration("jitter", 50*time.Millisecond, "broadcast: how much the delay varies either way")
	fs.StringVar(&profile, "cpuprofile", "", "write a CPU profile of the bot's burst to this file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var rows []row
	add := func(what, figure, note string) {
		rows = append(rows, row{what, figure, note})
		fmt.Fprintf(w, "  %-52s %s %s\n", what, figure, note)
	}
	dir, err := os.MkdirTemp("", "mmobench-all-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	if *dbPath == "" {
		*dbPath = filepath.Join(dir, "seeded.db")
		cfg := seedConfig(*city)
		fmt.Fprintf(w, "seeding %s ...\n", *dbPath)
		st, err := seedFile(*dbPath, cfg)
		if err != nil {
			return err
		}
		printSeed(w, *dbPath, cfg, st)
		add("seeding", st.Elapsed.Round(time.Second).String(), "")
		var prev int64
		for i, s := range st.YearSize {
			add(fmt.Sprintf("DB size, school year %d", i+1), fmt.Sprintf("+%.0f MiB", float64(s-prev)/(1<<20)), fmt.Sprintf("(%.0f MiB in all)", float64(s)/(1<<20)))
			prev = s
		}
	}
	fi, err := os.Stat(*dbPath)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "\nstore %s: %.0f MiB; GOMAXPROCS %d\n\n", *dbPath, float64(fi.Size())/(1<<20), runtime.GOMAXPROCS(0))

	work := filepath.Join(dir, "work.db")
	fresh := func() error { return copyFile(*dbPath, work) }
	steps := map[string]func() error{}
	order := []string{"startup", "scan", "latency", "burst", "broadcast", "size"}
	steps["size"] = func() error { return sizeStep(work, dir, fresh, add) }
	steps["scan"] = func() error { return scanStep(work, dir, fresh, add) }

	// Start-up: a new process opens the store, starts the bot and answers
	// /help: from a cold page cache, again warm, and from a new copy of
	// the store warm, where the menus of the leaders and coordinators
	// (none set yet) are queued at start.
	steps["startup"] = func() error {
		for i, name := range []string{"first start, cold", "second start", "first start, warm"} {
			if i != 1 {
				if err := fresh(); err != nil {
					return err
				}
			}
			if i == 0 {
				dropCaches()
			}
			st, err := startupOnce(work)
			if err != nil {
				return fmt.Errorf("start-up: %w", err)
			}
			add("start-up, "+name+": store open", st.Open.Round(time.Millisecond).String(), "")
			add("start-up, "+name+": first answer", st.First.Round(time.Millisecond).String(), "(from the process start)")
			add("start-up, "+name+": resident memory", fmt.Sprintf("%.0f MiB", st.RSSAnon/1024), fmt.Sprintf("(anonymous; file pages mapped %.0f MiB)", st.RSSFile/1024))
		}
		return nil
	}

	// A trivial command's latency, idle and under load, with due scans.
	steps["latency"] = func() error {
		for _, load := range []string{"scans only", "another user's /history"} {
			if err := fresh(); err != nil {
				return err
			}
			res, err := latencyRun(work, *scan, *dur, load != "scans only")
			if err != nil {
				return fmt.Errorf("latency (%s): %w", load, err)
			}
			add("/help latency, "+load+": p50 / p99 / max", fmt.Sprintf("%v / %v / %v", ms(res.l.p50), ms(res.l.p99), ms(res.l.max)),
				fmt.Sprintf("(%d samples, %d scans, %d /history answered)", res.samples, res.scans, res.histories))
		}
		return nil
	}

	// The burst: the bot against an echo loop of the same concurrency.
	steps["burst"] = func() error {
		if err := fresh(); err != nil {
			return err
		}
		echo, bot, err := mixedBurst(work, *users, *updates, *workers)
		if err != nil {
			return fmt.Errorf("burst: %w", err)
		}
		add(fmt.Sprintf("burst, echo loop of %d workers: updates/s, p50 / p99", *workers), fmt.Sprintf("%.0f, %v / %v", echo.rate, ms(echo.p50), ms(echo.p99)), echo.note)
		add(fmt.Sprintf("burst, mmobot of %d workers: updates/s, p50 / p99", *workers), fmt.Sprintf("%.0f, %v / %v", bot.rate, ms(bot.p50), ms(bot.p99)), bot.note)
		add("burst, mmobot / echo loop", fmt.Sprintf("%.3f", bot.rate/echo.rate), "(/help, /meetings, /history, button presses)")
		return nil
	}

	// The broadcast over a jittery network, and replies during it.
	steps["broadcast"] = func() error {
		net := network{latency: *latency, jitter: *jitter}
		b, err := runBroadcast(*members, net)
		if err != nil {
			return fmt.Errorf("broadcast: %w", err)
		}
		add(fmt.Sprintf("broadcast to %d (%v): ratio to 30/s", *members, net), fmt.Sprintf("%.3f", b.rate/telegramLimit),
			fmt.Sprintf("(%d × 429, %d lost, %d duplicated; %d sends, %d edits)", b.tooMany, b.lost, b.duplicate, b.sends, b.edits))
		rep, err := runReplyLatency(*members, 50, network{})
		if err != nil {
			return fmt.Errorf("replies during a broadcast: %w", err)
		}
		add(fmt.Sprintf("/start latency during a broadcast to %d: p50 / p99", *members), fmt.Sprintf("%v / %v", ms(rep.during.p50), ms(rep.during.p99)),
			fmt.Sprintf("(idle %v / %v)", ms(rep.idle.p50), ms(rep.idle.p99)))
		return nil
	}

	for _, name := range order {
		if !slices.Contains(strings.Split(*only, ","), name) {
			continue
		}
		if err := steps[name](); err != nil {
			add(name, "failed", err.Error())
		}
	}

	fmt.Fprintf(w, "\n| what | figure | |\n|---|---|---|\n")
	for _, r := range rows {
		fmt.Fprintf(w, "| %s | %s | %s |\n", r.what, r.figure, r.note)
	}
	return nil
}

type row struct{ what, figure, note string }

func ms(d time.Duration) string {
	switch {
	case d >= time.Second:
		return d.Round(10 * time.Millisecond).String()
	case d >= 10*time.Millisecond:
		return d.Round(time.Millisecond).String()
	}
	return d.Round(100 * time.Microsecond).String()
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(to)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// dropCaches empties the page cache where the process may (root on
// Linux), so the first start reads the store from the disk.
func dropCaches() {
	exec.Command("sync").Run()
	os.WriteFile("/proc/sys/vm/drop_caches", []byte("3\n"), 0o644)
}

// startup is what one start measured.
type startup struct {
	Open, First      time.Duration
	RSSAnon, RSSFile float64 // KiB
}

// startupOnce runs `mmobench startup-child` on the store and reads its
// figures.
func startupOnce(path string) (startup, error) {
	self, err := os.Executable()
	if err != nil {
		return startup{}, err
	}
	cmd := exec.Command(self, "startup-child", path)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return startup{}, fmt.Errorf("%w: %s", err, stderr.String())
	}
	var st startup
	return st, json.Unmarshal(out, &st)
}

// runStartupChild is the child of startupOnce: from its own start, it
// opens the store as the bot does, starts the bot against a fake server,
// has a teacher send /help and prints when the answer came, and its
// resident memory then.
func runStartupChild(path string) error {
	begin := time.Now()
	// Update ids above any the store confirmed in an earlier start.
	srv := telegramtest.Start(telegramtest.Options{FirstUpdateID: int(begin.UnixMilli() % 1_000_000_000)})
	defer srv.Close()
	db, err := boltdb.Open(path, boltdb.Options{Timeout: 5 * time.Second})
	if err != nil {
		return err
	}
	opened := time.Since(begin)
	d := config.Default().Limits
	stop, err := startBotWith(db, srv, func(o *botOptions) {
		o.tg.Limits = telegram.Limits{Global: d.GlobalPerSecond, Private: d.PrivatePerSecond, PrivateBurst: d.PrivateBurst, GroupPerMinute: d.GroupPerMinute}
	})
	if err != nil {
		return err
	}
	u := srv.NewUser(seed.TelegramID(3), "U", "ru")
	u.Send("/help")
	if _, ok := u.NextWithin(2 * time.Minute); !ok {
		return fmt.Errorf("no answer to /help within 2 minutes")
	}
	st := startup{Open: opened, First: time.Since(begin)}
	st.RSSAnon, st.RSSFile = rss()
	stop()
	db.Close()
	return json.NewEncoder(os.Stdout).Encode(st)
}

// rss reads the process's anonymous and file-backed resident memory, KiB.
func rss() (anon, file float64) {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0, 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 2 {
			continue
		}
		v, _ := strconv.ParseFloat(fields[1], 64)
		switch fields[0] {
		case "RssAnon:":
			anon = v
		case "RssFile:":
			file = v
		}
	}
	return anon, file
}

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
	for i := 0; i < n; i++ {
		if _, ok := probe[i%probes].NextWithin(time.Minute); !ok {
			break
		}
	}
	close(done)
	wg.Wait()
	res.scans = int(scans.Load() - startScans)
	var lat []time.Duration
	seen := map[string]int{}
	for _, r := range srv.Requests() {
		chat := r.Params.Get("chat_id")
		if k := seen[chat]; r.Method == "sendMessage" && r.Status == 200 && k < len(sent[chat]) {
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

// burstKinds are what the burst's users do, in turn: three commands and
// a press of a button on the list of events.
var burstKinds = []string{"/help", "/meetings", "/history"}

// mixedBurst sends the same burst of updates, from users 3..users+2 of
// the seeded store, to an echo loop with as many workers as the bot and
// to the bot: every fourth user presses a button of a list the bot sent
// them, the others send commands in turn.
func mixedBurst(path string, users, updates, workers int) (echo, bot result, err error) {
	echo, err = burstRun(path, users, updates, workers, true)
	if err != nil {
		return result{}, result{}, fmt.Errorf("echo: %w", err)
	}
	bot, err = burstRun(path, users, updates, workers, false)
	if err != nil {
		return result{}, result{}, fmt.Errorf("bot: %w", err)
	}
	return echo, bot, nil
}

func burstRun(path string, users, updates, workers int, echo bool) (result, error) {
	srv := telegramtest.Start(telegramtest.Options{})
	defer srv.Close()
	srv.SetWaitTimeout(time.Minute)
	name := fmt.Sprintf("echo loop, %d workers", workers)
	if echo {
		stop, err := startEcho(srv, workers)
		if err != nil {
			return result{}, err
		}
		defer stop()
	} else {
		name = fmt.Sprintf("mmobot, %d workers", workers)
		db, err := boltdb.Open(path, boltdb.Options{Timeout: 5 * time.Second})
		if err != nil {
			return result{}, err
		}
		defer db.Close()
		// Handling, not Telegram's limits, is measured here.
		stop, err := startBotWith(db, srv, func(o *botOptions) {
			o.tg.Workers = workers
			o.tg.Limits = telegram.Limits{Global: 1e6, Private: 1e6, PrivateBurst: 1000, GroupPerMinute: 1e6}
		})
		if err != nil {
			return result{}, err
		}
		defer stop()
	}
	us := make([]*telegramtest.User, users)
	lists := make([]telegramtest.Message, users)
	for i := range us {
		us[i] = srv.NewUser(seed.TelegramID(int64(i+probeUser)), "U", "ru")
		if i%4 == 3 {
			us[i].Send("/meetings")
		}
	}
	for i := range us {
		if i%4 != 3 {
			continue
		}
		m, ok := us[i].NextWithin(time.Minute)
		if !ok || len(m.Buttons()) == 0 {
			return result{}, fmt.Errorf("user %d has no list with a button to press: %+v", us[i].ID, m)
		}
		lists[i] = m
	}
	srv.SettleWithin(time.Minute)
	before := len(srv.Requests())
	runtime.GC()
	if profile != "" && !echo {
		f, err := os.Create(profile)
		if err != nil {
			return result{}, err
		}
		defer f.Close()
		pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	peak := watchHeap()
	defer peak.stop()
	sent := map[int64][]time.Time{}
	pressed := map[string]time.Time{}
	var cmds int
	start := time.Now()
	for i := 0; i < updates; i++ {
		k := i % users
		u := us[k]
		if k%4 == 3 {
			at := time.Now()
			q, err := u.Press(&lists[k], lists[k].Buttons()[0].Text)
			if err != nil {
				return result{}, err
			}
			pressed[q] = at
			continue
		}
		sent[u.ID] = append(sent[u.ID], time.Now())
		u.Send(burstKinds[(i/users)%len(burstKinds)])
		cmds++
	}
	// Each command is answered with one message, each press with a
	// callback answer.
	var lat []time.Duration
	deadline := time.Now().Add(10 * time.Minute)
	for {
		lat = lat[:0]
		reqs := srv.Requests()[before:]
		seen := map[int64]int{}
		answered := 0
		var last time.Time
		for _, r := range reqs {
			switch {
			case r.Method == "sendMessage" && r.Status == 200:
				chat, _ := strconv.ParseInt(r.Params.Get("chat_id"), 10, 64)
				ts := sent[chat]
				if n := seen[chat]; n < len(ts) {
					lat = append(lat, r.At.Sub(ts[n]))
					seen[chat]++
					answered++
					last = r.At
				}
			case r.Method == "answerCallbackQuery" && r.Status == 200:
				if at, ok := pressed[r.Params.Get("callback_query_id")]; ok {
					lat = append(lat, r.At.Sub(at))
					answered++
					last = r.At
				}
			}
		}
		if answered >= updates {
			peak.stop()
			slices.Sort(lat)
			return result{name: name, rate: float64(updates) / last.Sub(start).Seconds(), p50: lat[len(lat)/2],
				p99: lat[len(lat)*99/100], max: lat[len(lat)-1], peakHeap: peak.max.Load()}, nil
		}
		if time.Now().After(deadline) {
			// What was answered in the time, for the figures: the rate is
			// what the run managed, the latencies those of the answered.
			peak.stop()
			slices.Sort(lat)
			if len(lat) == 0 {
				return result{}, fmt.Errorf("nothing answered in 10 minutes")
			}
			return result{name: name, rate: float64(answered) / time.Since(start).Seconds(), p50: lat[len(lat)/2],
				p99: lat[len(lat)*99/100], max: lat[len(lat)-1], peakHeap: peak.max.Load(),
				note: fmt.Sprintf("(only %d of %d answered in 10 minutes)", answered, updates)}, nil
		}
		// Each look copies every request the server recorded: rarely, as
		// it runs in the process measured (the times are the server's).
		time.Sleep(500 * time.Millisecond)
	}
}

// startEcho runs the floor the bot is measured against: the library's
// GetUpdates in a loop, each update handed to one of workers goroutines
// by chat, as the bot hands them, and answered at once: a message with
// its text, /meetings with a button to press, a press with a callback
// answer. Nothing is stored.
func startEcho(srv *telegramtest.Server, workers int) (stop func(), err error) {
	api, err := tgbotapi.NewBotAPIWithClient(telegramtest.Token, srv.Endpoint(), &http.Client{Timeout: 30 * time.Second})
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	queues := make([]chan tgbotapi.Update, workers)
	var wg sync.WaitGroup
	for i := range queues {
		queues[i] = make(chan tgbotapi.Update, 1024)
		wg.Add(1)
		go func(q chan tgbotapi.Update) {
			defer wg.Done()
			for u := range q {
				switch {
				case u.CallbackQuery != nil:
					api.Request(tgbotapi.NewCallback(u.CallbackQuery.ID, ""))
				case u.Message != nil && u.Message.Text == "/meetings":
					m := tgbotapi.NewMessage(u.Message.Chat.ID, "events")
					m.ReplyMarkup = tgbotapi.NewInlineKeyboardMarkup(tgbotapi.NewInlineKeyboardRow(tgbotapi.NewInlineKeyboardButtonData("event", "e:1")))
					api.Send(m)
				case u.Message != nil:
					api.Send(tgbotapi.NewMessage(u.Message.Chat.ID, u.Message.Text))
				}
			}
		}(queues[i])
	}
	go func() {
		offset := 0
		for ctx.Err() == nil {
			ups, err := api.GetUpdates(tgbotapi.UpdateConfig{Offset: offset, Limit: 100, Timeout: 1})
			if err != nil {
				continue
			}
			for _, u := range ups {
				offset = u.UpdateID + 1
				var chat int64
				switch {
				case u.Message != nil:
					chat = u.Message.Chat.ID
				case u.CallbackQuery != nil:
					chat = u.CallbackQuery.From.ID
				}
				queues[uint64(chat)%uint64(workers)] <- u
			}
		}
		for _, q := range queues {
			close(q)
		}
	}()
	return func() { cancel(); wg.Wait() }, nil
}
