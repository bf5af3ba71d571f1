package telegram

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strings"
	"sync"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// Limits are the outbound rate limits the sender keeps to.
type Limits struct {
	Global         float64 // messages per second over all chats
	Private        float64 // messages per second to one private chat
	PrivateBurst   int     // short burst allowed to one private chat
	GroupPerMinute int     // messages per minute to one group
}

// Kinds of SendError that callers act upon.
var (
	// errBlocked means the user blocked the bot (403): stop sending to them.
	errBlocked = errors.New("the user blocked the bot")
	// errPermanent means Telegram refused the request for good (400 and the
	// like): retrying cannot help.
	errPermanent = errors.New("refused")
	// errTransient means the request failed in a way that may pass: the
	// network, a 5xx, an answer that is not the API's.
	errTransient = errors.New("temporary failure")
	// errTooMany is a 429: the request may go again after RetryAfter.
	errTooMany = errors.New("too many requests")
)

// SendError is a failed call to the Bot API. Its text names the method
// and what Telegram (or the network) said, so a log line tells an
// operator why a chat is silent; it never holds the token-bearing URL.
type SendError struct {
	Method      string
	ChatID      int64
	Code        int    // Telegram's error_code; 0 when no API answer came
	Description string // Telegram's description, or the network error
	RetryAfter  time.Duration
	kind        error
}

func (e *SendError) Error() string {
	if e.Code != 0 {
		return fmt.Sprintf("%s: %d %s", e.Method, e.Code, e.Description)
	}
	return fmt.Sprintf("%s: %v: %s", e.Method, e.kind, e.Description)
}

// Unwrap returns the kind: errBlocked, errPermanent, errTransient or
// errTooMany.
func (e *SendError) Unwrap() error { return e.kind }

// globalEvidence is how many chats in a row must get a 429, each on the
// first message sent to it for a while, with no message accepted in
// between, before the sender takes it for a limit on the bot as a whole.
// Telegram's answer does not say which limit was hit; but a chat that was
// sent nothing lately cannot be over its own limit, and when the bot's
// limit is hit every message is refused, while 429s scattered among
// accepted messages are not that.
const globalEvidence = 5

// caller makes one Bot API request bound to a context.
type caller interface {
	Request(ctx context.Context, c tgbotapi.Chattable) (*tgbotapi.APIResponse, error)
}

// apiCaller binds each request of the library's client to its context,
// which the library itself does not support: a request is cut when its
// caller stops waiting, not only when the HTTP timeout runs out.
type apiCaller struct {
	api    *tgbotapi.BotAPI
	client *http.Client
}

func (a apiCaller) Request(ctx context.Context, c tgbotapi.Chattable) (*tgbotapi.APIResponse, error) {
	api := *a.api // a copy that differs only in its HTTP client
	api.Client = ctxClient{ctx: ctx, c: a.client}
	return api.Request(c)
}

// Sender is the one outbound path to Telegram. It keeps the rate limits
// (over all chats, per chat), remembers what each 429 asked for, and
// makes single attempts: retrying is for its callers, who know whether a
// request is still worth sending (an outbox message is, for a minute; a
// callback answer is not).
type Sender struct {
	api    caller
	limits Limits
	log    *slog.Logger

	pace  pacer      // the rate over all chats
	trips roundTrips // how long messages took lately, for both rates

	mu          sync.Mutex
	chats       map[int64]*chatLimit
	paused      map[pauseKey]time.Time // 429s on requests that are not messages
	globalUntil time.Time              // a 429 on the bot as a whole
	streak      map[int64]bool         // fresh chats refused in a row (see globalEvidence)
	lastSweep   time.Time

	stats SenderStats
	rec   Recorder // never nil
}

// SenderStats counts what the sender met, for logs and benchmarks.
type SenderStats struct {
	Sent, TooMany, Blocked, Failed int64
}

type chatLimit struct {
	pace        chatPace
	pausedUntil time.Time
	lastUse     time.Time
	lastSend    time.Time // the last message attempted to the chat
}

// pauseKey is what a 429 pauses: messages to a chat (method ""), or one
// method for one chat (0: the method as a whole).
type pauseKey struct {
	method string
	chat   int64
}

