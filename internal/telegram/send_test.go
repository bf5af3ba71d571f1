package telegram

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// scripted answers Request calls with a list of errors, then success.
type scripted struct {
	mu    sync.Mutex
	errs  []error
	calls []scriptedCall
}

type scriptedCall struct {
	at     time.Time
	method string
	chat   int64
}

func (s *scripted) Request(_ context.Context, c tgbotapi.Chattable) (*tgbotapi.APIResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	call := scriptedCall{at: time.Now(), method: methodOf(c)}
	if m, ok := c.(tgbotapi.MessageConfig); ok {
		call.chat = m.ChatID
	}
	s.calls = append(s.calls, call)
	if len(s.errs) == 0 {
		return &tgbotapi.APIResponse{Ok: true}, nil
	}
	err := s.errs[0]
	s.errs = s.errs[1:]
	return &tgbotapi.APIResponse{}, err
}

func apiErr(code int, msg string, retry int) error {
	return &tgbotapi.Error{Code: code, Message: msg, ResponseParameters: tgbotapi.ResponseParameters{RetryAfter: retry}}
}

func quietLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// TestSenderOutcomes makes one attempt per call and sorts the outcome;
// every error names the method and what Telegram said, never the URL
// with the token.
func TestSenderOutcomes(t *testing.T) {
	netErr := &url.Error{Op: "Post", URL: "https://api.telegram.org/bot123:SECRET/sendMessage", Err: errors.New("connection reset")}
	tests := []struct {
		name string
		err  error
		want error // nil for success
		text string
	}{
		{"ok", nil, nil, ""},
		{"network", netErr, errTransient, "sendMessage: temporary failure: Post: connection reset"},
		{"5xx", apiErr(502, "Bad Gateway", 0), errTransient, "sendMessage: 502 Bad Gateway"},
		{"not JSON", errors.New("invalid character '<' looking for beginning of value"), errTransient, "sendMessage: temporary failure: invalid character"},
		{"blocked", apiErr(403, "Forbidden: bot was blocked by the user", 0), errBlocked, "sendMessage: 403 Forbidden: bot was blocked by the user"},
		{"bad request", apiErr(400, "Bad Request: chat not found", 0), errPermanent, "sendMessage: 400 Bad Request: chat not found"},
		{"not modified is success", apiErr(400, "Bad Request: message is not modified: x", 0), nil, ""},
		{"429", apiErr(429, "Too Many Requests: retry after 3", 3), errTooMany, "sendMessage: 429 Too Many Requests: retry after 3"},
	}
	for _, tt := range tests {
		var errs []error
		if tt.err != nil {
			errs = []error{tt.err}
		}
		api := &scripted{errs: errs}
		s := NewSender(api, Limits{Global: 1000, Private: 1000, PrivateBurst: 10}, quietLog())
		_, err := s.Do(context.Background(), 1, tgbotapi.NewMessage(1, "x"))
		if tt.want == nil && err != nil || tt.want != nil && !errors.Is(err, tt.want) {
			t.Errorf("%s: err = %v, want %v", tt.name, err, tt.want)
		}
		if len(api.calls) != 1 {
			t.Errorf("%s: %d calls, want 1: retrying is the caller's choice", tt.name, len(api.calls))
		}
		st := s.Stats()
		if n := st.Sent + st.TooMany + st.Blocked + st.Failed; n > 1 ||
			errors.Is(err, errTooMany) != (st.TooMany == 1) || errors.Is(err, errBlocked) != (st.Blocked == 1) {
			t.Errorf("%s: stats %+v, want the one outcome counted as what it was", tt.name, st)
		}
		if err == nil {
			continue
		}
		if !strings.HasPrefix(err.Error(), tt.text) || strings.Contains(err.Error(), "SECRET") {
			t.Errorf("%s: error %q, want it to start with %q and hold no URL", tt.name, err, tt.text)
		}
		var se *SendError
		if !errors.As(err, &se) || se.Method != "sendMessage" || se.ChatID != 1 {
			t.Errorf("%s: %#v is not a SendError naming the method and chat", tt.name, err)
		}
	}
}

