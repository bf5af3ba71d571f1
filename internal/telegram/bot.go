// Package telegram is the Telegram adapter of the bot, and the only
// package that imports the Bot API library. It polls updates with its own
// loop (so an update is confirmed only after it was handled), routes them
// to handlers inside a store transaction, and delivers every answer
// through a durable outbox, most urgent first, and one rate-limited
// sender that answers callback queries off the update workers.
package telegram

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"slices"
	"sync"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/mmobot/mmobot/internal/boltdb"
	"github.com/mmobot/mmobot/internal/i18n"
	"github.com/mmobot/mmobot/internal/mmo"
)

// Options configure a Bot.
type Options struct {
	Token          string
	Endpoint       string        // Bot API URL pattern: bot token, then method, as two %s
	PollTimeout    time.Duration // long-poll wait of getUpdates
	RequestTimeout time.Duration // HTTP timeout of other calls
	Workers        int           // chats handled at once
	Limits         Limits
	Admins         []int64
	DialogIdle     time.Duration   // a form left alone this long expires
	MemberLinkTTL  time.Duration   // validity of member invitation links; 0: until revoked
	LeaderLinkTTL  time.Duration   // validity of one-time leader invitation links
	Reminders      []time.Duration // how long before an event reminders go out
	// ConsultCategories are the topics of requests (empty: the built-in
	// list); ConsultResponseDays the working days before a waiting request
	// is raised; ConsultAutoClose the quiet time after which an answered
	// request closes.
	ConsultCategories   []string
	ConsultResponseDays int
	ConsultAutoClose    time.Duration
	// Regulation is the city's regulation profile; AlertsAt the daily
	// time ("HH:MM") of deadline reminders and the coordinators' digest.
	Regulation mmo.Regulation
	AlertsAt   string
	// DueInterval is how often due reminders are looked for; 30 s when 0.
	DueInterval time.Duration
	Location    *time.Location
	Log         *slog.Logger
	// Now is the clock of handlers and dialogs; time.Now when nil.
	Now func() time.Time
	// ConnectRetry is the first wait between attempts to reach the Bot
	// API at start; it doubles up to a minute.
	ConnectRetry time.Duration
	// UserUpdates limits how many updates of one user are handled per
	// UserWindow (by the clock Now); the excess gets one notice and is
	// dropped. 0: no limit.
	UserUpdates int
	UserWindow  time.Duration
	// OnDueScan, when set, is told after each completed due scan the
	// clock time it went by and whether it queued messages. Tests use it
	// to know that the scheduler has looked at a moved clock and found
	// nothing more to send, instead of sleeping and hoping it has.
	OnDueScan func(now time.Time, queued bool)
	// Metrics, when set, is told what the transport does (see Recorder).
	Metrics Recorder
}

// Bot is the running Telegram bot.
type Bot struct {
	opt     Options
	api     *tgbotapi.BotAPI // for sending; its requests finish on shutdown
	pollAPI *tgbotapi.BotAPI // for getUpdates; its request is cut on shutdown
	db      *boltdb.DB
	cat     *i18n.Catalog
	codec   codec
	sender  *Sender
	answers *answerer
	out     *dispatcher
	flood   *floodGate // nil: no limit on users' updates
	log     *slog.Logger
	now     func() time.Time
	routes  routes
	alerts  time.Time // the clock time of the daily jobs, parsed from AlertsAt

	pollCtx    context.Context
	pollCancel context.CancelFunc
	store      storeHealth
	rec        Recorder // never nil

	// testHookAfterBatch, when set, runs after a batch was handled and
	// before its offset is saved; tests use it to simulate a crash.
	testHookAfterBatch func(offset int) bool
}

// ErrUnauthorized means Telegram refused the token.
var ErrUnauthorized = errors.New("telegram refused the bot token (401 Unauthorized): check telegram.token or MMOBOT_TELEGRAM_TOKEN")