// NewSender returns a sender over api with the given limits.
func NewSender(api caller, limits Limits, log *slog.Logger) *Sender {
	if limits.Global <= 0 {
		limits.Global = 30
	}
	if limits.Private <= 0 {
		limits.Private = 1
	}
	if limits.PrivateBurst <= 0 {
		limits.PrivateBurst = 1
	}
	if limits.GroupPerMinute <= 0 {
		limits.GroupPerMinute = 20
	}
	s := &Sender{
		api:    api,
		limits: limits,
		log:    log,
		chats:  map[int64]*chatLimit{},
		paused: map[pauseKey]time.Time{},
		rec:    nopRecorder{},
	}
	s.pace.init(limits.Global, &s.trips)
	return s
}

// Stats returns a snapshot of the counters.
func (s *Sender) Stats() SenderStats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stats
}

// methodOf names the Bot API method of a request, for errors and logs.
func methodOf(c tgbotapi.Chattable) string {
	switch c.(type) {
	case tgbotapi.MessageConfig:
		return "sendMessage"
	case tgbotapi.DocumentConfig:
		return "sendDocument"
	case tgbotapi.PhotoConfig:
		return "sendPhoto"
	case tgbotapi.EditMessageTextConfig:
		return "editMessageText"
	case tgbotapi.EditMessageReplyMarkupConfig:
		return "editMessageReplyMarkup"
	case tgbotapi.CallbackConfig:
		return "answerCallbackQuery"
	case tgbotapi.SetMyCommandsConfig:
		return "setMyCommands"
	case tgbotapi.DeleteMyCommandsConfig:
		return "deleteMyCommands"
	case tgbotapi.DeleteMessageConfig:
		return "deleteMessage"
	}
	return strings.TrimPrefix(fmt.Sprintf("%T", c), "tgbotapi.")
}

// isMessage reports whether a request counts against the message limits:
// sending and editing do; answering a callback or setting the menu do not.
func isMessage(c tgbotapi.Chattable) bool {
	switch c.(type) {
	case tgbotapi.MessageConfig, tgbotapi.DocumentConfig, tgbotapi.PhotoConfig,
		tgbotapi.EditMessageTextConfig, tgbotapi.EditMessageReplyMarkupConfig:
		return true
	}
	return false
}

// menuMethod is the pause key of setting and removing menus: one limit
// surely covers both.
const menuMethod = "menu"

func keyOf(chatID int64, c tgbotapi.Chattable) pauseKey {
	switch c.(type) {
	case tgbotapi.SetMyCommandsConfig, tgbotapi.DeleteMyCommandsConfig:
		return pauseKey{method: menuMethod, chat: chatID}
	}
	if isMessage(c) {
		return pauseKey{chat: chatID}
	}
	return pauseKey{method: methodOf(c), chat: chatID}
}

// Do sends one request concerning chatID once, after waiting for the
// limits and for any pause a 429 asked for. If the wait would outlast
// ctx's deadline it gives up at once: the request would come too late.
func (s *Sender) Do(ctx context.Context, chatID int64, c tgbotapi.Chattable) (*tgbotapi.APIResponse, error) {
	key := keyOf(chatID, c)
	for {
		until := s.pausedUntil(key, time.Now())
		if !until.After(time.Now()) {
			break
		}
		if dl, ok := ctx.Deadline(); ok && until.After(dl) {
			return nil, &SendError{Method: methodOf(c), ChatID: chatID, Description: "paused by a 429 past the deadline", kind: errTooMany}
		}
		if err := sleep(ctx, time.Until(until)); err != nil {
			return nil, s.ctxError(c, chatID, err)
		}
	}
	if isMessage(c) {
		for !s.take(chatID, time.Now()) {
			wait := time.Until(s.readyAt(chatID, time.Now()))
			if dl, ok := ctx.Deadline(); ok && time.Now().Add(wait).After(dl) {
				return nil, &SendError{Method: methodOf(c), ChatID: chatID, Description: "the chat's rate allows no message before the deadline", kind: errTransient}
			}
			if err := sleep(ctx, max(wait, time.Millisecond)); err != nil {
				return nil, s.ctxError(c, chatID, err)
			}
		}
		at, err := s.pace.bookWhenFree(ctx)
		if err != nil {
			return nil, s.ctxError(c, chatID, err)
		}
		if err := sleep(ctx, time.Until(at)); err != nil {
			s.pace.cancel(at)
			return nil, s.ctxError(c, chatID, err)
		}
		s.pace.went(time.Now())
	}
	return s.attempt(ctx, chatID, c)
}

