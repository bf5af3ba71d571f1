package maxtest

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mmobot/mmobot/internal/fakechat"
)

// Pending is the number of updates not yet committed.
func (s *Server) Pending() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.updates)
}

// Committed is the sequence number of the last committed update: every
// update up to it has been passed by a marker.
func (s *Server) Committed() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.committed
}

// WaitConfirmed waits until the bot committed update seq (polled with a
// marker past it) and fails the test on timeout.
func (s *Server) WaitConfirmed(tb testing.TB, seq int64) {
	tb.Helper()
	s.watch.WaitFor(tb, fmt.Sprintf("maxtest: update %d not committed", seq), func() bool { return s.committed >= seq }, s.summary)
}

// Settle waits until every update is committed, no call other than GET
// /updates is in progress, and none has arrived for the quiet period
// (SetQuiet). It fails the test on timeout.
func (s *Server) Settle(tb testing.TB) {
	tb.Helper()
	s.watch.Settle(tb, "maxtest: Settle timed out", s.busy, s.summary)
}

// SettleWithin is Settle without a testing.TB: it reports whether the
// server settled within d.
func (s *Server) SettleWithin(d time.Duration) bool { return s.watch.SettleWithin(d, s.busy) }

// busy reports whether an update waits or a call is in progress. s.mu
// must be held.
func (s *Server) busy() bool { return len(s.updates) > 0 || s.inflight > 0 }

// Calls is the number of calls of an operation ("POST /messages", "GET
// /updates", "POST /upload", "GET /files"), refused and faulted ones
// included.
func (s *Server) Calls(op string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[op]
}

// Requests returns every finished request, in the order they finished.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Request, len(s.requests))
	for i, r := range s.requests {
		r.Query = cloneValues(r.Query)
		r.Body = append([]byte(nil), r.Body...)
		r.Response = append([]byte(nil), r.Response...)
		out[i] = r
	}
	return out
}

func cloneValues(v url.Values) url.Values {
	out := make(url.Values, len(v))
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

// Unexpected returns the calls the fake does not implement or model, one
// entry per call: an unknown path or method, an attachment or button kind
// it does not model, the token sent where it does not belong.
func (s *Server) Unexpected() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.unexpected...)
}

// UnansweredCallbacks returns the ids of the button presses the bot has
// not answered yet, in the order of the presses.
func (s *Server) UnansweredCallbacks() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []*callbackState
	for _, c := range s.callbacks {
		if !c.answered {
			out = append(out, c)
		}
	}
	ids := make([]string, len(out))
	sortCallbacks(out)
	for i, c := range out {
		ids[i] = c.id
	}
	return ids
}

// summary describes the server state for failure messages.
func (s *Server) summary() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var b strings.Builder
	s.writeQueue(&b)
	s.writeFailures(&b, 0, false)
	return b.String()
}

// writeQueue describes the update queue and the calls in progress. s.mu
// must be held.
func (s *Server) writeQueue(b *strings.Builder) {
	fmt.Fprintf(b, "pending updates: %d, committed up to %d, next update %d, GET /updates calls: %d, calls in progress: %d\n",
		len(s.updates), s.committed, s.nextSeq, s.calls["GET /updates"], s.inflight)
	if len(s.unexpected) > 0 {
		fmt.Fprintf(b, "unexpected calls: %v\n", s.unexpected)
	}
}

// writeFailures lists the last refused calls: those to chatID when
// oneChat, else all. s.mu must be held.
func (s *Server) writeFailures(b *strings.Builder, chatID int64, oneChat bool) {
	var lines []string
	for i := len(s.requests) - 1; i >= 0 && len(lines) < 10; i-- {
		r := s.requests[i]
		if r.Status == http.StatusOK || (r.Op() == "GET /updates" && r.Status == 0) {
			continue
		}
		if oneChat && !s.concerns(r, chatID) {
			continue
		}
		lines = append(lines, fmt.Sprintf("  %s %s -> %d %s %s", r.At.Format("15:04:05.000"), r.Op(), r.Status, r.Code, r.Description))
	}
	fakechat.WriteRefused(b, lines)
}

// concerns reports whether a request was addressed to a chat. s.mu must
// be held.
func (s *Server) concerns(r Request, chatID int64) bool {
	if r.Query.Get("chat_id") == strconv.FormatInt(chatID, 10) {
		return true
	}
	if uid, err := strconv.ParseInt(r.Query.Get("user_id"), 10, 64); err == nil {
		if u := s.users[uid]; u != nil && u.chatID == chatID {
			return true
		}
	}
	if mid := r.Query.Get("message_id"); mid != "" {
		if c := s.chats[chatID]; c != nil && c.byMID[mid] != nil {
			return true
		}
	}
	return false
}

// PassOver makes the readers of every chat (User.Next, Drain) pass over
// an edit for which pass reports true, given the message before and after
// it: an edit a person would not take for news, such as buttons taken off
// an answered question, which a test's journey need not read. The
// message's state (Server.Chat) still shows it.
func (s *Server) PassOver(pass func(before, after Message) bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.passOver = pass
}
