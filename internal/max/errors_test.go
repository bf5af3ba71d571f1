package max_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/mmobot/mmobot/internal/max"
	"github.com/mmobot/mmobot/internal/max/maxtest"
)

// TestRateLimit: beyond the per-bot limit MAX answers 429, which the
// client reports with the wait asked for.
func TestRateLimit(t *testing.T) {
	s := maxtest.NewServer(t)
	c := newClient(t, s)
	ctx := context.Background()
	u := s.NewUser(42, "Anna", "ru")
	s.EnforceRateLimit(3)
	var limited *max.Error
	for i := 0; i < 10 && limited == nil; i++ {
		_, err := c.SendMessage(ctx, max.ToUser(u.ID), &max.NewMessage{Text: "hi"})
		if err != nil {
			limited = apiError(t, err)
		}
	}
	if limited == nil {
		t.Fatal("10 sends at once under a limit of 3 per second: no 429")
	}
	if !limited.TooManyRequests() || !limited.Temporary() || limited.RetryAfter < time.Second || limited.Code != "too.many.requests" {
		t.Errorf("429: %+v", limited)
	}
	if st := s.Stats(); st.Sent != 3 || st.TooMany != 1 {
		t.Errorf("stats %+v, want 3 sent and one 429", st)
	}
	if n := len(u.Messages()); n != 3 {
		t.Errorf("%d messages arrived, want 3", n)
	}
}

func TestFaults(t *testing.T) {
	s := maxtest.NewServer(t)
	c := newClient(t, s, func(o *max.Options) { o.RequestTimeout = 300 * time.Millisecond })
	ctx := context.Background()
	u := s.NewUser(42, "Anna", "ru")
	send := func() error {
		_, err := c.SendMessage(ctx, max.ToUser(u.ID), &max.NewMessage{Text: "hi"})
		return err
	}
	cases := []struct {
		name  string
		fault maxtest.Fault
		check func(t *testing.T, err error)
	}{
		{"429 with Retry-After", maxtest.Fault{Kind: maxtest.TooManyRequests, RetryAfter: 7}, func(t *testing.T, err error) {
			if e := apiError(t, err); !e.TooManyRequests() || e.RetryAfter != 7*time.Second {
				t.Errorf("%+v", e)
			}
		}},
		{"429 without Retry-After", maxtest.Fault{Kind: maxtest.TooManyRequests, RetryAfter: -1}, func(t *testing.T, err error) {
			if e := apiError(t, err); !e.TooManyRequests() || e.RetryAfter != 0 {
				t.Errorf("%+v", e)
			}
		}},
		{"503", maxtest.Fault{Kind: maxtest.Unavailable, RetryAfter: 2}, func(t *testing.T, err error) {
			if e := apiError(t, err); e.StatusCode != 503 || !e.Temporary() || e.RetryAfter != 2*time.Second {
				t.Errorf("%+v", e)
			}
		}},
		{"500", maxtest.Fault{Kind: maxtest.InternalError}, func(t *testing.T, err error) {
			if e := apiError(t, err); e.StatusCode != 500 || e.Code != "internal.error" || !e.Temporary() {
				t.Errorf("%+v", e)
			}
		}},
		{"502 HTML", maxtest.Fault{Kind: maxtest.BadGateway}, func(t *testing.T, err error) {
			if e := apiError(t, err); e.StatusCode != 502 || e.Code != "" || !e.Temporary() || !strings.Contains(e.Error(), "Bad Gateway") {
				t.Errorf("%+v: %v", e, err)
			}
		}},
		{"dropped", maxtest.Fault{Kind: maxtest.Drop}, func(t *testing.T, err error) {
			var e *max.Error
			if err == nil || errors.As(err, &e) {
				t.Errorf("want a transport error, got %v", err)
			}
		}},
		{"slow beyond the deadline", maxtest.Fault{Kind: maxtest.Slow, Delay: 5 * time.Second}, func(t *testing.T, err error) {
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("want a deadline error, got %v", err)
			}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.fault.Op = "POST /messages"
			s.Inject(tc.fault)
			err := send()
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.Contains(err.Error(), "POST /messages") {
				t.Errorf("the error does not name the call: %v", err)
			}
			tc.check(t, err)
		})
	}
	if err := send(); err != nil {
		t.Fatalf("after the faults: %v", err)
	}
	if n := len(u.Messages()); n != 1 {
		t.Errorf("%d messages, want 1: faulted calls must leave nothing", n)
	}
}

