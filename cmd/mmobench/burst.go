package main

import (
	"cmp"
	"context"
	"fmt"
	"net/http"
	"os"
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
	"github.com/mmobot/mmobot/internal/seed"
	"github.com/mmobot/mmobot/internal/telegram"
	"github.com/mmobot/mmobot/internal/telegram/telegramtest"
)

// burstKinds are the commands the burst's users send, in turn; every
// fourth user answers an invitation instead (see rsvpCard).
var burstKinds = []string{"/help", "/meetings", "/history"}

// mixedBurst sends the same burst of updates, from users 3..users+2 of
// the seeded store, to an echo loop with as many workers as the bot and
// to the bot: every fourth user answers an invitation, pressing «Приду»
// and «Не смогу» in turn on an event's card (see rsvpCard), the others
// send commands in turn. The two take turns, rounds times each (echo,
// bot, echo, bot, ...; the bot on a fresh copy of the store each time),
// so that a change in the machine's load falls on both:
// each bot round is set against the mean of the echo rounds either side
// of it, and the figures are the medians of the rounds.
func mixedBurst(path string, users, updates, workers, rounds int, fresh func() error) (echo, bot result, ratio float64, err error) {
	var echoes, bots []result
	for i := 0; i <= rounds; i++ {
		e, err := burstRun(path, users, updates, workers, true)
		if err != nil {
			return result{}, result{}, 0, fmt.Errorf("echo: %w", err)
		}
		echoes = append(echoes, e)
		if i == rounds {
			break
		}
		if err := fresh(); err != nil {
			return result{}, result{}, 0, err
		}
		b, err := burstRun(path, users, updates, workers, false)
		if err != nil {
			return result{}, result{}, 0, fmt.Errorf("bot: %w", err)
		}
		bots = append(bots, b)
	}
	var ratios []float64
	var rates, short []string
	for i, b := range bots {
		ratios = append(ratios, b.rate/((echoes[i].rate+echoes[i+1].rate)/2))
		rates = append(rates, fmt.Sprintf("%.0f", b.rate))
		if b.note != "" {
			short = append(short, fmt.Sprintf("round %d %s", i+1, b.note))
		}
	}
	echo, bot = medianResult(echoes), medianResult(bots)
	var erates, eshort []string
	for i, e := range echoes {
		erates = append(erates, fmt.Sprintf("%.0f", e.rate))
		if e.note != "" {
			eshort = append(eshort, fmt.Sprintf("round %d %s", i+1, e.note))
		}
	}
	echo.note = strings.TrimSpace(fmt.Sprintf("(median of %d rounds: %s) %s", len(echoes), strings.Join(erates, ", "), strings.Join(eshort, "; ")))
	bot.note = strings.TrimSpace(fmt.Sprintf("(median of %d rounds between them: %s; its store: %d writes in %d commits) %s", len(bots), strings.Join(rates, ", "), bot.writes, bot.commits, strings.Join(short, "; ")))
	slices.Sort(ratios)
	return echo, bot, ratios[len(ratios)/2], nil
}

// medianResult is the round of median rate.
func medianResult(rs []result) result {
	rs = slices.Clone(rs)
	slices.SortFunc(rs, func(a, b result) int { return cmp.Compare(a.rate, b.rate) })
	return rs[len(rs)/2]
}

