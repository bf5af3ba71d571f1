// Command mmobench measures the bot against the fake Bot API server.
//
// By default it measures how fast the bot handles a burst of updates,
// against a bare echo loop over the same Bot API library and the same fake
// server in the same run: the floor the bot's overhead (a store
// transaction per update, the durable outbox, routing, rendering) is
// measured against.
//
//	go run ./cmd/mmobench [-users 1000] [-updates 10000] [-registered 10000]
//
// With -broadcast it publishes an event to an association of -members
// members through a server that enforces Telegram's limits (30 messages a
// second overall, 1 a second per chat) by answering 429, and prints the
// rate achieved against the limit, the 429s received, and the members who
// got the announcement never or twice. Then, with a new association, it
// measures how long a newcomer's /start waits for its first answer: -starts
// newcomers on the idle bot (the baseline), then as many right after the
// announcement to every member was queued.
//
//	go run ./cmd/mmobench -broadcast [-members 1000] [-starts 50]
//
// With -latency and -jitter the fake network delays each call on its way
// to the server by latency ± jitter (and, with -back, its answer too), and
// the server counts the leader's card edits against the limits: the
// leader publishes two events, so every member's chat gets two messages,
// and every fifth member answers «Приду» as the first arrives.
//
//	go run ./cmd/mmobench -broadcast -latency 100ms -jitter 50ms
//
// `mmobench seed [-city] -out FILE` writes a region (or a city) after five
// school years into a new store, through the store's API; `mmobench all
// [-db FILE]` runs every benchmark on such a store (seeding the region
// when no -db is given) and prints a table: start-up time and memory, a
// trivial command's latency during due scans and during another user's
// /history, a burst of real commands against an echo loop of the same
// concurrency (in alternating rounds, -rounds, the medians reported),
// and the broadcast over a jittery network.
//
// Latency is from the moment an update is queued on the fake server to
// the moment the answer to it reaches the server. Memory is the peak heap
// of the whole process (bot and fake server) during the burst.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/mmobot/mmobot/internal/boltdb"
	"github.com/mmobot/mmobot/internal/chat"
	"github.com/mmobot/mmobot/internal/config"
	"github.com/mmobot/mmobot/internal/i18n"
	"github.com/mmobot/mmobot/internal/mmo"
	"github.com/mmobot/mmobot/internal/schedule"
	"github.com/mmobot/mmobot/internal/telegram"
	"github.com/mmobot/mmobot/internal/telegram/telegramtest"
	"github.com/mmobot/mmobot/locales"
)

func main() {
	if len(os.Args) > 1 {
		var err error
		switch os.Args[1] {
		case "seed":
			err = runSeed(os.Args[2:], os.Stdout)
		case "all":
			err = runAll(os.Args[2:], os.Stdout)
		case "startup-child":
			if len(os.Args) != 3 {
				err = fmt.Errorf("usage: mmobench startup-child FILE")
			} else {
				err = runStartupChild(os.Args[2])
			}
		default:
			goto flags
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "mmobench %s: %v\n", os.Args[1], err)
			os.Exit(1)
		}
		return
	}
