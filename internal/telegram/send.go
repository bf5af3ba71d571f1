package telegram

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
	"golang.org/x/time/rate"
)

// Limits are the outbound rate limits the sender keeps to.
type Limits struct {
	Global         float64 // messages per second over all chats
	Private        float64 // messages per second to one private chat
	PrivateBurst   int     // short burst allowed to one private chat
	GroupPerMinute int     // messages per minute to one group
}

// Errors of Send that the caller acts upon.
var (
	// errBlocked means the user blocked the bot (403): stop sending to them.
	errBlocked = errors.New("telegram: the user blocked the bot")
	// errPermanent means Telegram refused the request for good (400 and the
	// like): retrying cannot help.
	errPermanent = errors.New("telegram: request refused")
	// errTransient means the request failed in a way that may pass: the
	// network, a 5xx, or too many 429s in a row.
	errTransient = errors.New("telegram: temporary failure")
)

// limitMargin is the share of a configured rate the sender uses.
const limitMargin = 0.97

// caller is the one method of the Bot API client the sender needs.
type caller interface {
	Request(c tgbotapi.Chattable) (*tgbotapi.APIResponse, error)
}

// Sender is the one outbound path to Telegram. Every request goes through
// Do, which keeps to the rate limits, honours retry_after, and retries
// network errors and 5xx answers with backoff.
type Sender struct {
	api    caller
	limits Limits
	log    *slog.Logger

	global *rate.Limiter

	mu          sync.Mutex
	chats       map[int64]*chatLimit
	pausedUntil time.Time // set by a 429: nobody sends before it
	lastSweep   time.Time

	// Attempts is how many times a request is tried on network errors and
	// 5xx before Do gives up with errTransient; Backoff is the first wait,
	// doubled each time.
	Attempts int
	Backoff  time.Duration
	// Max429 is how many 429 answers in a row one request accepts.
	Max429 int

	stats SenderStats
}

// SenderStats counts what the sender met, for logs and benchmarks.
type SenderStats struct {
	Sent, TooMany, Retries, Blocked, Failed int64
}

type chatLimit struct {
	lim         *rate.Limiter
	pausedUntil time.Time
	lastUse     time.Time
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
	// Keep a little under the limits: Telegram (and our fake server)
	// count messages in sliding windows as they arrive, and network jitter
	// can bring two evenly spaced messages closer than they were sent.
	limits.Global *= limitMargin
	limits.Private *= limitMargin
	return &Sender{
		api:      api,
		limits:   limits,
		log:      log,
		global:   rate.NewLimiter(rate.Limit(limits.Global), 1),
		chats:    map[int64]*chatLimit{},
		Attempts: 4,
		Backoff:  500 * time.Millisecond,
		Max429:   10,
	}
}

// Stats returns a snapshot of the counters.
func (s *Sender) Stats() SenderStats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stats
}

// limited reports whether a request counts against the message limits:
// sending and editing do; answering a callback or setting the menu do not.
func limited(c tgbotapi.Chattable) (chatID int64, ok bool) {
	switch m := c.(type) {
	case tgbotapi.MessageConfig:
		return m.ChatID, true
	case tgbotapi.DocumentConfig:
		return m.ChatID, true
	case tgbotapi.PhotoConfig:
		return m.ChatID, true
	case tgbotapi.EditMessageTextConfig:
		return m.ChatID, true
	case tgbotapi.EditMessageReplyMarkupConfig:
		return m.ChatID, true
	}
	return 0, false
}