// TestSenderPausesWhatA429Concerns: a 429 holds back the chat (or the
// method for the chat) it answered, as long as it asked, and nothing
// else; only 429s on several chats at once hold back everyone.
func TestSenderPausesWhatA429Concerns(t *testing.T) {
	api := &scripted{errs: []error{apiErr(429, "Too Many Requests: retry after 1", 1)}}
	s := NewSender(api, Limits{Global: 1000, Private: 1000, PrivateBurst: 10}, quietLog())
	if _, err := s.Do(context.Background(), 1, tgbotapi.NewMessage(1, "x")); !errors.Is(err, errTooMany) {
		t.Fatalf("first send: %v, want a 429", err)
	}
	now := time.Now()
	if at := s.readyAt(1, now); at.Sub(now) < 900*time.Millisecond {
		t.Errorf("chat 1 may send again in %v, before retry_after", at.Sub(now))
	}
	if at := s.readyAt(2, now); at.After(now) {
		t.Errorf("chat 2 held back by chat 1's 429 until %v", at.Sub(now))
	}
	answer := tgbotapi.NewCallback("q", "")
	if until := s.pausedUntil(keyOf(1, answer), now); until.After(now) {
		t.Error("chat 1's callback answers held back by a 429 on its messages")
	}
	// Chat 1 waits as asked, however fast the machine; chat 2 went first.
	done := make(chan error, 1)
	go func() {
		_, err := s.Do(context.Background(), 1, tgbotapi.NewMessage(1, "again"))
		done <- err
	}()
	if _, err := s.Do(context.Background(), 2, tgbotapi.NewMessage(2, "y")); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if c := api.calls; len(c) != 3 || c[1].chat != 2 || c[2].chat != 1 || c[2].at.Sub(c[0].at) < time.Second {
		t.Errorf("calls %+v: want chat 2 before chat 1's retry, and the retry after retry_after", c)
	}

	// An answer that could only go after its deadline is not sent at all.
	s.tooMany(keyOf(5, answer), 10*time.Second, time.Time{})
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	n := len(api.calls)
	if _, err := s.Do(ctx, 5, answer); !errors.Is(err, errTooMany) || len(api.calls) != n {
		t.Errorf("answer during a 10 s pause: %v after %d calls, want errTooMany and no call", err, len(api.calls)-n)
	}
	if _, err := s.Do(context.Background(), 6, tgbotapi.NewCallback("q2", "")); err != nil {
		t.Errorf("another chat's answer: %v", err)
	}

	// 429s on the first messages to five chats in a row: Telegram limits
	// the bot. Chats sent to just before may be over their own limits (a
	// group's counts a minute), a chat refused again is one chat, and an
	// accepted message breaks the row.
	g := NewSender(&scripted{}, Limits{Global: 1000, Private: 1000, PrivateBurst: 10}, quietLog())
	now = time.Now()
	for _, chat := range []int64{11, 12, 13, 14, 11} {
		g.tooMany(pauseKey{chat: chat}, 2*time.Second, time.Time{})
	}
	g.tooMany(pauseKey{chat: 15}, 2*time.Second, now.Add(-500*time.Millisecond))
	g.tooMany(pauseKey{chat: -16}, 2*time.Second, now.Add(-30*time.Second))
	g.tooMany(pauseKey{method: "answerCallbackQuery", chat: 17}, 2*time.Second, time.Time{})
	if at := g.readyAt(99, time.Now()); at.After(time.Now()) {
		t.Fatal("four fresh chats' 429s, and chats over their own limits, held back everyone")
	}
	if _, err := g.Do(context.Background(), 20, tgbotapi.NewMessage(20, "accepted")); err != nil {
		t.Fatal(err)
	}
	g.tooMany(pauseKey{chat: 18}, 2*time.Second, time.Time{})
	if at := g.readyAt(99, time.Now()); at.After(time.Now()) {
		t.Fatal("429s around an accepted message held back everyone")
	}
	for _, chat := range []int64{21, 22, 23, 24} {
		g.tooMany(pauseKey{chat: chat}, 2*time.Second, time.Time{})
	}
	if at := g.readyAt(99, time.Now()); !at.After(time.Now().Add(time.Second)) {
		t.Error("429s on the first messages to five chats in a row did not hold back the others")
	}
}