flags:
	users := flag.Int("users", 1000, "users sending updates")
	updates := flag.Int("updates", 10000, "updates in the burst")
	registered := flag.Int("registered", 10000, "registered users in the store")
	workers := flag.Int("workers", config.Default().Telegram.Workers, "bot workers (chats handled at once)")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the bot's run to this file")
	bcast := flag.Bool("broadcast", false, "measure a broadcast against Telegram's limits instead")
	members := flag.Int("members", 1000, "broadcast: members of the association")
	starts := flag.Int("starts", 50, "broadcast: newcomers sending /start, on the idle bot and during the announcement")
	latency := flag.Duration("latency", 0, "broadcast: the network's delay to the server")
	jitter := flag.Duration("jitter", 0, "broadcast: how much the delay varies either way")
	back := flag.Bool("back", false, "broadcast: the answers take the network's delay too")
	flag.Parse()
	profile = *cpuprofile
	if *bcast {
		if *members < 1 || *starts < 1 {
			fmt.Fprintln(os.Stderr, "mmobench: need members >= 1 and starts >= 1")
			os.Exit(2)
		}
		net := network{latency: *latency, jitter: *jitter, back: *back}
		res, err := runBroadcast(*members, net)
		if err != nil {
			fmt.Fprintln(os.Stderr, "mmobench: broadcast:", err)
			os.Exit(1)
		}
		res.print(os.Stdout)
		rep, err := runReplyLatency(*members, *starts, net)
		if err != nil {
			fmt.Fprintln(os.Stderr, "mmobench: replies during a broadcast:", err)
			os.Exit(1)
		}
		rep.print(os.Stdout)
		return
	}
	if *users < 1 || *updates < *users || *registered < *users {
		fmt.Fprintln(os.Stderr, "mmobench: need 1 <= users <= updates and users <= registered")
		os.Exit(2)
	}
	fmt.Printf("burst: %d updates from %d users; %d registered users in the store; %d workers; GOMAXPROCS %d\n\n",
		*updates, *users, *registered, *workers, runtime.GOMAXPROCS(0))
	echo, err := runEcho(*users, *updates)
	if err != nil {
		fmt.Fprintln(os.Stderr, "mmobench: echo:", err)
		os.Exit(1)
	}
	bot, err := runBot(*users, *updates, *registered, *workers)
	if err != nil {
		fmt.Fprintln(os.Stderr, "mmobench: bot:", err)
		os.Exit(1)
	}
	fmt.Printf("%-28s %12s %10s %10s %10s %14s\n", "", "updates/s", "p50", "p99", "max", "peak heap MiB")
	for _, r := range []result{echo, bot} {
		fmt.Printf("%-28s %12.0f %10s %10s %10s %14.1f\n", r.name, r.rate, r.p50.Round(time.Microsecond*100),
			r.p99.Round(time.Microsecond*100), r.max.Round(time.Millisecond), float64(r.peakHeap)/(1<<20))
	}
	fmt.Printf("\nbot throughput is %.0f%% of the bare echo loop's\n", 100*bot.rate/echo.rate)
}

// profile is the -cpuprofile file.
var profile string

type result struct {
	name          string
	note          string // said beside the figures
	rate          float64
	p50, p99, max time.Duration
	peakHeap      uint64
	// writes and commits are the store's over the run (the bot's burst):
	// the writes share commits, each with its two fdatasyncs.
	writes, commits int64
	// taken counts the presses of the bot's burst answered as a taken
	// answer to an invitation («Записано: ...»).
	taken int
}

// burst queues the updates, round-robin over the users, and returns when
// each was queued, per chat in order.
func burst(srv *telegramtest.Server, users, updates int, text func(i int) string) map[int64][]time.Time {
	us := make([]*telegramtest.User, users)
	for i := range us {
		us[i] = srv.NewUser(int64(i+1), "U", "ru")
	}
	sent := make(map[int64][]time.Time, users)
	for i := 0; i < updates; i++ {
		u := us[i%users]
		sent[u.ID] = append(sent[u.ID], time.Now())
		u.Send(text(i))
	}
	return sent
}

// measure waits until every update got its answer and computes the figures.
func measure(name string, srv *telegramtest.Server, sent map[int64][]time.Time, updates int, start time.Time, peak *peakHeap) (result, error) {
	deadline := time.Now().Add(5 * time.Minute)
	for srv.Stats().ByMethod["sendMessage"] < updates {
		if time.Now().After(deadline) {
			return result{}, fmt.Errorf("only %d of %d answers after 5 minutes", srv.Stats().ByMethod["sendMessage"], updates)
		}
		time.Sleep(5 * time.Millisecond)
	}
	elapsed := time.Since(start)
	peak.stop()
	seen := map[int64]int{}
	var lat []time.Duration
	for _, r := range srv.Requests() {
		if r.Method != "sendMessage" || r.Status != http.StatusOK {
			continue
		}
		chat, _ := strconv.ParseInt(r.Params.Get("chat_id"), 10, 64)
		k := seen[chat]
		seen[chat]++
		if k < len(sent[chat]) {
			lat = append(lat, r.At.Sub(sent[chat][k]))
		}
	}
	slices.Sort(lat)
	if len(lat) != updates {
		return result{}, fmt.Errorf("%d answers matched, want %d", len(lat), updates)
	}
	return result{
		name:     name,
		rate:     float64(updates) / elapsed.Seconds(),
		p50:      lat[len(lat)/2],
		p99:      lat[len(lat)*99/100],
		max:      lat[len(lat)-1],
		peakHeap: peak.max.Load(),
	}, nil
}

