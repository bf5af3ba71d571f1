package telegram

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/url"
	"sync"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// scripted answers Request calls with a list of errors, then success.
type scripted struct {
	mu    sync.Mutex
	errs  []error
	calls []time.Time
}

func (s *scripted) Request(tgbotapi.Chattable) (*tgbotapi.APIResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = append(s.calls, time.Now())
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

func TestSenderOutcomes(t *testing.T) {
	netErr := &url.Error{Op: "Post", URL: "x", Err: errors.New("connection reset")}
	tests := []struct {
		name  string
		errs  []error
		want  error // nil for success
		calls int
	}{
		{"ok", nil, nil, 1},
		{"network then ok", []error{netErr}, nil, 2},
		{"5xx then ok", []error{apiErr(502, "Bad Gateway", 0)}, nil, 2},
		{"network for good", []error{netErr, netErr, netErr, netErr, netErr}, errTransient, 4},
		{"blocked", []error{apiErr(403, "Forbidden: bot was blocked by the user", 0)}, errBlocked, 1},
		{"bad request", []error{apiErr(400, "Bad Request: chat not found", 0)}, errPermanent, 1},
		{"not modified is success", []error{apiErr(400, "Bad Request: message is not modified: x", 0)}, nil, 1},
		{"429 then ok", []error{apiErr(429, "Too Many Requests: retry after 1", 1)}, nil, 2},
	}
	for _, tt := range tests {
		api := &scripted{errs: tt.errs}
		s := NewSender(api, Limits{Global: 1000, Private: 1000, PrivateBurst: 10}, slog.New(slog.NewTextHandler(io.Discard, nil)))
		s.Backoff = time.Millisecond
		_, err := s.Do(context.Background(), tgbotapi.NewMessage(1, "x"))
		if tt.want == nil && err != nil || tt.want != nil && !errors.Is(err, tt.want) {
			t.Errorf("%s: err = %v, want %v", tt.name, err, tt.want)
		}
		if len(api.calls) != tt.calls {
			t.Errorf("%s: %d calls, want %d", tt.name, len(api.calls), tt.calls)
		}
	}
}

func TestSenderHonoursRetryAfter(t *testing.T) {
	api := &scripted{errs: []error{apiErr(429, "Too Many Requests: retry after 1", 1)}}
	s := NewSender(api, Limits{Global: 1000, Private: 1000, PrivateBurst: 10}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if _, err := s.Do(context.Background(), tgbotapi.NewMessage(1, "x")); err != nil {
		t.Fatal(err)
	}
	// Not a timing assertion on speed: the retry must not come earlier
	// than Telegram asked, however fast the machine.
	if gap := api.calls[1].Sub(api.calls[0]); gap < time.Second {
		t.Errorf("retried after %v, before retry_after", gap)
	}
	// The pause applies to other chats too.
	start := time.Now()
	api.errs = []error{apiErr(429, "Too Many Requests: retry after 1", 1)}
	s.Do(context.Background(), tgbotapi.NewMessage(1, "x"))
	s.Do(context.Background(), tgbotapi.NewMessage(2, "y"))
	if time.Since(start) < time.Second {
		t.Error("another chat was sent to during the pause")
	}
	if st := s.Stats(); st.TooMany != 2 || st.Sent != 3 {
		t.Errorf("stats %+v", st)
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
		s := NewSender(api, tt.limits, slog.New(slog.NewTextHandler(io.Discard, nil)))
		start := time.Now()
		for i := 0; i < 4; i++ {
			if _, err := s.Do(context.Background(), tgbotapi.NewMessage(tt.chat, "x")); err != nil {
				t.Fatalf("%s: send %d: %v", tt.name, i, err)
			}
		}
		if len(api.calls) != 4 {
			t.Fatalf("%s: %d calls, want 4", tt.name, len(api.calls))
		}
		if took := api.calls[3].Sub(start); took < 300*time.Millisecond {
			t.Errorf("%s: 4 sends took %v, want at least 300ms", tt.name, took)
		}
	}
}