// TestPollDeadline: a long poll may take its timeout plus the request
// timeout, not more.
func TestPollDeadline(t *testing.T) {
	s := maxtest.NewServer(t)
	c := newClient(t, s, func(o *max.Options) { o.RequestTimeout = 300 * time.Millisecond })
	if _, err := c.GetUpdates(context.Background(), max.UpdatesParams{Timeout: time.Second}); err != nil {
		t.Fatalf("an empty poll of 1 s with a request timeout of 0.3 s: %v", err)
	}
	s.Inject(maxtest.Fault{Op: "GET /updates", Kind: maxtest.Slow, Delay: 5 * time.Second})
	_, err := c.GetUpdates(context.Background(), max.UpdatesParams{Timeout: 0})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("a poll of 0 s slowed by 5 s: %v, want a deadline error", err)
	}
}

// TestTokenNeverShown: the token is never in a URL, and never in an error
// even when the server puts it in its answer.
func TestTokenNeverShown(t *testing.T) {
	s := maxtest.NewServer(t)
	c := newClient(t, s)
	ctx := context.Background()
	u := s.NewUser(42, "Anna", "ru")
	if _, err := c.Me(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := c.SendMessage(ctx, max.ToUser(u.ID), &max.NewMessage{Text: "x"}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Upload(ctx, max.UploadFile, "a.txt", []byte("a")); err != nil {
		t.Fatal(err)
	}
	for _, r := range s.Requests() {
		all := r.Path + "?" + r.Query.Encode() + string(r.Body)
		if strings.Contains(all, s.Token()) {
			t.Errorf("%s carries the token in its URL or body", r.Op())
		}
		if r.Op() != "POST /upload" && !r.Authorized {
			t.Errorf("%s did not carry the token in its header", r.Op())
		}
	}

	const token = "echoed-secret-token-42"
	echo := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		io.WriteString(w, `{"code":"`+r.Header.Get("Authorization")+`","message":"bad token `+r.Header.Get("Authorization")+`"}`)
	}))
	defer echo.Close()
	ec, err := max.New(max.Options{BaseURL: echo.URL, Token: token})
	if err != nil {
		t.Fatal(err)
	}
	var errs []error
	_, err = ec.Me(ctx)
	errs = append(errs, err)
	_, err = ec.SendMessage(ctx, max.ToUser(1), &max.NewMessage{Text: "x"})
	errs = append(errs, err)
	err = ec.DeleteMessage(ctx, "mid.1")
	errs = append(errs, err)
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	cc, _ := max.New(max.Options{BaseURL: closed.URL, Token: token})
	_, err = cc.Me(ctx)
	errs = append(errs, err)
	for _, err := range errs {
		if err == nil {
			t.Fatal("no error")
		}
		if strings.Contains(err.Error(), token) {
			t.Errorf("the error shows the token: %v", err)
		}
	}
	if e := apiError(t, errs[0]); !strings.Contains(e.Message, "<token>") {
		t.Errorf("the server's message was not redacted but changed: %q", e.Message)
	}
}

