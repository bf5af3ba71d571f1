package telegramtest

import (
	"context"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"
)

// FaultKind is the kind of an injected fault.
type FaultKind int

const (
	// TooManyRequests answers 429 {"ok":false,"error_code":429,
	// "description":"Too Many Requests: retry after N",
	// "parameters":{"retry_after":N}} with N = Fault.RetryAfter (at least 1).
	TooManyRequests FaultKind = iota + 1
	// ServerError answers 502 with a non-JSON HTML body, like a failing
	// reverse proxy in front of the API.
	ServerError
	// BadGateway answers a JSON 500 {"ok":false,"error_code":500,
	// "description":"Internal Server Error"}.
	BadGateway
	// Drop closes the connection without answering (the client sees an
	// EOF / connection reset).
	Drop
	// Slow sleeps Fault.Delay, then answers normally.
	Slow
	// Hang holds the call without answering until Server.Release releases
	// its method (it is then answered normally), the client gives up, or
	// the server closes. A hanging call does not keep Settle waiting;
	// Server.Hanging counts them.
	Hang
)

// String returns the name of the kind.
func (k FaultKind) String() string {
	switch k {
	case TooManyRequests:
		return "TooManyRequests"
	case ServerError:
		return "ServerError"
	case BadGateway:
		return "BadGateway"
	case Drop:
		return "Drop"
	case Slow:
		return "Slow"
	case Hang:
		return "Hang"
	}
	return "FaultKind(" + strconv.Itoa(int(k)) + ")"
}

// Fault is an injected failure of the next matching calls.
type Fault struct {
	// Method is the method it hits (case-insensitive); "" means any method.
	Method string
	// ChatID restricts it to calls concerning that chat; 0 means any call.
	// A call concerns the chat of its chat_id parameter; answerCallbackQuery
	// the chat the query came from, and setMyCommands and deleteMyCommands
	// the chat of their scope.
	ChatID int64
	// Kind is what happens to the call.
	Kind FaultKind
	// RetryAfter is the retry_after of a TooManyRequests fault; default 1.
	RetryAfter int
	// Delay is the delay of a Slow fault.
	Delay time.Duration
	// Count is how many calls it hits; values below 1 mean 1.
	Count int
}

// Inject adds a fault. Faults are consumed in order of injection by the
// matching calls (getUpdates included). Except for Slow and a released
// Hang, a faulted call has no effect: nothing is sent or recorded as sent,
// no update is confirmed.
func (s *Server) Inject(f Fault) {
	if f.Count < 1 {
		f.Count = 1
	}
	if c := canonicalMethods[strings.ToLower(f.Method)]; c != "" {
		f.Method = c
	}
	s.mu.Lock()
	s.faults = append(s.faults, &f)
	s.mu.Unlock()
}

// takeFault consumes the first fault matching the call, if any. s.mu must
// be held.
func (s *Server) takeFault(c *call) *Fault {
	for i, f := range s.faults {
		if f.Method != "" && f.Method != c.method {
			continue
		}
		if f.ChatID != 0 && s.callChat(c) != strconv.FormatInt(f.ChatID, 10) {
			continue
		}
		f.Count--
		if f.Count <= 0 {
			s.faults = append(s.faults[:i:i], s.faults[i+1:]...)
		}
		s.stats.Faults++
		hit := *f
		return &hit
	}
	return nil
}

// callChat returns the chat a call concerns, as a decimal string ("" if
// none). s.mu must be held.
func (s *Server) callChat(c *call) string {
	switch c.method {
	case "answerCallbackQuery":
		if cb := s.callbacks[c.get("callback_query_id")]; cb != nil {
			return strconv.FormatInt(cb.chatID, 10)
		}
		return ""
	case "setMyCommands", "deleteMyCommands":
		if k, err := commandScope(c); err == nil && k.chatID != 0 {
			return strconv.FormatInt(k.chatID, 10)
		}
		return ""
	}
	return c.get("chat_id")
}

// ClearFaults removes every injected fault not yet consumed. Calls
// hanging already keep hanging until Release.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	s.faults = nil
	s.mu.Unlock()
}