// The per-chat and group limits hold however busy the machine is: a late
// goroutine can bring two recorded calls closer together than the limiter
// spaced them, so the check is on the time from the first request to the
// last, which delays can only make longer.
func TestSenderKeepsChatRates(t *testing.T) {
	tests := []struct {
		name   string
		chat   int64
		limits Limits
	}{
		// 10 per second with no burst: at least 100 ms between sends.
		{"private", 1, Limits{Global: 1000, Private: 10, PrivateBurst: 1}},
		// 600 a minute is 10 a second: at least 100 ms apart in a group.
		{"group", -100, Limits{Global: 1000, Private: 1000, PrivateBurst: 10, GroupPerMinute: 600}},
	}
	for _, tt := range tests {
		api := &scripted{}
		s := NewSender(api, tt.limits, quietLog())
		start := time.Now()
		for i := 0; i < 4; i++ {
			if _, err := s.Do(context.Background(), tt.chat, tgbotapi.NewMessage(tt.chat, "x")); err != nil {
				t.Fatalf("%s: send %d: %v", tt.name, i, err)
			}
		}
		if len(api.calls) != 4 {
			t.Fatalf("%s: %d calls, want 4", tt.name, len(api.calls))
		}
		if took := api.calls[3].at.Sub(start); took < 300*time.Millisecond {
			t.Errorf("%s: 4 sends took %v, want at least 300ms", tt.name, took)
		}
	}
}

// TestPacerHoldsAPermitAWindowFromTheAnswer: of any window, at most the
// rate's messages; each holds its permit until a window after its answer,
// less the shortest round trip seen, so the network's jitter can never
// bring more than that many into one window where Telegram counts them.
func TestPacerHoldsAPermitAWindowFromTheAnswer(t *testing.T) {
	var trips roundTrips
	var p pacer
	p.init(3, &trips) // 3 in any second
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 3 {
		if at := p.book(t0); !at.Equal(t0) {
			t.Fatalf("turn %d at %v, want now: the window holds 3", i, at.Sub(t0))
		}
	}
	// Answered 100 ms later; of many trips the shortest are 85, 86, ...
	// ms: 85 ms less their spread is taken for the least delay.
	for i := range tripsTrusted {
		trips.add(time.Duration(85+i) * time.Millisecond)
	}
	least := time.Duration(85-(tripKeep-1)) * time.Millisecond
	for range 3 {
		p.done(t0.Add(100 * time.Millisecond))
	}
	at := p.book(t0.Add(200 * time.Millisecond))
	if want := 1100*time.Millisecond - least + paceMargin; at.Sub(t0) != want {
		t.Fatalf("the fourth turn at %v, want %v: a window after the first answer less %v, plus the margin", at.Sub(t0), want, least)
	}
	// A turn given back is taken again.
	p.cancel(at)
	if again := p.book(t0.Add(200 * time.Millisecond)); !again.Equal(at) {
		t.Errorf("turn after a cancel at %v, want %v", again.Sub(t0), at.Sub(t0))
	}
	// With every permit held, a turn is a window away, and the permits do
	// not multiply when the messages are done.
	p.book(t0)
	p.book(t0)
	if over := p.book(t0); over.Sub(t0) != time.Second {
		t.Errorf("a turn beyond the permits at %v, want a window later", over.Sub(t0))
	}
	for range 4 {
		p.done(t0.Add(2 * time.Second))
	}
	if n := len(p.free); n != 3 {
		t.Errorf("%d permits after all were done, want 3", n)
	}
}