// peakHeap samples the heap in use every few milliseconds.
type peakHeap struct {
	max  atomic.Uint64
	done chan struct{}
	wg   sync.WaitGroup
}

func watchHeap() *peakHeap {
	p := &peakHeap{done: make(chan struct{})}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		var ms runtime.MemStats
		t := time.NewTicker(10 * time.Millisecond)
		defer t.Stop()
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > p.max.Load() {
				p.max.Store(ms.HeapInuse)
			}
			select {
			case <-p.done:
				return
			case <-t.C:
			}
		}
	}()
	return p
}

func (p *peakHeap) stop() {
	select {
	case <-p.done:
	default:
		close(p.done)
	}
	p.wg.Wait()
}

// runEcho is the floor: the library's GetUpdates in a loop, each update
// echoed with Send, nothing stored.
func runEcho(users, updates int) (result, error) {
	srv := telegramtest.Start(telegramtest.Options{})
	defer srv.Close()
	api, err := tgbotapi.NewBotAPIWithClient(telegramtest.Token, srv.Endpoint(), &http.Client{Timeout: 30 * time.Second})
	if err != nil {
		return result{}, err
	}
	runtime.GC()
	peak := watchHeap()
	defer peak.stop()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		offset := 0
		for ctx.Err() == nil {
			ups, err := api.GetUpdates(tgbotapi.UpdateConfig{Offset: offset, Limit: 100, Timeout: 1})
			if err != nil {
				continue
			}
			for _, u := range ups {
				offset = u.UpdateID + 1
				if u.Message != nil {
					api.Send(tgbotapi.NewMessage(u.Message.Chat.ID, u.Message.Text))
				}
			}
		}
	}()
	start := time.Now()
	sent := burst(srv, users, updates, func(i int) string { return "echo " + strconv.Itoa(i) })
	return measure("bare echo loop (tgbotapi)", srv, sent, updates, start, peak)
}