// Release lets every call of method that hangs (a Hang fault) go on: each
// is answered as if it had never hung. Later Hang faults still hang.
func (s *Server) Release(method string) {
	if c := canonicalMethods[strings.ToLower(method)]; c != "" {
		method = c
	}
	s.mu.Lock()
	if ch := s.release[method]; ch != nil {
		close(ch)
		delete(s.release, method)
	}
	s.mu.Unlock()
}

// Hanging is the number of calls of method hanging now (a Hang fault).
func (s *Server) Hanging(method string) int {
	if c := canonicalMethods[strings.ToLower(method)]; c != "" {
		method = c
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hanging[method]
}

// hang holds a call until Release, the client leaving or Close, and
// reports whether it was released. While it hangs the call is not in
// progress for Settle (counted: it was counted as in progress).
func (s *Server) hang(ctx context.Context, method string, counted bool) bool {
	s.mu.Lock()
	ch := s.release[method]
	if ch == nil {
		ch = make(chan struct{})
		s.release[method] = ch
	}
	s.hanging[method]++
	if counted {
		s.inflight--
	}
	s.watch.Broadcast()
	s.mu.Unlock()
	released := false
	select {
	case <-ch:
		released = true
	case <-ctx.Done():
	case <-s.watch.Done():
	}
	s.mu.Lock()
	s.hanging[method]--
	if counted {
		s.inflight++
	}
	s.watch.Broadcast()
	s.mu.Unlock()
	return released
}

// Limits are Telegram-like flood limits enforced on sendMessage,
// sendDocument and sendPhoto (edits, answers and other calls are not
// limited). A zero field is no limit.
type Limits struct {
	// Global is the number of sends per second over all chats: at most
	// Global sends in any 1-second sliding window. A fractional rate r uses
	// a window of ceil(r)/r seconds holding ceil(r) sends.
	Global float64
	// PerChat is the number of sends per second to one private chat, with
	// the same sliding window rule as Global.
	PerChat float64
	// PerChatBurst, when above 1, tolerates short bursts to a private
	// chat as Telegram does: PerChat becomes a token bucket of this many
	// sends, refilled at PerChat per second (full before the first send).
	PerChatBurst int
	// GroupPerMinute is the number of sends to one group in any 60-second
	// sliding window.
	GroupPerMinute int
	// Edits counts editMessageText and editMessageReplyMarkup against the
	// same limits as sends (a refused edit answers 429 too).
	Edits bool
}

// Latency is the network between the bot and the server: each call but
// getUpdates waits a delay drawn evenly from [Base-Jitter, Base+Jitter]
// before the server handles it (and counts it against the limits), and,
// with Back, another one before its answer reaches the client.
type Latency struct {
	Base, Jitter time.Duration
	Back         bool
}

// SetLatency sets the network's delays (replacing earlier ones); the
// zero Latency is none. The delays are drawn from a fixed seed.
func (s *Server) SetLatency(l Latency) {
	s.mu.Lock()
	s.latency = l
	s.latencyRnd = rand.New(rand.NewPCG(uint64(l.Base), uint64(l.Jitter)))
	s.mu.Unlock()
}

// delays draws the delays of one call: on the way there and back.
func (s *Server) delays() (there, back time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	l := s.latency
	if l.Base <= 0 {
		return 0, 0
	}
	draw := func() time.Duration {
		d := l.Base
		if l.Jitter > 0 {
			d += time.Duration(s.latencyRnd.Int64N(int64(2*l.Jitter)+1)) - l.Jitter
		}
		return max(d, 0)
	}
	there = draw()
	if l.Back {
		back = draw()
	}
	return there, back
}

// EnforceLimits sets the flood limits (replacing earlier ones). A send
// that would exceed a limit answers 429 with parameters.retry_after = the
// whole seconds (rounded up, at least 1) until it would be allowed, and has
// no effect. Sends made before the call count.
func (s *Server) EnforceLimits(l Limits) {
	s.mu.Lock()
	s.limits = l
	s.mu.Unlock()
}

// Stats are counters of the server's activity.
type Stats struct {
	// Sent is the number of successful sendMessage, sendDocument and
	// sendPhoto calls.
	Sent int
	// TooMany is the number of 429 answers (limits and faults).
	TooMany int
	// Edits is the number of edits counted against the limits (see
	// Limits.Edits).
	Edits int
	// Faults is the number of calls hit by an injected fault.
	Faults int
	// ByMethod is the number of successful (HTTP 200) calls per method.
	ByMethod map[string]int
}

// Stats returns a copy of the counters.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.stats
	st.ByMethod = make(map[string]int, len(s.stats.ByMethod))
	for k, v := range s.stats.ByMethod {
		st.ByMethod[k] = v
	}
	return st
}