func (s *Sender) ctxError(c tgbotapi.Chattable, chatID int64, err error) error {
	return &SendError{Method: methodOf(c), ChatID: chatID, Description: err.Error(), kind: errTransient}
}

// attempt makes one call and sorts its outcome; a 429 is remembered so
// that the requests it concerns wait as Telegram asked.
func (s *Sender) attempt(ctx context.Context, chatID int64, c tgbotapi.Chattable) (*tgbotapi.APIResponse, error) {
	var prevSend time.Time
	sent := time.Now()
	if isMessage(c) {
		s.mu.Lock()
		cl := s.chat(chatID, sent)
		prevSend, cl.lastSend = cl.lastSend, sent
		s.mu.Unlock()
		var wire wireTimes
		ctx = wire.trace(ctx)
		// Whatever the outcome, the message may have reached Telegram and
		// been counted: both rates count it as arriving up to its answer.
		defer func() {
			trip, done := wire.trip(sent, time.Now())
			s.trips.add(trip)
			s.pace.done(done)
			s.mu.Lock()
			s.chat(chatID, done).pace.done(done)
			s.mu.Unlock()
		}()
	}
	resp, err := s.api.Request(ctx, c)
	s.rec.Request(methodOf(c), resultCode(err))
	if err == nil {
		s.count(func(st *SenderStats) {
			st.Sent++
			if isMessage(c) {
				s.streak = nil
			}
		})
		return resp, nil
	}
	e := &SendError{Method: methodOf(c), ChatID: chatID}
	var apiErr *tgbotapi.Error
	switch {
	case errors.As(err, &apiErr) && apiErr.Code == 429:
		e.Code, e.Description, e.kind = apiErr.Code, apiErr.Message, errTooMany
		e.RetryAfter = time.Duration(apiErr.RetryAfter) * time.Second
		if e.RetryAfter <= 0 {
			e.RetryAfter = time.Second
		}
		s.count(func(st *SenderStats) { st.TooMany++ })
		s.rec.Waited(e.Method, e.RetryAfter)
		s.tooMany(keyOf(chatID, c), e.RetryAfter, prevSend)
	case errors.As(err, &apiErr) && apiErr.Code == 403:
		e.Code, e.Description, e.kind = apiErr.Code, apiErr.Message, errBlocked
		s.count(func(st *SenderStats) { st.Blocked++ })
	case errors.As(err, &apiErr) && apiErr.Code == 400 && strings.Contains(apiErr.Message, "message is not modified"):
		// The message already shows what we wanted: success.
		return resp, nil
	case errors.As(err, &apiErr) && apiErr.Code < 500 && apiErr.Code != 0:
		e.Code, e.Description, e.kind = apiErr.Code, apiErr.Message, errPermanent
		s.count(func(st *SenderStats) { st.Failed++ })
	case errors.As(err, &apiErr):
		e.Code, e.Description, e.kind = apiErr.Code, apiErr.Message, errTransient
		s.count(func(st *SenderStats) { st.Failed++ })
	default:
		// Network errors and answers that are not the API's JSON (a
		// proxy's error page). A url.Error quotes the URL, which holds the
		// token: keep only what went wrong.
		var ue *url.Error
		if errors.As(err, &ue) {
			e.Description = ue.Op + ": " + ue.Err.Error()
		} else {
			e.Description = err.Error()
		}
		e.kind = errTransient
		s.count(func(st *SenderStats) { st.Failed++ })
	}
	return nil, e
}

// wireTimes are when a message's request was written out and when the
// first byte of its answer came back, as the HTTP client saw them. The
// rates count a message from its send to its answer; timed around the
// whole call instead, each trip also holds the client's own work on the
// answer (reading and decoding it, the goroutine being scheduled), which
// a loaded machine stretches by milliseconds at random, and every such
// millisecond holds a permit longer.
type wireTimes struct {
	mu              sync.Mutex
	wrote, answered time.Time
}

// trace returns ctx with a client trace that records w's times.
func (w *wireTimes) trace(ctx context.Context) context.Context {
	return httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		WroteRequest: func(info httptrace.WroteRequestInfo) {
			if info.Err != nil {
				// Not all of it went: an answer to a request cut short
				// (a reset, a refusal of its size) is no round trip.
				return
			}
			w.mu.Lock()
			w.wrote = time.Now()
			w.mu.Unlock()
		},
		GotFirstResponseByte: func() {
			w.mu.Lock()
			w.answered = time.Now()
			w.mu.Unlock()
		},
	})
}