// runBot runs the real bot over a store holding registered users and sends
// it /help, /settings and plain text from registered members.
func runBot(users, updates, registered, workers int) (result, error) {
	db, closeDB, err := tempDB()
	if err != nil {
		return result{}, err
	}
	defer closeDB()
	if err := seedUsers(db, registered); err != nil {
		return result{}, err
	}
	srv := telegramtest.Start(telegramtest.Options{})
	defer srv.Close()
	// The burst measures handling, not Telegram's limits: those have a
	// benchmark of their own.
	stop, err := startBot(db, srv, workers, telegram.Limits{Global: 1e6, Private: 1e6, PrivateBurst: 1000, GroupPerMinute: 1e6})
	if err != nil {
		return result{}, err
	}
	defer stop()
	srv.SettleWithin(10 * time.Second) // the start-up menus
	base := srv.Stats().ByMethod["sendMessage"]
	if base != 0 {
		return result{}, fmt.Errorf("unexpected messages before the burst: %d", base)
	}
	runtime.GC()
	if profile != "" {
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
	texts := []string{"/help", "/settings", "добрый день"}
	start := time.Now()
	sent := burst(srv, users, updates, func(i int) string { return texts[(i/users)%len(texts)] })
	return measure("mmobot (store + outbox)", srv, sent, updates, start, peak)
}

// seedUsers stores registered users, in batches so seeding stays quick.
func seedUsers(db *boltdb.DB, n int) error {
	now := time.Now()
	for from := 1; from <= n; from += 1000 {
		err := db.Update(func(tx *boltdb.Tx) error {
			for id := from; id < from+1000 && id <= n; id++ {
				if err := tx.PutUser(registeredUser(int64(id), now)); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// registeredUser is a teacher who finished registration at now.
func registeredUser(id int64, now time.Time) *mmo.User {
	return &mmo.User{ID: id, Accounts: []mmo.Account{{Messenger: telegram.Messenger, ID: id}}, Name: "Участник Тестовый " + strconv.FormatInt(id, 10), School: "Школа № 1",
		Position: "учитель", RegisteredAt: now, ConsentAt: now, LanguageCode: "ru"}
}

// tempDB opens a store in a new temporary directory; closeDB closes it
// and removes the directory.
func tempDB() (db *boltdb.DB, closeDB func(), err error) {
	dir, err := os.MkdirTemp("", "mmobench-")
	if err != nil {
		return nil, nil, err
	}
	db, err = boltdb.Open(filepath.Join(dir, "mmo.db"), boltdb.Options{Timeout: time.Second})
	if err != nil {
		os.RemoveAll(dir)
		return nil, nil, err
	}
	return db, func() {
		db.Close()
		os.RemoveAll(dir)
	}, nil
}

// startBot runs the real bot over db against srv, with the given workers
// and sending limits and its log discarded; stop stops it and waits.
func startBot(db *boltdb.DB, srv *telegramtest.Server, workers int, limits telegram.Limits) (stop func(), err error) {
	return startBotWith(db, srv, func(o *botOptions) {
		o.tg.Workers, o.tg.Limits = workers, limits
	})
}

// botOptions are the options of the bot's parts as the app wires them:
// the transport, the conversation and the schedule.
type botOptions struct {
	tg    telegram.Options
	chat  chat.Options
	sched schedule.Options
	// noSchedule leaves the due scan to the caller (see startEngine).
	noSchedule bool
}

// startBotWith runs the real bot over db against srv, wired as the app
// wires it, with the defaults of the config changed by set and its log
// discarded; stop stops it and waits.
func startBotWith(db *boltdb.DB, srv *telegramtest.Server, set func(*botOptions)) (stop func(), err error) {
	_, stop, err = startEngine(db, srv, set)
	return stop, err
}

// startEngine is startBotWith that also returns the conversation engine,
// for benchmarks that run its due scan themselves (botOptions.noSchedule).
func startEngine(db *boltdb.DB, srv *telegramtest.Server, set func(*botOptions)) (engine *chat.Engine, stop func(), err error) {
	cat, err := i18n.New(locales.FS)
	if err != nil {
		return nil, nil, err
	}
	c := config.Default()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	o := botOptions{
		tg: telegram.Options{
			Token:          telegramtest.Token,
			Endpoint:       srv.Endpoint(),
			PollTimeout:    time.Second,
			RequestTimeout: 30 * time.Second,
			Workers:        c.Telegram.Workers,
			Log:            log,
		},
		chat: chat.Options{
			Reminders:           c.Meetings.Reminders,
			ConsultResponseDays: c.Consultations.ResponseDays,
			ConsultAutoClose:    c.Consultations.AutoClose,
			Regulation:          c.Regulation.Profile(),
			AlertsAt:            c.Regulation.AlertsAt,
			Location:            c.Location,
			Log:                 log,
		},
		sched: schedule.Options{Location: c.Location, Log: log},
	}
	set(&o)
	ctx, cancel := context.WithCancel(context.Background())
	bot, err := telegram.New(ctx, db, o.tg)
	if err != nil {
		cancel()
		return nil, nil, err
	}
	o.chat.Transports, o.chat.Wake = []chat.Transport{bot.Transport()}, bot.Wake
	engine, err = chat.New(db, cat, o.chat)
	if err != nil {
		cancel()
		return nil, nil, err
	}
	// As the app does: in the background, beside the first updates.
	menus := make(chan struct{})
	go func() {
		defer close(menus)
		engine.RefreshMenus()
	}()
	stopSched := func() {}
	if !o.noSchedule {
		sched := schedule.Start(engine, o.sched)
		stopSched = sched.Stop
	}
	done := make(chan error, 1)
	go func() { done <- bot.Run(ctx, engine) }()
	return engine, func() { cancel(); <-done; stopSched(); <-menus }, nil
}
