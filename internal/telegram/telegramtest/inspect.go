package telegramtest

import (
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mmobot/mmobot/internal/fakechat"
)

// Pending is the number of updates not yet confirmed by an offset.
func (s *Server) Pending() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.updates)
}

// Confirmed is the highest update id confirmed by a getUpdates offset.
func (s *Server) Confirmed() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.confirmed
}

// WaitConfirmed waits until the bot confirmed updateID (called getUpdates
// with an offset greater than it) and fails the test on timeout.
func (s *Server) WaitConfirmed(tb testing.TB, updateID int) {
	tb.Helper()
	s.watch.WaitFor(tb, fmt.Sprintf("telegramtest: update %d not confirmed", updateID), func() bool { return s.confirmed >= updateID }, s.summary)
}

// Settle waits until every enqueued update is confirmed, no call other than
// getUpdates is in progress, and none has arrived for the quiet period
// (SetQuiet). It fails the test on timeout.
func (s *Server) Settle(tb testing.TB) {
	tb.Helper()
	s.watch.Settle(tb, "telegramtest: Settle timed out", s.busy, s.summary)
}

// SettleWithin is Settle without a testing.TB: it reports whether the
// server settled within d.
func (s *Server) SettleWithin(d time.Duration) bool { return s.watch.SettleWithin(d, s.busy) }

// busy reports whether an update waits or a call is in progress. s.mu
// must be held.
func (s *Server) busy() bool { return len(s.updates) > 0 || s.inflight > 0 }

// Calls is the number of calls of a method (canonical name, e.g.
// "sendMessage"), including refused and faulted ones.
func (s *Server) Calls(method string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c := canonicalMethods[strings.ToLower(method)]; c != "" {
		method = c
	}
	return s.calls[method]
}

// Requests returns every finished request, in the order they finished.
func (s *Server) Requests() []Request { return s.RequestsFrom(0) }

// RequestsFrom returns the finished requests from the i-th on (counting
// from 0, in the order they finished), copied as by Requests. It exists for
// a caller polling a long run: remembering how many it has seen, it reads
// only what is new instead of copying every request each time. An i past
// the end gives none; a negative i counts as 0.
func (s *Server) RequestsFrom(i int) []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	i = min(max(i, 0), len(s.requests))
	out := make([]Request, len(s.requests)-i)
	for j, r := range s.requests[i:] {
		r.Params = recordParams(r.Params, nil)
		out[j] = r
	}
	return out
}

// Unexpected returns the names of the unimplemented methods the bot called,
// one entry per call.
func (s *Server) Unexpected() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.unexpected...)
}

// Commands returns the command list set by setMyCommands for a scope type
// ("default", "all_private_chats", "all_group_chats", ...) and language
// code ("" for all languages), or nil. For the scope types naming a chat
// ("chat", "chat_administrators", "chat_member") it returns the list set
// last for any chat; see ChatCommands.
func (s *Server) Commands(scopeType, lang string) []BotCommand {
	if scopeType == "" {
		scopeType = "default"
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.findCommands(func(k cmdKey) bool { return k.scope == scopeType && k.lang == lang })
}

// ChatCommands returns the command list set by setMyCommands for the scope
// {"type":"chat","chat_id":chatID}: the one without language code if set,
// else the one set last for any language; nil if none.
func (s *Server) ChatCommands(chatID int64) []BotCommand {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e, ok := s.commands[cmdKey{scope: "chat", chatID: chatID}]; ok {
		return append([]BotCommand{}, e.cmds...)
	}
	return s.findCommands(func(k cmdKey) bool { return k.scope == "chat" && k.chatID == chatID })
}

// findCommands returns a copy of the matching list set last. s.mu must be
// held.
func (s *Server) findCommands(match func(cmdKey) bool) []BotCommand {
	var best *cmdEntry
	for k, e := range s.commands {
		if match(k) && (best == nil || e.seq > best.seq) {
			e := e
			best = &e
		}
	}
	if best == nil {
		return nil
	}
	return append([]BotCommand{}, best.cmds...)
}

// UnansweredCallbacks returns the ids of the callback queries the bot has
// not answered yet, in creation order.
func (s *Server) UnansweredCallbacks() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for id, c := range s.callbacks {
		if !c.answered {
			out = append(out, id)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if len(out[i]) != len(out[j]) {
			return len(out[i]) < len(out[j])
		}
		return out[i] < out[j]
	})
	return out
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

// writeQueue describes the update queue, the calls in progress and the
// unimplemented methods called, for failure messages. s.mu must be held.
func (s *Server) writeQueue(b *strings.Builder) {
	fmt.Fprintf(b, "pending updates: %d, confirmed up to update %d, next update id %d, getUpdates calls: %d, calls in progress: %d\n",
		len(s.updates), s.confirmed, s.nextUpdateID, s.calls["getUpdates"], s.inflight)
	if len(s.unexpected) > 0 {
		fmt.Fprintf(b, "unimplemented methods called: %v\n", s.unexpected)
	}
}

// writeFailures lists the last refused calls: those to chatID when
// oneChat is true, else all. s.mu must be held.
func (s *Server) writeFailures(b *strings.Builder, chatID int64, oneChat bool) {
	var lines []string
	for i := len(s.requests) - 1; i >= 0 && len(lines) < 10; i-- {
		r := s.requests[i]
		if r.Status == http.StatusOK || (r.Method == "getUpdates" && r.Status == 0) {
			continue
		}
		if oneChat && r.Params.Get("chat_id") != strconv.FormatInt(chatID, 10) {
			continue
		}
		lines = append(lines, fmt.Sprintf("  %s %s -> %d %s", r.At.Format("15:04:05.000"), r.Method, r.Status, r.Description))
	}
	fakechat.WriteRefused(b, lines)
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