// TestRoundTripsEstimateTheLeastDelayFromBelow: the least delay is the
// shortest of many trips less the spread of the shortest ones, never
// taken from a few.
func TestRoundTripsEstimateTheLeastDelayFromBelow(t *testing.T) {
	var r roundTrips
	for i := range tripsTrusted - 1 {
		r.add(time.Duration(50+i) * time.Millisecond)
	}
	if l := r.least(); l != 0 {
		t.Errorf("least after %d trips: %v, want 0", tripsTrusted-1, l)
	}
	r.add(200 * time.Millisecond)
	// The shortest are 50, 51, ... ms: 50 less the spread of tripKeep.
	want := time.Duration(50-(tripKeep-1)) * time.Millisecond
	if l := r.least(); l != want {
		t.Errorf("least: %v, want %v", l, want)
	}
	// The shortest are remembered for thousands of trips.
	for range tripRun * (tripBuckets - 1) {
		r.add(time.Second)
	}
	if l := r.least(); l != want {
		t.Errorf("least after a few thousand slower trips: %v, want %v", l, want)
	}
	for range tripRun {
		r.add(time.Second)
	}
	if l := r.least(); l != time.Second {
		t.Errorf("least once the shortest were forgotten: %v, want 1s", l)
	}
	// A spread wider than the shortest trip is no delay at all.
	var wide roundTrips
	for i := range tripsTrusted {
		wide.add(time.Duration(1+i*i) * time.Millisecond)
	}
	if l := wide.least(); l != 0 {
		t.Errorf("least of widely spread trips: %v, want 0", l)
	}
}

// TestRoundTripsLeastAllocatesNothing: least is asked several times for
// each message sent.
func TestRoundTripsLeastAllocatesNothing(t *testing.T) {
	var r roundTrips
	for i := range tripRun * tripBuckets {
		r.add(time.Duration(50+i%97) * time.Millisecond)
	}
	if n := testing.AllocsPerRun(100, func() { r.least() }); n != 0 {
		t.Errorf("least allocates %v times, want 0", n)
	}
}

// TestChatPaceCountsFromAnswers: a chat's burst goes at once, and the
// next message waits until Telegram's bucket has refilled counting each
// message as arriving as late as its answer allows.
func TestChatPaceCountsFromAnswers(t *testing.T) {
	c := chatPace{rate: 1, burst: 3}
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	least := 90 * time.Millisecond
	now := t0
	for i := range 3 {
		if !c.take(now, least) {
			t.Fatalf("message %d of the burst refused", i)
		}
		if c.take(now, least) {
			t.Fatalf("a second message taken while message %d is on its way", i)
		}
		now = now.Add(100 * time.Millisecond)
		c.done(now)
	}
	if at := c.readyAt(now, least); at.Sub(t0) != 1010*time.Millisecond {
		t.Errorf("the fourth message may go at %v, want 1.01 s: a second after the first answer, less 90 ms", at.Sub(t0))
	}
	if c.take(t0.Add(1009*time.Millisecond), least) || !c.take(t0.Add(1010*time.Millisecond), least) {
		t.Error("the fourth message was not taken exactly when ready")
	}
}

// TestChatPaceHoldsAtTheFullRate: a chat sent to as fast as its pace
// allows, message after message (a leader's card redrawn for each
// answer), never overdraws Telegram's bucket of 3 refilled once a second,
// however long it goes on: the bucket binds on the whole run, not on the
// last few messages.
func TestChatPaceHoldsAtTheFullRate(t *testing.T) {
	c := chatPace{rate: 1, burst: 3}
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	now := t0
	tokens, last := 3.0, t0
	for i := range 40 {
		now = c.readyAt(now, 0)
		if !c.take(now, 0) {
			t.Fatalf("message %d not taken when ready", i)
		}
		// Answered at once: it arrived now.
		tokens = min(3, tokens+now.Sub(last).Seconds())
		last = now
		if tokens -= 1; tokens < -1e-9 {
			t.Fatalf("message %d at %v overdraws the bucket (%.2f tokens)", i, now.Sub(t0), tokens)
		}
		c.done(now)
	}
	if took := now.Sub(t0); took < 36*time.Second {
		t.Errorf("40 messages in %v: faster than a burst of 3 and one a second", took)
	}
}
