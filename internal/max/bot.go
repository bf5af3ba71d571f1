package max

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/mmobot/mmobot/internal/boltdb"
	"github.com/mmobot/mmobot/internal/chat"
	"github.com/mmobot/mmobot/internal/outbox"
)

// Messenger is the name of MAX in updates, outbox items, accounts and the
// store.
const Messenger = "max"

// maxText is the longest text the bot gives one MAX message. MAX allows
// 4,000 characters of the text as sent, tags included, where the
// conversation counts the text as read (see chat.Transport.MaxText): the
// margin is for the tags.
const maxText = 3500

// Handler is the conversation, as the transport uses it: chat.Engine.
type Handler interface {
	Handle(ctx context.Context, u *chat.Update) (chat.Result, error)
	Blocked(messenger string, chat, user int64)
	FileNotSent(messenger string, chat, user int64)
	// Delivered says that an item of a broadcast left the outbox, its
	// outcome counted; called from the dispatcher, once per item.
	Delivered(broadcast uint64)
	StoreFailed(err error, started time.Time)
	StoreOK(started time.Time)
}

// BotOptions configure a Bot.
type BotOptions struct {
	Token string
	// BaseURL is the API host (DefaultBaseURL when empty).
	BaseURL        string
	PollTimeout    time.Duration // long-poll wait of GET /updates
	RequestTimeout time.Duration // deadline of other calls
	Workers        int           // chats handled at once
	// PerSecond is the calls per second to MAX over the whole bot
	// (DefaultRate when 0).
	PerSecond float64
	Log       *slog.Logger
	// ConnectRetry is the first wait between attempts to reach MAX at
	// start; it doubles up to a minute.
	ConnectRetry time.Duration
	// Polled, when set, is told each time MAX answered a poll (or the
	// first GET /me), for the readiness check.
	Polled func()
	// Fetch gets the bytes of a file of another messenger, for a message
	// that sends one on (chat.Message.FileFrom); nil when the bot runs on
	// MAX alone.
	Fetch chat.FileFetcher
}

// Bot is the running MAX transport.
type Bot struct {
	opt      BotOptions
	api      *Client
	db       *boltdb.DB
	codec    codec
	pace     *pacer
	out      *outbox.Dispatcher[*item]
	answers  *answerer
	log      *slog.Logger
	username string
	handler  Handler

	// testHookAfterBatch, when set, runs after a batch was handled and
	// before its marker is saved; false simulates a crash there.
	testHookAfterBatch func() bool
}

// ErrUnauthorized means MAX refused the token.
var ErrUnauthorized = errors.New("MAX refused the bot token (401): check max.token or MMOBOT_MAX_TOKEN")

// NewBot connects to MAX (retrying while it cannot be reached, until ctx
// is done) and returns a transport ready to Run.
func NewBot(ctx context.Context, db *boltdb.DB, opt BotOptions) (*Bot, error) {
	if opt.Log == nil {
		opt.Log = slog.Default()
	}
	if opt.Workers < 1 {
		opt.Workers = 1
	}
	if opt.ConnectRetry <= 0 {
		opt.ConnectRetry = time.Second
	}
	if opt.PollTimeout > MaxPollTimeout {
		opt.PollTimeout = MaxPollTimeout
	}
	api, err := New(Options{BaseURL: opt.BaseURL, Token: opt.Token, RequestTimeout: opt.RequestTimeout})
	if err != nil {
		return nil, err
	}
	wait := opt.ConnectRetry
	var me *BotInfo
	for {
		me, err = api.Me(ctx)
		if err == nil {
			break
		}
		if ctx.Err() != nil {
			return nil, fmt.Errorf("connect to MAX: %w", ctx.Err())
		}
		var apiErr *Error
		if errors.As(err, &apiErr) && apiErr.Unauthorized() {
			return nil, ErrUnauthorized
		}
		opt.Log.Warn("cannot reach MAX, retrying", "method", "GET /me", "error", err, "retry_in", wait.String())
		if err := sleep(ctx, wait); err != nil {
			return nil, fmt.Errorf("connect to MAX: %w", err)
		}
		wait = min(wait*2, time.Minute)
	}
	b := &Bot{opt: opt, api: api, db: db, codec: codec{secret: db.Secret()}, log: opt.Log,
		pace: newPacer(opt.PerSecond), username: me.Username}
	parallel := min(max(8, int(opt.PerSecond)*2), 64)
	b.out = newDispatcher(db, api, b.codec, b.pace, b.log, parallel, opt.Fetch,
		func(chatID, user int64) { b.handler.Blocked(Messenger, chatID, user) },
		func(chatID, user int64) { b.handler.FileNotSent(Messenger, chatID, user) })
	b.out.OnDelivered = func(bc uint64) { b.handler.Delivered(bc) }
	b.answers = newAnswerer(api, b.pace, b.log)
	b.polled()
	b.log.Info("connected to MAX", "bot", me.Username)
	return b, nil
}