// Do sends one request, waiting for the limits, and returns Telegram's
// answer. Its errors wrap errBlocked, errPermanent or errTransient.
func (s *Sender) Do(ctx context.Context, c tgbotapi.Chattable) (*tgbotapi.APIResponse, error) {
	chatID, isLimited := limited(c)
	attempts, tooMany := 0, 0
	for {
		if isLimited {
			if err := s.wait(ctx, chatID); err != nil {
				return nil, fmt.Errorf("%w: %v", errTransient, err)
			}
		}
		resp, err := s.api.Request(c)
		if err == nil {
			s.count(func(st *SenderStats) { st.Sent++ })
			return resp, nil
		}
		var apiErr *tgbotapi.Error
		switch {
		case errors.As(err, &apiErr) && apiErr.Code == 429:
			tooMany++
			s.count(func(st *SenderStats) { st.TooMany++ })
			wait := time.Duration(apiErr.RetryAfter) * time.Second
			if wait <= 0 {
				wait = time.Second
			}
			s.pause(chatID, wait)
			if tooMany > s.Max429 {
				return nil, fmt.Errorf("%w: %d answers 429 in a row", errTransient, tooMany)
			}
			if !isLimited { // waits happen in s.wait for limited calls
				if err := sleep(ctx, wait); err != nil {
					return nil, fmt.Errorf("%w: %v", errTransient, err)
				}
			}
			continue
		case errors.As(err, &apiErr) && apiErr.Code == 403:
			s.count(func(st *SenderStats) { st.Blocked++ })
			return nil, fmt.Errorf("%w: %s", errBlocked, apiErr.Message)
		case errors.As(err, &apiErr) && apiErr.Code == 400 && strings.Contains(apiErr.Message, "message is not modified"):
			// The message already shows what we wanted: success.
			return resp, nil
		case errors.As(err, &apiErr) && apiErr.Code < 500 && apiErr.Code != 0:
			s.count(func(st *SenderStats) { st.Failed++ })
			return nil, fmt.Errorf("%w: %d %s", errPermanent, apiErr.Code, apiErr.Message)
		}
		// Network errors, 5xx, and answers that are not the API's JSON
		// (a proxy's error page): try again after a while.
		attempts++
		if attempts >= s.Attempts {
			s.count(func(st *SenderStats) { st.Failed++ })
			return nil, fmt.Errorf("%w: %v", errTransient, err)
		}
		s.count(func(st *SenderStats) { st.Retries++ })
		if err := sleep(ctx, s.Backoff<<(attempts-1)); err != nil {
			return nil, fmt.Errorf("%w: %v", errTransient, err)
		}
	}
}

func (s *Sender) count(f func(*SenderStats)) {
	s.mu.Lock()
	f(&s.stats)
	s.mu.Unlock()
}

// wait blocks until a message may go to chatID.
func (s *Sender) wait(ctx context.Context, chatID int64) error {
	for {
		now := time.Now()
		s.mu.Lock()
		cl := s.chat(chatID, now)
		until := s.pausedUntil
		if cl.pausedUntil.After(until) {
			until = cl.pausedUntil
		}
		s.mu.Unlock()
		if until.After(now) {
			if err := sleep(ctx, until.Sub(now)); err != nil {
				return err
			}
			continue
		}
		if err := cl.lim.Wait(ctx); err != nil {
			return err
		}
		if err := s.global.Wait(ctx); err != nil {
			return err
		}
		// A 429 may have arrived while we waited for the limiters.
		s.mu.Lock()
		paused := s.pausedUntil.After(time.Now()) || cl.pausedUntil.After(time.Now())
		s.mu.Unlock()
		if !paused {
			return nil
		}
	}
}

// chat returns the limiter of a chat, creating it; s.mu must be held.
// Limiters of chats idle for a minute are dropped now and then, so a
// broadcast to thousands does not keep thousands of limiters forever.
func (s *Sender) chat(chatID int64, now time.Time) *chatLimit {
	if now.Sub(s.lastSweep) > time.Minute {
		for id, cl := range s.chats {
			if now.Sub(cl.lastUse) > time.Minute && !cl.pausedUntil.After(now) {
				delete(s.chats, id)
			}
		}
		s.lastSweep = now
	}
	cl := s.chats[chatID]
	if cl == nil {
		var lim *rate.Limiter
		if chatID < 0 { // groups and channels
			lim = rate.NewLimiter(rate.Limit(float64(s.limits.GroupPerMinute)/60*limitMargin), 1)
		} else {
			lim = rate.NewLimiter(rate.Limit(s.limits.Private), s.limits.PrivateBurst)
		}
		cl = &chatLimit{lim: lim}
		s.chats[chatID] = cl
	}
	cl.lastUse = now
	return cl
}

// pause stops sending for d after a 429: to the chat, and to everyone,
// since Telegram's answer does not say which limit was hit.
func (s *Sender) pause(chatID int64, d time.Duration) {
	until := time.Now().Add(d)
	s.mu.Lock()
	defer s.mu.Unlock()
	if until.After(s.pausedUntil) {
		s.pausedUntil = until
	}
	if chatID != 0 {
		cl := s.chat(chatID, time.Now())
		if until.After(cl.pausedUntil) {
			cl.pausedUntil = until
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
