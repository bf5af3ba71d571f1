package telegram

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"net/url"
	"slices"
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
		// Whatever the outcome, the message may have reached Telegram and
		// been counted: both rates count it as arriving up to its answer.
		defer func() {
			done := time.Now()
			s.trips.add(done.Sub(sent))
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

// Telegram counts messages as they arrive, in sliding windows: at most
// 30 in any second over all chats, about one a second to a chat. A
// message arrives some time after it is sent and before its answer comes
// back, and that time varies: two messages sent a full second apart can
// arrive 0.9 s apart when the first was slow and the second fast, so
// spacing the sends evenly, even with a margin, draws 429s on a jittery
// network unless the margin is as large as the jitter. The sender counts
// each message instead as arriving as late as it can have: when its
// answer came back, less the least time the way back can take, and the
// next as arriving as early as it can: when it is sent, plus the least
// time the way there can take. The two least times together are at most
// the shortest round trip, which the sender measures (roundTrips). The
// rates so counted can never be exceeded where Telegram counts them, and
// they cost only the round trip's variation, not its whole length.

// pacer keeps the rate over all chats: of any window, at most capacity
// messages. Each message holds one of capacity permits from the moment
// its turn is booked until a window after it can have arrived (its
// answer, less the shortest round trip); a turn is the earliest time a
// permit is free. Any capacity messages that arrive within one window
// then all held their permits at once when the latest of them was sent,
// which capacity permits allow only if there were no more of them.
type pacer struct {
	mu       sync.Mutex
	interval time.Duration // the window over the capacity: the mean spacing at the full rate
	window   time.Duration
	free     []time.Time // when each permit not held is free again
	held     int         // permits booked and not yet done or given back
	over     int         // of those, turns booked with no permit free
	trips    *roundTrips
}

// maxPermits bounds the permits: a rate of thousands a second (a local
// Bot API server, benchmarks) is kept over a window shorter than a second.
const maxPermits = 1000

// init sets the rate to perSecond messages a second: ceil(rate) permits
// over a window that holds them at that rate, as Telegram's counters do.
func (p *pacer) init(perSecond float64, trips *roundTrips) {
	capacity := min(int(math.Ceil(perSecond)), maxPermits)
	p.window = time.Duration(float64(capacity) / perSecond * float64(time.Second))
	p.interval = p.window / time.Duration(capacity)
	p.free = make([]time.Time, capacity)
	p.trips = trips
}

// book takes the permit free earliest and returns when it is free: the
// time of the message's turn.
func (p *pacer) book(now time.Time) time.Time {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.bookLocked(now)
}

// bookLocked is book with p.mu held.
func (p *pacer) bookLocked(now time.Time) time.Time {
	p.held++
	if len(p.free) == 0 {
		// Every permit is held by a message still on its way: there is no
		// telling when one is free, so the turn is a window away.
		p.over++
		return now.Add(p.window)
	}
	i := 0
	for j, t := range p.free {
		if t.Before(p.free[i]) {
			i = j
		}
	}
	at := p.free[i]
	p.free[i] = p.free[len(p.free)-1]
	p.free = p.free[:len(p.free)-1]
	if at.Before(now) {
		at = now
	}
	return at
}

// bookWhenFree books a turn once a permit is free, for callers that,
// unlike the dispatcher, may book many at once: a turn booked beyond the
// permits is only a guess.
func (p *pacer) bookWhenFree(ctx context.Context) (time.Time, error) {
	for {
		p.mu.Lock()
		if len(p.free) > 0 {
			at := p.bookLocked(time.Now())
			p.mu.Unlock()
			return at, nil
		}
		p.mu.Unlock()
		if err := sleep(ctx, time.Millisecond); err != nil {
			return time.Time{}, err
		}
	}
}

// went records that a message booked with book goes on the wire now; its
// permit is held until done.
func (p *pacer) went(time.Time) {}

// done returns the permit of a message answered at now: free again a
// window after the latest it can have arrived.
func (p *pacer) done(now time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.release() {
		p.free = append(p.free, now.Add(p.window-p.trips.least()))
	}
}

// cancel gives back the permit of a turn booked at at and not used.
func (p *pacer) cancel(at time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.release() {
		p.free = append(p.free, at)
	}
}

// release ends the hold of a turn and reports whether it had a permit to
// give back; p.mu must be held. A turn booked beyond the permits had
// none, and a message sent without a turn (none is) gives none back, so
// the permits never multiply.
func (p *pacer) release() bool {
	if p.held == 0 {
		return false
	}
	p.held--
	if p.over > 0 {
		p.over--
		return false
	}
	return true
}

// chatPace keeps one chat's rate, a token bucket of burst messages
// refilled at rate a second as Telegram's is, counted the same way as the
// pacer's: each message sent as arriving when its answer came back, less
// the shortest round trip; the next one as arriving when it is sent. A
// chat's messages go one at a time, so only one is ever on its way.
type chatPace struct {
	rate  float64
	burst int
	// arrived are the latest times the chat's last messages can have
	// arrived, oldest first; enough of them to decide the next.
	arrived []time.Time
	sending bool // a message taken and not yet done
}

// readyAt is when the chat's next message may go, given the least round
// trip: no window of its messages may hold more than burst plus what
// the rate refills over it.
func (c *chatPace) readyAt(now time.Time, least time.Duration) time.Time {
	at := now
	n := len(c.arrived)
	if c.sending {
		// The one on its way may arrive as late as now and later: the next
		// waits for its answer, at least an interval.
		at = now.Add(time.Duration(float64(time.Second) / c.rate))
	}
	for i, t := range c.arrived {
		// Messages arrived[i..] and the next: n-i+1 of them.
		if over := n - i + 1 - c.burst; over > 0 {
			if r := t.Add(time.Duration(float64(over) / c.rate * float64(time.Second))).Add(-least); r.After(at) {
				at = r
			}
		}
	}
	return at
}

// take starts a message now if the chat's rate allows it.
func (c *chatPace) take(now time.Time, least time.Duration) bool {
	if c.readyAt(now, least).After(now) {
		return false
	}
	c.sending = true
	return true
}

// done records that the chat's message was answered at now.
func (c *chatPace) done(now time.Time) {
	c.sending = false
	c.arrived = append(c.arrived, now)
	if keep := 2*c.burst + 2; len(c.arrived) > keep {
		c.arrived = append(c.arrived[:0], c.arrived[len(c.arrived)-keep:]...)
	}
}

// roundTrips remembers the shortest round trips of the latest messages,
// from send to answer: the tripKeep shortest of each of the last
// tripBuckets runs of tripRun messages.
type roundTrips struct {
	mu      sync.Mutex
	buckets [tripBuckets][]time.Duration // each sorted, at most tripKeep
	n       int                          // messages seen
}

const (
	tripRun     = 256
	tripBuckets = 16
	tripKeep    = 8
	// tripsTrusted is how many round trips make their shortest worth
	// using at all; from there the spread of the shortest keeps the
	// estimate low while they are few.
	tripsTrusted = 16
)

func (r *roundTrips) add(d time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	i := r.n / tripRun % tripBuckets
	if r.n%tripRun == 0 {
		r.buckets[i] = r.buckets[i][:0]
	}
	b := r.buckets[i]
	at, _ := slices.BinarySearch(b, d)
	if at < tripKeep {
		b = slices.Insert(b, at, d)
		if len(b) > tripKeep {
			b = b[:tripKeep]
		}
		r.buckets[i] = b
	}
	r.n++
}

// least is the time a message is taken to spend at least on the way to
// Telegram and back, estimated from the last few thousand trips: the
// shortest, less the spread of the tripKeep shortest. The shortest trip
// seen is longer than the shortest possible, by about the gaps between
// the shortest ones: few trips or a thin tail near the minimum (a network
// delayed both ways) make wide gaps and so a low estimate, many trips a
// close one. Zero until tripsTrusted were seen.
func (r *roundTrips) least() time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.n < tripsTrusted {
		return 0
	}
	var all []time.Duration
	for _, b := range r.buckets[:min(tripBuckets, (r.n+tripRun-1)/tripRun)] {
		all = append(all, b...)
	}
	slices.Sort(all)
	all = all[:min(len(all), tripKeep)]
	return max(0, all[0]-(all[len(all)-1]-all[0]))
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