// maxFetch bounds a file downloaded from MAX for another messenger.
const maxFetch = 50 << 20

// Fetch downloads a file a person sent to the bot on MAX, by the id the
// conversation has of it, for another messenger's transport to upload
// (see chat.FileFetcher).
func (b *Bot) Fetch(ctx context.Context, fileID string) ([]byte, error) {
	_, url := splitFileRef(fileID)
	if url == "" {
		return nil, errors.New("a MAX file without a download URL")
	}
	return b.api.Download(ctx, url, maxFetch)
}

// Transport describes MAX to the conversation: its name, the bot's
// username, its deep links (max.ru/<bot>/start/<payload>) and text limit.
// Views' replies go through the outbox here, not at once: MAX's calls
// wait for their turn in the transport's own pacer, which the dispatcher
// cannot ask whether a turn is free now (see outbox.Dispatcher.SendNow).
func (b *Bot) Transport() chat.Transport {
	name := b.username
	return chat.Transport{
		Messenger: Messenger,
		Bot:       name,
		DeepLink: func(payload string) string {
			if payload == "" {
				return "https://max.ru/" + name
			}
			return "https://max.ru/" + name + "/start/" + payload
		},
		MaxText:       maxText,
		AsksOnMessage: true, // MAX has no reply keyboard (asking.go)
	}
}

// Wake tells the transport that messages were committed to the outbox.
func (b *Bot) Wake() { b.out.Notify() }

// Run polls updates and hands them to h until ctx is done, then finishes
// the updates in hand, saves the marker, gives the outbox a moment to
// drain, and returns nil.
func (b *Bot) Run(ctx context.Context, h Handler) error {
	b.handler = h
	stopOut := b.out.Start(ctx)
	err := b.poll(ctx)
	// The answers to the last updates go out before the outbox stops.
	stopOut()
	b.answers.stop()
	return err
}

// updateTypes are the updates the bot asks MAX for.
var updateTypes = []string{UpdateMessageCreated, UpdateMessageCallback, UpdateBotStarted, UpdateBotStopped}