// TestDecodeRobust: an update kind the client does not know, or one it
// cannot decode, does not spoil its page.
func TestDecodeRobust(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"updates":[
			{"update_type":"dialog_muted","timestamp":1,"chat_id":5,"user":{"user_id":1,"first_name":"A","is_bot":false,"last_activity_time":0},"muted_until":99},
			{"update_type":"message_created","timestamp":2,"message":{"recipient":{"chat_id":5,"chat_type":"dialog","user_id":9},"timestamp":2,"body":{"mid":"mid.1","seq":1,"text":42}}},
			{"update_type":"message_created","timestamp":3,"message":{"sender":{"user_id":1,"first_name":"A","name":"A","is_bot":false},"recipient":{"chat_id":5,"chat_type":"dialog","user_id":9},"timestamp":3,"body":{"mid":"mid.2","seq":2,"text":"hi","attachments":[{"type":"sticker","payload":{"code":"x","url":"u"},"width":1,"height":1},{"type":"inline_keyboard","callback_id":"cb","payload":{"buttons":[[{"type":"callback","text":"a","payload":"p","intent":"default"}]]}}]}}}
		],"marker":null}`)
	}))
	defer srv.Close()
	c, err := max.New(max.Options{BaseURL: srv.URL, Token: "a-realistic-token-0123456789"})
	if err != nil {
		t.Fatal(err)
	}
	l, err := c.GetUpdates(context.Background(), max.UpdatesParams{})
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Updates) != 3 || l.Marker != nil {
		t.Fatalf("got %d updates, marker %v", len(l.Updates), l.Marker)
	}
	if u := l.Updates[0]; u.Type != "dialog_muted" || u.DecodeErr != nil || u.ChatID != 5 || len(u.Raw) == 0 {
		t.Errorf("unknown kind: %+v", u)
	}
	if u := l.Updates[1]; u.Type != max.UpdateMessageCreated || u.DecodeErr == nil || u.Message != nil || u.Timestamp != 2 {
		t.Errorf("undecodable: %+v", u)
	}
	u := l.Updates[2]
	if u.DecodeErr != nil || u.Message.Body.Text != "hi" || len(u.Message.Body.Attachments) != 2 {
		t.Fatalf("decodable: %+v", u)
	}
	if a := u.Message.Body.Attachments[0]; a.Type != "sticker" || len(a.Raw) == 0 || a.File != nil || a.Image != nil {
		t.Errorf("sticker %+v", a)
	}
	if kb := u.Message.Body.Attachments[1].Keyboard; kb == nil || kb.Buttons[0][0].Payload != "p" {
		t.Errorf("keyboard %+v", kb)
	}
}

func TestErrorText(t *testing.T) {
	cases := []struct {
		e    max.Error
		want string
	}{
		{max.Error{Method: "POST", Path: "/messages", StatusCode: 403, Code: "chat.denied", Message: "dialog suspended"}, "max: POST /messages: 403 chat.denied: dialog suspended"},
		{max.Error{Method: "GET", Path: "/me", StatusCode: 502}, "max: GET /me: 502 Bad Gateway"},
		{max.Error{Method: "POST", Path: "/messages", StatusCode: 429, Code: "too.many.requests", RetryAfter: 2 * time.Second}, "max: POST /messages: 429 too.many.requests (retry after 2s)"},
		{max.Error{Method: "PUT", Path: "/messages", StatusCode: 200, Message: "not modified"}, "max: PUT /messages: 200 not modified"},
	}
	for _, c := range cases {
		if got := c.e.Error(); got != c.want {
			t.Errorf("got %q, want %q", got, c.want)
		}
	}
}

// TestSimpleFailure: a 200 whose result says no success is an error.
func TestSimpleFailure(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"success":false,"message":"message is too old"}`)
	}))
	defer srv.Close()
	c, _ := max.New(max.Options{BaseURL: srv.URL, Token: "a-realistic-token-0123456789"})
	err := c.DeleteMessage(context.Background(), "mid.1")
	if e := apiError(t, err); e.StatusCode != 200 || e.Message != "message is too old" {
		t.Errorf("%+v", e)
	}
}

func TestRetryAfterDate(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", time.Now().Add(90*time.Second).UTC().Format(http.TimeFormat))
		w.WriteHeader(http.StatusTooManyRequests)
	}))
	defer srv.Close()
	c, _ := max.New(max.Options{BaseURL: srv.URL, Token: "a-realistic-token-0123456789"})
	_, err := c.Me(context.Background())
	if e := apiError(t, err); e.RetryAfter < 80*time.Second || e.RetryAfter > 91*time.Second {
		t.Errorf("Retry-After as a date: %v", e.RetryAfter)
	}
}
