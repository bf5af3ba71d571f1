// Package telegram is the bot's Telegram transport, and the only package
// (with its fake server, telegramtest) that imports the Bot API library.
// It polls updates with its own loop, so that an update is confirmed only
// after it was handled; turns each into a chat.Update for the
// conversation (internal/chat), checking the signature of pressed
// buttons; and delivers the outbox the conversation fills: most urgent
// first, through one rate-limited sender, signing each button for the
// chat it goes to, recording the ids of messages sent under a key, and
// answering pressed buttons off the update workers.
package telegram

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"sync"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/mmobot/mmobot/internal/boltdb"
	"github.com/mmobot/mmobot/internal/chat"
	"github.com/mmobot/mmobot/internal/outbox"
)

// Messenger is the name of Telegram in updates, outbox items and the
// store.
const Messenger = boltdb.Telegram

// maxText is Telegram's limit for a message text: 4096 characters of the
// text once its HTML is parsed, counted in UTF-16 code units.
const maxText = 4096

// Handler is the conversation, as the transport uses it: chat.Engine.
type Handler interface {
	// Handle applies an update; an error is boltdb.ErrUnwritable, and
	// the update is held to be handled again.
	Handle(ctx context.Context, u *chat.Update) (chat.Result, error)
	// Blocked records that a person blocked the bot (a send to their
	// chat was refused with 403); FileNotSent tells a person that a file
	// for them was set aside after a minute of failures. user is the
	// person the message was for (chat.Message.User), 0 if it did not
	// say.
	Blocked(messenger string, chat, user int64)
	FileNotSent(messenger string, chat, user int64)
	// Delivered says that an item of a broadcast left the outbox, its
	// outcome counted; it is called from the dispatcher, once per item.
	Delivered(broadcast uint64)
	// StoreFailed and StoreOK report how the writes of a batch ended, so
	// that a disk that refuses writes is reported once.
	StoreFailed(err error, started time.Time)
	StoreOK(started time.Time)
}

// Options configure a Bot.
type Options struct {
	Token          string
	Endpoint       string        // Bot API URL pattern: bot token, then method, as two %s
	PollTimeout    time.Duration // long-poll wait of getUpdates
	RequestTimeout time.Duration // HTTP timeout of other calls
	Workers        int           // chats handled at once
	Limits         Limits
	Log            *slog.Logger
	// ConnectRetry is the first wait between attempts to reach the Bot
	// API at start; it doubles up to a minute.
	ConnectRetry time.Duration
	// Metrics, when set, is told what the transport does (see Recorder).
	Metrics Recorder
	// Now is the clock the transport tells Metrics the time by;
	// time.Now when nil.
	Now func() time.Time
	// Fetch gets the bytes of a file of another messenger, for a message
	// that sends one on (chat.Message.FileFrom); nil when the bot runs on
	// Telegram alone.
	Fetch chat.FileFetcher
}

// Bot is the running Telegram transport.
type Bot struct {
	opt     Options
	api     *tgbotapi.BotAPI // for sending; its requests finish on shutdown
	pollAPI *tgbotapi.BotAPI // for getUpdates; its request is cut on shutdown
	db      *boltdb.DB
	codec   codec
	sender  *Sender
	answers *answerer
	out     *outbox.Dispatcher[*item]
	log     *slog.Logger
	handler Handler // set by Run

	sendClient *http.Client // the HTTP client of sends, for downloads too

	pollCtx    context.Context
	pollCancel context.CancelFunc
	rec        Recorder // never nil
	now        func() time.Time

	// testHookAfterBatch, when set, runs after a batch was handled and
	// before its offset is saved; tests use it to simulate a crash.
	testHookAfterBatch func(offset int) bool
}