func burstRun(path string, users, updates, workers int, echo bool) (result, error) {
	srv := telegramtest.Start(telegramtest.Options{})
	defer srv.Close()
	srv.SetWaitTimeout(time.Minute)
	name := fmt.Sprintf("echo loop, %d workers", workers)
	var store *boltdb.DB
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
		store = db
		// Handling, not Telegram's limits, is measured here.
		var scans atomic.Int64
		stop, err := startBotWith(db, srv, func(o *botOptions) {
			o.tg.Workers = workers
			o.tg.Limits = telegram.Limits{Global: 1e6, Private: 1e6, PrivateBurst: 1000, GroupPerMinute: 1e6}
			o.sched.OnDueScan = func(time.Time, bool) { scans.Add(1) }
		})
		if err != nil {
			return result{}, err
		}
		defer stop()
		// The catch-up scan at start (on the region: the daily jobs, a
		// retention warning with 1,500 archives) is over before the burst,
		// as in a bot that has been running: the burst measures the
		// handling of updates, not the start's backlog beside it.
		for deadline := time.Now().Add(5 * time.Minute); scans.Load() == 0 && time.Now().Before(deadline); {
			time.Sleep(10 * time.Millisecond)
		}
		srv.SettleWithin(2 * time.Minute)
	}
	us := make([]*telegramtest.User, users)
	cards := make([]rsvpCard, users)
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
		c, err := openCard(us[i], echo)
		if err != nil {
			return result{}, fmt.Errorf("user %d: %w", us[i].ID, err)
		}
		cards[i] = c
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
		// The allocations of the burst: the profile before it, to
		// subtract (go tool pprof -base F.allocs0 F.allocs), and after.
		if err := writeAllocs(profile + ".allocs0"); err != nil {
			return result{}, err
		}
		defer writeAllocs(profile + ".allocs")
	}
	peak := watchHeap()
	defer peak.stop()
	// The store's writes and commits over the burst, up to its last answer.
	var commits0 int64
	storeUse := func(r result) result {
		if store != nil {
			r.writes, _ = store.WriteStats()
			r.commits = store.Commits() - commits0
		}
		return r
	}
	if store != nil {
		store.WriteStats()
		commits0 = store.Commits()
	}
	sent := map[int64][]time.Time{}
	pressed := map[string]time.Time{}
	var cmds int
	start := time.Now()
	for i := 0; i < updates; i++ {
		k := i % users
		u := us[k]
		if k%4 == 3 {
			c := &cards[k]
			at := time.Now()
			pressed[u.PressData(c.message, c.data[c.presses%2])] = at
			c.presses++
			continue
		}
		sent[u.ID] = append(sent[u.ID], time.Now())
		u.Send(burstKinds[(i/users)%len(burstKinds)])
		cmds++
	}
	// Each command is answered with one message, each press with a
	// callback answer. The requests are read as they come, each once.
	var lat []time.Duration
	seen := map[int64]int{}
	answered, taken := 0, 0
	var last time.Time
	deadline := time.Now().Add(10 * time.Minute)
	for next := before; ; {
		reqs := srv.RequestsFrom(next)
		next += len(reqs)
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
					if strings.HasPrefix(r.Params.Get("text"), "Записано") {
						taken++
					}
				}
			}
		}
		if answered >= updates {
			peak.stop()
			slices.Sort(lat)
			return storeUse(result{name: name, rate: float64(updates) / last.Sub(start).Seconds(), p50: lat[len(lat)/2],
				p99: lat[len(lat)*99/100], max: lat[len(lat)-1], peakHeap: peak.max.Load(), taken: taken}), nil
		}
		if time.Now().After(deadline) {
			// What was answered in the time, for the figures: the rate is
			// what the run managed, the latencies those of the answered.
			peak.stop()
			slices.Sort(lat)
			if len(lat) == 0 {
				return result{}, fmt.Errorf("nothing answered in 10 minutes")
			}
			return storeUse(result{name: name, rate: float64(answered) / time.Since(start).Seconds(), p50: lat[len(lat)/2],
				p99: lat[len(lat)*99/100], max: lat[len(lat)-1], peakHeap: peak.max.Load(), taken: taken,
				note: fmt.Sprintf("(only %d of %d answered in 10 minutes)", answered, updates)}), nil
		}
		// The looks run in the process measured (the times are the
		// server's): a few a second.
		time.Sleep(250 * time.Millisecond)
	}
}

// startEcho runs the floor the bot is measured against: the library's
// GetUpdates in a loop, each update handed to one of workers goroutines
// by chat, as the bot hands them, and answered at once: a message with
// its text, /meetings with a button to press, a press with a callback
// answer. Nothing is stored.
func startEcho(srv *telegramtest.Server, workers int) (stop func(), err error) {
	// Connections kept open for every worker, as the bot keeps them: the
	// default of 2 idle ones would dial anew for most calls.
	transport := &http.Transport{MaxIdleConns: workers + 16, MaxIdleConnsPerHost: workers + 16, IdleConnTimeout: 90 * time.Second}
	api, err := tgbotapi.NewBotAPIWithClient(telegramtest.Token, srv.Endpoint(), &http.Client{Timeout: 30 * time.Second, Transport: transport})
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

// rsvpCard is an event's card a user opened from /meetings, with the
// data of its buttons «Приду» and «Не смогу»: the user presses them in
// turn, so that each press changes their answer (a write, the callback's
// answer and an edit of the card). The echo loop's users press the
// button of its list, which it answers alike.
type rsvpCard struct {
	message int
	data    [2]string
	presses int
}

// openCard waits for u's list of events, opens its first event and
// returns the card's answer buttons, the one not chosen yet first.
func openCard(u *telegramtest.User, echo bool) (rsvpCard, error) {
	list, ok := u.NextWithin(time.Minute)
	if !ok || len(list.Buttons()) == 0 {
		return rsvpCard{}, fmt.Errorf("no list with a button to press: %+v", list)
	}
	first := list.Buttons()[0]
	if echo {
		return rsvpCard{message: list.ID, data: [2]string{first.Data, first.Data}}, nil
	}
	q, err := u.Press(&list, first.Text)
	if err != nil {
		return rsvpCard{}, err
	}
	if _, ok := u.AnswerWithin(q, time.Minute); !ok {
		return rsvpCard{}, fmt.Errorf("the press of %q was not answered", first.Text)
	}
	card, ok := u.NextWithin(time.Minute)
	if !ok || card.ID != list.ID {
		return rsvpCard{}, fmt.Errorf("the list was not turned into the event's card: %+v", card)
	}
	var yes, no telegramtest.Button
	for _, b := range card.Buttons() {
		switch {
		case strings.HasSuffix(b.Text, " Приду"):
			yes = b
		case strings.HasSuffix(b.Text, " Не смогу"):
			no = b
		}
	}
	if yes.Data == "" || no.Data == "" {
		return rsvpCard{}, fmt.Errorf("the card has no answer buttons: %+v", card)
	}
	if strings.HasPrefix(yes.Text, "✓") {
		return rsvpCard{message: card.ID, data: [2]string{no.Data, yes.Data}}, nil
	}
	return rsvpCard{message: card.ID, data: [2]string{yes.Data, no.Data}}, nil
}

// writeAllocs writes the profile of the allocations so far to path.
func writeAllocs(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := pprof.Lookup("allocs").WriteTo(f, 0); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