// poll is the update loop. A batch's marker is saved in the store, and
// passed to MAX (which commits the batch by it), only after the whole
// batch was handled, so a crash makes MAX deliver it again; the handled
// marks in the store make the second delivery a no-op.
func (b *Bot) poll(ctx context.Context) error {
	saved, ok, err := b.db.Marker(Messenger)
	if err != nil {
		return fmt.Errorf("read the MAX marker: %w", err)
	}
	var marker *int64
	if ok {
		marker = &saved
	}
	workers := make([]chan Update, b.opt.Workers)
	var wg sync.WaitGroup
	var held heldError
	for i := range workers {
		workers[i] = make(chan Update, 100)
		go func(ch chan Update) {
			for u := range ch {
				if err := b.process(ctx, &u); err != nil {
					held.set(err)
				}
				wg.Done()
			}
		}(workers[i])
	}
	defer func() {
		for _, ch := range workers {
			close(ch)
		}
	}()

	var errWait, emptyWait, storeWait time.Duration
	for ctx.Err() == nil {
		started := time.Now()
		list, err := b.api.GetUpdates(ctx, UpdatesParams{Marker: marker, Limit: 100, Timeout: b.opt.PollTimeout, Types: updateTypes})
		if ctx.Err() != nil {
			break
		}
		if err != nil {
			errWait = backoff(err, errWait)
			b.log.Warn("GET /updates failed", "error", err, "retry_in", errWait.String())
			sleep(ctx, errWait)
			continue
		}
		errWait = 0
		b.polled()
		if len(list.Updates) == 0 {
			if list.Marker != nil && (marker == nil || *list.Marker != *marker) {
				if err := b.db.SetMarker(Messenger, *list.Marker); err == nil {
					marker = list.Marker
				}
			}
			if time.Since(started) < b.opt.PollTimeout/2 || b.opt.PollTimeout == 0 {
				emptyWait = min(max(2*emptyWait, 50*time.Millisecond), time.Second)
				sleep(ctx, emptyWait)
			}
			continue
		}
		emptyWait = 0
		batchStarted := time.Now()
		for i := range list.Updates {
			u := list.Updates[i]
			if u.DecodeErr != nil {
				b.log.Warn("undecodable MAX update skipped", "type", u.Type, "error", u.DecodeErr)
				continue
			}
			wg.Add(1)
			workers[uint64(u.Chat())%uint64(len(workers))] <- u
		}
		wg.Wait()
		if b.testHookAfterBatch != nil && !b.testHookAfterBatch() {
			return nil // simulated crash: the marker is not saved
		}
		err = held.take()
		if err == nil && list.Marker != nil {
			err = b.db.SetMarker(Messenger, *list.Marker)
		}
		if errors.Is(err, boltdb.ErrUnwritable) {
			// Keep the marker, so MAX delivers the batch again.
			b.handler.StoreFailed(err, batchStarted)
			storeWait = backoff(err, storeWait)
			sleep(ctx, storeWait)
			continue
		}
		if err != nil {
			b.log.Error("save the MAX marker", "error", err)
		}
		b.handler.StoreOK(batchStarted)
		storeWait = 0
		if list.Marker != nil {
			marker = list.Marker
		}
	}
	return nil
}

func (b *Bot) polled() {
	if b.opt.Polled != nil {
		b.opt.Polled()
	}
}

// backoff is the wait after a failed poll: what a 429 asks for, else
// doubling from half a second to 5 s, with equal jitter.
func backoff(err error, prev time.Duration) time.Duration {
	var apiErr *Error
	if errors.As(err, &apiErr) && apiErr.RetryAfter > 0 {
		return apiErr.RetryAfter
	}
	step := min(max(2*prev, 500*time.Millisecond), 5*time.Second)
	return step/2 + rand.N(step/2+1)
}

// process hands one update to the conversation, answers a press (in the
// background) and wakes the outbox.
func (b *Bot) process(ctx context.Context, u *Update) error {
	start := time.Now()
	cu, ok := b.convert(u)
	if !ok {
		b.logUpdate(u, "", chat.OutcomeIgnored, start)
		return nil
	}
	res, err := b.handler.Handle(ctx, &cu)
	if err != nil {
		b.logUpdate(u, res.Route, chat.OutcomeHeld, start)
		return err
	}
	b.logUpdate(u, res.Route, res.Outcome, start)
	if u.Callback != nil {
		a := &CallbackAnswer{}
		if res.Answer != nil {
			a.Notification = res.Answer.Text
		}
		b.answers.answer(u.Callback.CallbackID, a, cu.Chat)
	}
	if res.Queued {
		b.out.Notify()
	}
	return nil
}

// logUpdate writes the one info line of a handled update: no ids of
// people, no text.
func (b *Bot) logUpdate(u *Update, route, result string, start time.Time) {
	b.log.Info("update handled", "messenger", Messenger, "type", u.Type, "route", route,
		"result", result, "duration_ms", float64(time.Since(start).Microseconds())/1000)
}

// heldError keeps the first refused commit of a batch of updates.
type heldError struct {
	mu  sync.Mutex
	err error
}

func (h *heldError) set(err error) {
	h.mu.Lock()
	if h.err == nil {
		h.err = err
	}
	h.mu.Unlock()
}

func (h *heldError) take() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	err := h.err
	h.err = nil
	return err
}