// maxParallel caps the outbox's sends in flight at once.
const maxParallel = 64

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
// ctx is done) and returns a transport ready to Run.
func New(ctx context.Context, db *boltdb.DB, opt Options) (*Bot, error) {
	if opt.Log == nil {
		opt.Log = slog.Default()
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.Workers < 1 {
		opt.Workers = 1
	}
	if opt.ConnectRetry <= 0 {
		opt.ConnectRetry = time.Second
	}
	if opt.RequestTimeout <= 0 {
		opt.RequestTimeout = 15 * time.Second
	}
	log := opt.Log
	tgbotapi.SetLogger(libLogger{log: log, r: redactor{secrets: []string{opt.Token}}})

	// As many connections stay open as calls can be in flight at once:
	// the update workers' replies sent at once, the outbox's sends, the
	// menus, the callback answers and the poll. Over HTTP/1.1 (a local
	// Bot API server) each call beyond the idle pool would close its
	// connection and the next would dial again (the default 2 did that
	// all through a broadcast).
	conns := opt.Workers + maxParallel + menuParallel + maxAnswering + 1
	transport := &http.Transport{
		Proxy:               http.ProxyFromEnvironment,
		DialContext:         (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        conns,
		MaxIdleConnsPerHost: conns,
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
		opt: opt, api: api, pollAPI: &pollAPI, db: db,
		codec: codec{secret: db.Secret()}, log: log,
		pollCtx: pollCtx, pollCancel: pollCancel, rec: orNop(opt.Metrics), now: opt.Now,
	}
	b.sendClient = sendClient
	b.sender = NewSender(apiCaller{api: api, client: sendClient}, opt.Limits, log)
	b.sender.rec = b.rec
	b.answers = newAnswerer(b.sender, log)
	// Enough concurrent sends to keep the global rate when each request
	// takes a network round trip, and few enough that a crash repeats few.
	parallel := min(max(8, int(opt.Limits.Global)*2), maxParallel)
	b.out = newDispatcher(db, b.sender, b.codec, log, parallel, opt.Fetch,
		func(chatID, user int64) { b.handler.Blocked(Messenger, chatID, user) },
		func(chatID, user int64) { b.handler.FileNotSent(Messenger, chatID, user) })
	b.out.OnDelivered = func(bc uint64) { b.handler.Delivered(bc) }
	// getMe has just answered: the API is reachable, though the first
	// long poll may take poll_timeout to return.
	b.rec.Polled(b.now())
	log.Info("connected to the Bot API", "bot", api.Self.UserName)
	return b, nil
}

// Username returns the bot's Telegram username, for deep links.
func (b *Bot) Username() string { return b.api.Self.UserName }

// Transport describes Telegram to the conversation: its name, the bot's
// username, its deep links (t.me/<bot>?start=<payload>), text limit, and
// the replies it sends at once, beside the outbox.
func (b *Bot) Transport() chat.Transport {
	name := b.Username()
	return chat.Transport{
		Messenger: Messenger,
		Bot:       name,
		DeepLink: func(payload string) string {
			if payload == "" {
				return "https://t.me/" + name
			}
			return "https://t.me/" + name + "?start=" + payload
		},
		MaxText: maxText,
		SendNow: b.out.SendNow,
	}
}

// Wake tells the transport that messages were committed to the outbox.
func (b *Bot) Wake() { b.out.Notify() }

// Run polls updates and hands them to h until ctx is done, then finishes
// the updates in hand, saves the offset, gives the outbox a moment to
// drain, and returns nil. Nothing it starts with waits for Telegram:
// polling begins at once, the outbox is delivered beside it.
func (b *Bot) Run(ctx context.Context, h Handler) error {
	b.handler = h
	stopOut := b.out.Start(ctx)

	stop := context.AfterFunc(ctx, b.pollCancel)
	defer stop()
	err := b.poll(ctx)

	// The answers to the last updates go out before the outbox stops.
	stopOut()
	b.answers.stop()
	return err
}

// poll is the update loop. An update id is confirmed to Telegram (by the
// next call's offset) and saved in the store only after its whole batch
// was handled, so a crash makes Telegram deliver it again; the handled
// marks in the store make the second delivery a no-op (a view answered at
// once has none: it is drawn and sent again, see chat.Engine.handleRead).
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
				if err := b.process(ctx, u); err != nil {
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
	// The offset is saved beside the next batch rather than before it:
	// every update of a batch is committed (with its handled mark) before
	// the next getUpdates confirms it, which is what keeps an update from
	// being lost; the saved offset only spares a restart the batch the
	// marks would skip anyway. Saving it before fetching again held every
	// batch for a write transaction of its own (25–500 ms behind the
	// outbox's commits on a loaded machine).
	saved := b.offsetSaver()
	defer saved.close()

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
		if errors.Is(err, boltdb.ErrUnwritable) {
			// What the refused commits carried is gone: confirming the
			// batch would lose it. Keep the offset, so Telegram delivers
			// the batch again, and try later; the handled marks skip the
			// updates whose commits did land.
			b.handler.StoreFailed(err, batchStarted)
			storeWait = b.pollBackoff(err, storeWait)
			sleep(ctx, storeWait)
			continue
		}
		saved.queue(next)
		b.handler.StoreOK(batchStarted)
		storeWait = 0
		offset = next
	}
	return nil
}

// logUpdate writes the one info line of a handled update: its type, the
// route it took, how it ended (see chat.Result) and how long it took. No
// ids of people, no text: routes are the bot's own words.
func (b *Bot) logUpdate(u *tgbotapi.Update, route, result string, start time.Time) {
	b.log.Info("update handled", "update_id", u.UpdateID, "type", updateKind(u), "route", route,
		"result", result, "duration_ms", float64(time.Since(start).Microseconds())/1000)
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

// process hands one update to the conversation, and then answers the
// pressed button (by the answerer, never here: a hanging or refused
// answer must not hold up the updates behind it) and wakes the outbox. A
// commit the store refused (boltdb.ErrUnwritable) is returned for the
// poll loop to hold the batch.
func (b *Bot) process(ctx context.Context, u tgbotapi.Update) error {
	start := time.Now()
	cu, ok := b.convert(&u)
	if !ok {
		b.logUpdate(&u, "", chat.OutcomeIgnored, start)
		return nil // nothing the conversation acts upon
	}
	res, err := b.handler.Handle(ctx, &cu)
	if err != nil {
		b.logUpdate(&u, res.Route, chat.OutcomeHeld, start)
		return err
	}
	b.logUpdate(&u, res.Route, res.Outcome, start)
	if res.Answer != nil && u.CallbackQuery != nil {
		cfg := tgbotapi.NewCallback(u.CallbackQuery.ID, res.Answer.Text)
		cfg.ShowAlert = res.Answer.Alert
		b.answers.answer(cfg, cu.Chat, u.UpdateID)
	}
	if res.Queued {
		b.out.Notify()
	}
	return nil
}

// offsetSaver saves the offsets the poll loop queues, in the background,
// the latest one only when several wait.
type offsetSaver struct {
	next chan int
	done chan struct{}
}

func (b *Bot) offsetSaver() *offsetSaver {
	s := &offsetSaver{next: make(chan int, 1), done: make(chan struct{})}
	go func() {
		defer close(s.done)
		for offset := range s.next {
			if err := b.db.SetOffset(offset); err != nil {
				// Nothing is lost: the batch's updates are committed, and
				// their marks skip them if they come again.
				b.log.Error("save offset", "error", err)
			}
		}
	}()
	return s
}

// queue asks for offset to be saved, replacing one still waiting.
func (s *offsetSaver) queue(offset int) {
	for {
		select {
		case s.next <- offset:
			return
		default:
			select {
			case <-s.next:
			default:
			}
		}
	}
}

// close saves the last offset queued and returns once it is saved.
func (s *offsetSaver) close() {
	close(s.next)
	<-s.done
}