// ctxClient binds every request of a Bot API client to a context, which
// the library itself does not support, so a shutdown can cut a long poll.
type ctxClient struct {
	ctx context.Context
	c   *http.Client
}

func (c ctxClient) Do(req *http.Request) (*http.Response, error) {
	return c.c.Do(req.WithContext(c.ctx))
}

// New connects to the Bot API (retrying while it cannot be reached, until
// ctx is done) and returns a bot ready to Run.
func New(ctx context.Context, db *boltdb.DB, cat *i18n.Catalog, opt Options) (*Bot, error) {
	if opt.Log == nil {
		opt.Log = slog.Default()
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.Workers < 1 {
		opt.Workers = 1
	}
	if opt.DialogIdle <= 0 {
		opt.DialogIdle = 24 * time.Hour
	}
	if opt.Location == nil {
		opt.Location = time.UTC
	}
	if opt.LeaderLinkTTL <= 0 {
		opt.LeaderLinkTTL = 7 * 24 * time.Hour
	}
	if opt.AlertsAt == "" {
		opt.AlertsAt = "09:00"
	}
	alerts, err := time.Parse("15:04", opt.AlertsAt)
	if err != nil {
		return nil, fmt.Errorf("alerts time %q: want HH:MM", opt.AlertsAt)
	}
	// The due scan takes the nearest reminder first; sort once, on a copy
	// that is the bot's own.
	opt.Reminders = slices.Sorted(slices.Values(opt.Reminders))
	if opt.Regulation.YearStart.Month == 0 {
		opt.Regulation.YearStart = mmo.MonthDay{Month: time.September, Day: 1}
		opt.Regulation.PlanDue = mmo.MonthDay{Month: time.September, Day: 15}
		opt.Regulation.ReportDue = mmo.MonthDay{Month: time.June, Day: 20}
		opt.Regulation.MeetingsWarn = mmo.MonthDay{Month: time.March, Day: 1}
	}
	if opt.DueInterval <= 0 {
		opt.DueInterval = 30 * time.Second
	}
	if opt.ConnectRetry <= 0 {
		opt.ConnectRetry = time.Second
	}
	if opt.RequestTimeout <= 0 {
		opt.RequestTimeout = 15 * time.Second
	}
	log := opt.Log
	tgbotapi.SetLogger(libLogger{log: log, r: redactor{secrets: []string{opt.Token}}})

	transport := &http.Transport{
		Proxy:               http.ProxyFromEnvironment,
		DialContext:         (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        128,
		MaxIdleConnsPerHost: 64, // the default 2 would reopen connections during a broadcast
		IdleConnTimeout:     90 * time.Second,
		TLSHandshakeTimeout: 10 * time.Second,
		ForceAttemptHTTP2:   true,
	}
	// getMe is the first call: it runs on ctx, so a SIGTERM while the Bot
	// API hangs or cannot be reached stops the start at once.
	startClient := &http.Client{Transport: transport, Timeout: opt.RequestTimeout}
	var api *tgbotapi.BotAPI
	wait := opt.ConnectRetry
	for {
		var err error
		api, err = tgbotapi.NewBotAPIWithClient(opt.Token, opt.Endpoint, ctxClient{ctx: ctx, c: startClient})
		if err == nil {
			break
		}
		if ctx.Err() != nil {
			return nil, fmt.Errorf("connect to the Bot API: %w", ctx.Err())
		}
		var apiErr *tgbotapi.Error
		if errors.As(err, &apiErr) && (apiErr.Code == 401 || apiErr.Code == 404) {
			return nil, ErrUnauthorized
		}
		log.Warn("cannot reach the Bot API, retrying", "method", "getMe", "error", err, "retry_in", wait.String())
		if err := sleep(ctx, wait); err != nil {
			return nil, fmt.Errorf("connect to the Bot API: %w", err)
		}
		wait = min(wait*2, time.Minute)
	}
	// Sends are bound to contexts of their own (see apiCaller); what the
	// library would do with its client unbound is never a network call.
	sendClient := &http.Client{Transport: transport, Timeout: opt.RequestTimeout}
	api.Client = sendClient

	pollCtx, pollCancel := context.WithCancel(context.WithoutCancel(ctx))
	pollAPI := *api // a copy that differs only in its HTTP client
	pollAPI.Client = ctxClient{ctx: pollCtx, c: &http.Client{Transport: transport, Timeout: opt.PollTimeout + opt.RequestTimeout}}

	b := &Bot{
		opt: opt, api: api, pollAPI: &pollAPI, db: db, cat: cat,
		codec: codec{secret: db.Secret()}, log: log, now: opt.Now, alerts: alerts,
		pollCtx: pollCtx, pollCancel: pollCancel, rec: orNop(opt.Metrics),
	}
	b.sender = NewSender(apiCaller{api: api, client: sendClient}, opt.Limits, log)
	b.sender.rec = b.rec
	b.answers = newAnswerer(b.sender, log)
	// Enough concurrent sends to keep the global rate when each request
	// takes a network round trip, and few enough that a crash repeats few.
	parallel := min(max(8, int(opt.Limits.Global)*2), 64)
	b.out = newDispatcher(db, b.sender, log, parallel, b.markBlocked, b.fileNotSent)
	if opt.UserUpdates > 0 {
		if opt.UserWindow <= 0 {
			opt.UserWindow = 10 * time.Second
		}
		b.flood = newFloodGate(opt.UserUpdates, opt.UserWindow)
	}
	b.routes = b.buildRoutes()
	// getMe has just answered: the API is reachable, though the first
	// long poll may take poll_timeout to return.
	b.rec.Polled(b.now())
	log.Info("connected to the Bot API", "bot", api.Self.UserName)
	return b, nil
}

// Username returns the bot's Telegram username, for deep links.
func (b *Bot) Username() string { return b.api.Self.UserName }

func (b *Bot) isAdmin(id int64) bool { return slices.Contains(b.opt.Admins, id) }

func (b *Bot) button(chatID int64, text, verb string, args ...string) button {
	data, err := b.codec.encode(chatID, verb, args...)
	if err != nil {
		// Routes are written by us; an oversized button is a bug caught by
		// the codec's tests, never user input.
		panic(fmt.Sprintf("callback %s: %v", verb, err))
	}
	return button{Text: text, Data: data}
}

// markBlocked records a 403 from Telegram: the user blocked the bot.
func (b *Bot) markBlocked(chatID int64) {
	if err := b.db.Update(func(tx *boltdb.Tx) error { return tx.SetBlocked(chatID, true) }); err != nil {
		b.log.Error("mark user blocked", "user_id", chatID, "error", err)
	}
}

// Shutdown budget: SIGTERM is honoured within about 5 s in every state
// (Docker waits 10 s). The answers to the last updates get drainFor to go
// out; then sends in flight get graceFor before they are cut, and stay in
// the outbox for the next start.
const (
	drainFor = 2500 * time.Millisecond
	graceFor = time.Second
)

// fileNotSent tells a person that a file for them was set aside after a
// minute of failures, in their language, so they know to ask again.
func (b *Bot) fileNotSent(chatID int64) {
	err := b.db.Update(func(tx *boltdb.Tx) error {
		lang := i18n.Default
		if u, err := tx.User(chatID); err == nil {
			if u.Blocked {
				return nil
			}
			lang = b.cat.Match(u.Lang, u.LanguageCode)
		}
		data, err := json.Marshal(&outMsg{Kind: outSend, ChatID: chatID, Text: b.cat.T(lang, "error.file_not_sent")})
		if err != nil {
			return err
		}
		return tx.Enqueue(&boltdb.OutboxItem{ChatID: chatID, Payload: data, Priority: boltdb.PriorityReply})
	})
	if err != nil {
		b.log.Error("queue the notice of a file not sent", "chat_id", chatID, "error", err)
		return
	}
	b.out.notify()
}

// Run polls and handles updates until ctx is done, then finishes the
// updates in hand, saves the offset, gives the outbox a moment to drain,
// and returns nil. Nothing it starts with waits for Telegram: menus are
// queued for the outbox's menu lane, polling begins at once.
func (b *Bot) Run(ctx context.Context) error {
	outCtx, outCancel := context.WithCancel(context.WithoutCancel(ctx))
	sendCtx, sendCancel := context.WithCancel(context.WithoutCancel(ctx))
	outDone := make(chan struct{})
	go func() {
		defer close(outDone)
		b.out.run(outCtx, sendCtx)
	}()
	if err := b.refreshMenus(); err != nil {
		b.log.Error("queue command menus", "error", err)
	}

	c := b.startSchedule()

	stop := context.AfterFunc(ctx, b.pollCancel)
	defer stop()
	err := b.poll(ctx)
	<-c.Stop().Done() // a scan in hand finishes before the store closes

	// Let the answers to the last updates go out before stopping.
	drain := time.Now().Add(drainFor)
	for time.Now().Before(drain) && b.out.messagesPending() > 0 {
		time.Sleep(20 * time.Millisecond)
	}
	outCancel()
	select {
	case <-outDone:
	case <-time.After(graceFor):
	}
	sendCancel()
	b.answers.stop()
	<-outDone
	return err
}

// poll is the update loop. An update id is confirmed to Telegram (by the
// next call's offset) and saved in the store only after its whole batch
// was handled, so a crash makes Telegram deliver it again; the handled
// marks in the store make the second delivery a no-op.
func (b *Bot) poll(ctx context.Context) error {
	offset, err := b.db.Offset()
	if err != nil {
		return fmt.Errorf("read offset: %w", err)
	}
	workers := make([]chan tgbotapi.Update, b.opt.Workers)
	var wg sync.WaitGroup
	var held heldError // a commit of this batch the store refused
	for i := range workers {
		workers[i] = make(chan tgbotapi.Update, 100)
		go func(ch chan tgbotapi.Update) {
			for u := range ch {
				took := time.Now()
				if err := b.process(u); err != nil {
					held.set(err)
				}
				b.rec.Update(updateKind(&u), time.Since(took))
				wg.Done()
			}
		}(workers[i])
	}
	defer func() {
		for _, ch := range workers {
			close(ch)
		}
	}()

	errWait := time.Duration(0)
	emptyWait := time.Duration(0)
	storeWait := time.Duration(0)
	timeout := int(b.opt.PollTimeout / time.Second)
	for ctx.Err() == nil {
		started := time.Now()
		updates, err := b.pollAPI.GetUpdates(tgbotapi.UpdateConfig{
			Offset:         offset,
			Limit:          100,
			Timeout:        timeout,
			AllowedUpdates: []string{"message", "callback_query", "my_chat_member"},
		})
		if ctx.Err() != nil {
			break
		}
		b.rec.Request("getUpdates", resultCode(err))
		if err != nil {
			errWait = b.pollBackoff(err, errWait)
			b.log.Warn("getUpdates failed", "error", err, "retry_in", errWait.String())
			sleep(ctx, errWait)
			continue
		}
		errWait = 0
		b.rec.Polled(b.now())
		if len(updates) == 0 {
			// A server that answers at once with nothing (no long polling)
			// must not make this loop spin: back off up to a second.
			if time.Since(started) < time.Duration(timeout)*time.Second/2 || timeout == 0 {
				emptyWait = min(max(2*emptyWait, 50*time.Millisecond), time.Second)
				sleep(ctx, emptyWait)
			}
			continue
		}
		emptyWait = 0
		batchStarted := time.Now()
		next := offset
		for _, u := range updates {
			if u.UpdateID < offset {
				continue // already confirmed; a server should not send it
			}
			wg.Add(1)
			workers[chatOf(&u)%uint64(len(workers))] <- u
			next = max(next, u.UpdateID+1)
		}
		wg.Wait()
		if b.testHookAfterBatch != nil && !b.testHookAfterBatch(next) {
			return nil // simulated crash: the offset is not saved
		}
		err = held.take()
		if err == nil {
			err = b.db.SetOffset(next)
		}
		if errors.Is(err, boltdb.ErrUnwritable) {
			// What the refused commits carried is gone: confirming the
			// batch would lose it. Keep the offset, so Telegram delivers
			// the batch again, and try later; the handled marks skip the
			// updates whose commits did land.
			b.store.failed(b.log, err, batchStarted)
			storeWait = b.pollBackoff(err, storeWait)
			sleep(ctx, storeWait)
			continue
		}
		if err != nil {
			b.log.Error("save offset", "error", err)
		}
		b.store.ok(b.log, batchStarted)
		storeWait = 0
		offset = next
	}
	return nil
}

// pollBackoff returns how long to wait after a failed getUpdates: what a
// 429 asks for, else doubling from half a second to at most 5 s, so the
// bot is back within seconds of an outage. The wait is drawn between half
// and all of the step ("equal jitter"), so bots that lost the same
// connection do not all come back at the same instant.
func (b *Bot) pollBackoff(err error, prev time.Duration) time.Duration {
	var apiErr *tgbotapi.Error
	if errors.As(err, &apiErr) && apiErr.RetryAfter > 0 {
		return time.Duration(apiErr.RetryAfter) * time.Second
	}
	step := min(max(2*prev, 500*time.Millisecond), maxPollBackoff)
	return step/2 + rand.N(step/2+1)
}

// maxPollBackoff caps the wait between failed polls.
const maxPollBackoff = 5 * time.Second

// chatOf returns the key that orders an update: its chat, so one chat's
// updates are handled one after another.
func chatOf(u *tgbotapi.Update) uint64 {
	switch {
	case u.Message != nil:
		return uint64(u.Message.Chat.ID)
	case u.CallbackQuery != nil && u.CallbackQuery.Message != nil:
		return uint64(u.CallbackQuery.Message.Chat.ID)
	case u.CallbackQuery != nil:
		return uint64(u.CallbackQuery.From.ID)
	case u.MyChatMember != nil:
		return uint64(u.MyChatMember.Chat.ID)
	}
	return 0
}

// process applies one update: the handler runs inside a store transaction
// that also marks the update handled and queues the replies, so the three
// land together. A handler error rolls everything back; the user then
// gets an apology and the update is marked handled, so a bug cannot make
// Telegram redeliver it forever. A commit the store refused is no bug of
// the handler: it is returned (boltdb.ErrUnwritable) for the poll loop to
// hold the batch, and nothing is said to the user.
func (b *Bot) process(u tgbotapi.Update) error {
	start, route, result := time.Now(), "", "ok"
	defer func() { b.logUpdate(&u, route, result, start) }()
	if b.flood != nil {
		if user := senderOf(&u); user != 0 {
			if ok, first := b.flood.admit(user, b.now()); !ok {
				result = "dropped"
				return b.refuse(u, first)
			}
		}
	}
	var done *Request
	var failed error
	err := b.db.Batch(func(tx *boltdb.Tx) error {
		done, route = nil, ""
		if failed != nil {
			// Batch runs a failed function again on its own; the handler
			// failed already and would only fail (or panic) twice.
			return failed
		}
		if tx.Handled(u.UpdateID) {
			return nil
		}
		r, err := b.newRequest(tx, &u)
		if err != nil {
			return err
		}
		err = b.routes.handler(r)
		route = r.route
		if err != nil {
			failed = err
			return err
		}
		if err := r.commit(); err != nil {
			return err
		}
		done = r
		return tx.MarkHandled(u.UpdateID)
	})
	if errors.Is(err, boltdb.ErrUnwritable) {
		result = "held" // the database is unwritable: Telegram delivers it again
		return err
	}
	if err != nil {
		result = "failed"
		return b.fail(&u, err)
	}
	if done == nil {
		result = "duplicate"
		return nil
	}
	b.after(done)
	return nil
}

// logUpdate writes the one info line of a handled update: its type, the
// route it took, how it ended (ok, failed: the user got an apology,
// held: the store refused the commit, duplicate: handled before,
// dropped: over the user's update limit) and how long it took. No ids
// of people, no text: routes are the bot's own words.
func (b *Bot) logUpdate(u *tgbotapi.Update, route, result string, start time.Time) {
	b.log.Info("update handled", "update_id", u.UpdateID, "type", updateKind(u), "route", route,
		"result", result, "duration_ms", float64(time.Since(start).Microseconds())/1000)
}

// after does what must follow the commit: answering the callback query
// (by the answerer, never here: a hanging or refused answer must not hold
// up the updates behind it) and waking the outbox.
func (b *Bot) after(r *Request) {
	if r.answer != nil {
		b.answers.answer(*r.answer, r.ChatID, r.Update.UpdateID)
	}
	if len(r.out) > 0 {
		b.out.notify()
	}
}

// fail handles an update whose handler failed: log, apologise, and mark it
// handled in a transaction of its own. If the store refuses that
// transaction, the error is returned so that the update is held.
func (b *Bot) fail(u *tgbotapi.Update, cause error) error {
	b.log.Error("update failed", "update_id", u.UpdateID, "chat_id", int64(chatOf(u)), "error", cause)
	var r *Request
	err := b.db.Update(func(tx *boltdb.Tx) error {
		r = nil
		if tx.Handled(u.UpdateID) {
			return nil
		}
		req, err := b.newRequest(tx, u)
		if err != nil {
			return err
		}
		if req.ChatID != 0 && (req.Private || u.CallbackQuery != nil) {
			req.reply(req.T("error.internal"))
		}
		if err := req.commit(); err != nil {
			return err
		}
		r = req
		return tx.MarkHandled(u.UpdateID)
	})
	if errors.Is(err, boltdb.ErrUnwritable) {
		return err
	}
	if err != nil {
		b.log.Error("record failed update", "update_id", u.UpdateID, "error", err)
		return nil
	}
	if r != nil {
		b.after(r)
	}
	return nil
}

// newRequest prepares the request of an update: who, where, which
// language and role.
func (b *Bot) newRequest(tx *boltdb.Tx, u *tgbotapi.Update) (*Request, error) {
	r := &Request{bot: b, Tx: tx, Update: u, Now: b.now()}
	switch {
	case u.Message != nil:
		r.From = u.Message.From
		r.ChatID = u.Message.Chat.ID
		r.Private = u.Message.Chat.IsPrivate()
		r.Text = u.Message.Text
		r.Command, r.Args = parseCommand(r.Text, b.api.Self.UserName)
	case u.CallbackQuery != nil:
		r.From = u.CallbackQuery.From
		if m := u.CallbackQuery.Message; m != nil {
			r.ChatID = m.Chat.ID
			r.Private = m.Chat.IsPrivate()
		} else {
			r.ChatID = r.From.ID
		}
	case u.MyChatMember != nil:
		r.From = &u.MyChatMember.From
		r.ChatID = u.MyChatMember.Chat.ID
		r.Private = u.MyChatMember.Chat.IsPrivate()
	}
	if r.From == nil {
		r.User = &mmo.User{}
		r.Lang = i18n.Default
		return r, nil
	}
	user, err := tx.User(r.From.ID)
	switch {
	case err == nil:
		r.User, r.Known = user, true
	case errors.Is(err, mmo.ErrNotFound):
		r.User = &mmo.User{ID: r.From.ID}
	default:
		return nil, err
	}
	if r.User.LanguageCode != r.From.LanguageCode {
		r.User.LanguageCode = r.From.LanguageCode
		r.changed = true
	}
	r.Lang = b.cat.Match(r.User.Lang, r.From.LanguageCode)
	r.Role = r.User.Role(b.isAdmin(r.From.ID))
	return r, nil
}