// trip returns a message's round trip and when its answer came: from the
// wire's times when the client saw both, else (no HTTP answer: a cut
// connection, a caller without HTTP) from sent to now.
func (w *wireTimes) trip(sent, now time.Time) (time.Duration, time.Time) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.wrote.IsZero() || w.answered.Before(w.wrote) {
		return now.Sub(sent), now
	}
	return w.answered.Sub(w.wrote), w.answered
}

func (s *Sender) count(f func(*SenderStats)) {
	s.mu.Lock()
	f(&s.stats)
	s.mu.Unlock()
}

// pausedUntil is when requests of key may go again after 429s.
func (s *Sender) pausedUntil(key pauseKey, now time.Time) time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	until := s.globalUntil
	if key.method == "" {
		if cl := s.chats[key.chat]; cl != nil && cl.pausedUntil.After(until) {
			until = cl.pausedUntil
		}
	} else if p := s.paused[key]; p.After(until) {
		until = p
	}
	return until
}

// readyAt is when a message to chatID may go: after any pause and once
// the chat's own rate allows it. The global rate is not included; the
// caller takes its turn there separately.
func (s *Sender) readyAt(chatID int64, now time.Time) time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	cl := s.chat(chatID, now)
	at := s.globalUntil
	if cl.pausedUntil.After(at) {
		at = cl.pausedUntil
	}
	if r := cl.pace.readyAt(now, s.trips.least()); r.After(at) {
		at = r
	}
	return at
}

// take uses the chat's turn for a message now; false if it has none.
func (s *Sender) take(chatID int64, now time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.chat(chatID, now).pace.take(now, s.trips.least())
}

// chat returns the limiter of a chat, creating it; s.mu must be held.
// Limiters of chats idle for a minute are dropped now and then, so a
// broadcast to thousands does not keep thousands of limiters forever.
func (s *Sender) chat(chatID int64, now time.Time) *chatLimit {
	if now.Sub(s.lastSweep) > time.Minute {
		for id, cl := range s.chats {
			if now.Sub(cl.lastUse) > time.Minute && !cl.pausedUntil.After(now) && !cl.pace.sending {
				delete(s.chats, id)
			}
		}
		for k, until := range s.paused {
			if !until.After(now) {
				delete(s.paused, k)
			}
		}
		s.lastSweep = now
	}
	cl := s.chats[chatID]
	if cl == nil {
		cl = &chatLimit{}
		if chatID < 0 { // groups and channels
			cl.pace = chatPace{rate: float64(s.limits.GroupPerMinute) / 60, burst: 1}
		} else {
			cl.pace = chatPace{rate: s.limits.Private, burst: s.limits.PrivateBurst}
		}
		s.chats[chatID] = cl
	}
	cl.lastUse = now
	return cl
}

// tooMany records a 429 on key: what it concerns waits d. Only when
// globalEvidence chats in a row were refused, each on the first message
// to it for a while (prevSend: the one before), does everyone wait: that
// is the bot's overall limit speaking, not a chat's.
func (s *Sender) tooMany(key pauseKey, d time.Duration, prevSend time.Time) {
	now := time.Now()
	until := now.Add(d)
	s.mu.Lock()
	defer s.mu.Unlock()
	if key.method != "" {
		if until.After(s.paused[key]) {
			s.paused[key] = until
		}
		return
	}
	cl := s.chat(key.chat, now)
	if until.After(cl.pausedUntil) {
		cl.pausedUntil = until
	}
	quiet := time.Second // a private chat's limit counts about a second
	if key.chat < 0 {
		quiet = time.Minute // a group's, a minute
	}
	if now.Sub(prevSend) < quiet {
		return // the chat may well be over its own limit
	}
	if s.streak == nil {
		s.streak = map[int64]bool{}
	}
	s.streak[key.chat] = true
	if len(s.streak) >= globalEvidence {
		s.streak = nil
		if until.After(s.globalUntil) {
			s.globalUntil = until
			s.log.Warn("Telegram refuses the first messages to several chats in a row: all sending paused", "retry_in", d.String())
		}
	}
}

// sleep waits for d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