// rateWindow turns a per-second rate into a sliding window capacity.
func rateWindow(rate float64) (int, time.Duration) {
	capacity := int(math.Ceil(rate))
	return capacity, time.Duration(float64(capacity) / rate * float64(time.Second))
}

// windowWait prunes log to the entries inside the window ending at now and
// returns how long until one more entry fits (0 if it fits now).
func windowWait(log []time.Time, now time.Time, capacity int, window time.Duration) ([]time.Time, time.Duration) {
	i := 0
	for i < len(log) && !log[i].Add(window).After(now) {
		i++
	}
	log = log[i:]
	if capacity <= 0 || len(log) < capacity {
		return log, 0
	}
	return log, log[len(log)-capacity].Add(window).Sub(now)
}

// bucketWait replays sends through a token bucket of burst tokens refilled
// at rate per second, full before the first, and returns how long until
// one more send fits (0 if it fits now).
func bucketWait(log []time.Time, now time.Time, rate float64, burst int) time.Duration {
	tokens := float64(burst)
	for i, t := range log {
		if i > 0 {
			tokens = min(float64(burst), tokens+t.Sub(log[i-1]).Seconds()*rate)
		}
		tokens--
	}
	if len(log) > 0 {
		tokens = min(float64(burst), tokens+now.Sub(log[len(log)-1]).Seconds()*rate)
	}
	if tokens >= 1 {
		return 0
	}
	return time.Duration((1 - tokens) / rate * float64(time.Second))
}

// checkLimits returns a 429 error if a send to chatID now would exceed the
// limits. s.mu must be held.
func (s *Server) checkLimits(chatID int64, now time.Time) *apiError {
	l := s.limits
	var wait time.Duration
	if l.Global > 0 {
		c, w := rateWindow(l.Global)
		_, d := windowWait(s.globalSends, now, c, w)
		wait = max(wait, d)
	}
	if chatID > 0 && l.PerChat > 0 && l.PerChatBurst > 1 {
		wait = max(wait, bucketWait(s.chatSends[chatID], now, l.PerChat, l.PerChatBurst))
	} else if chatID > 0 && l.PerChat > 0 {
		c, w := rateWindow(l.PerChat)
		_, d := windowWait(s.chatSends[chatID], now, c, w)
		wait = max(wait, d)
	}
	if chatID < 0 && l.GroupPerMinute > 0 {
		_, d := windowWait(s.chatSends[chatID], now, l.GroupPerMinute, time.Minute)
		wait = max(wait, d)
	}
	if wait <= 0 {
		return nil
	}
	return tooManyRequests(int(math.Ceil(wait.Seconds())))
}

// recordSend records a successful send for the limits. s.mu must be held.
func (s *Server) recordSend(chatID int64, now time.Time) {
	s.countForLimits(chatID, now)
	s.stats.Sent++
}

// checkEdit returns a 429 error if edits count against the limits and an
// edit in chatID now would exceed them. s.mu must be held.
func (s *Server) checkEdit(chatID int64, now time.Time) *apiError {
	if !s.limits.Edits {
		return nil
	}
	if aerr := s.checkLimits(chatID, now); aerr != nil {
		return aerr
	}
	s.countForLimits(chatID, now)
	s.stats.Edits++
	return nil
}

// countForLimits records a call that counts against the limits. s.mu must
// be held.
func (s *Server) countForLimits(chatID int64, now time.Time) {
	const keep = time.Minute
	s.globalSends, _ = windowWait(s.globalSends, now, 0, maxWindow(s.limits.Global, keep))
	s.globalSends = append(s.globalSends, now)
	log, _ := windowWait(s.chatSends[chatID], now, 0, maxWindow(s.limits.PerChat, keep))
	s.chatSends[chatID] = append(log, now)
}

// maxWindow is the history to keep: at least keep, more for slow rates.
func maxWindow(rate float64, keep time.Duration) time.Duration {
	if rate > 0 {
		if _, w := rateWindow(rate); w > keep {
			return w
		}
	}
	return keep
}
