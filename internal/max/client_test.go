package max_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/mmobot/mmobot/internal/max"
	"github.com/mmobot/mmobot/internal/max/maxtest"
)

// newClient returns a client of the fake server s.
func newClient(t *testing.T, s *maxtest.Server, edit ...func(*max.Options)) *max.Client {
	t.Helper()
	o := max.Options{BaseURL: s.URL(), Token: s.Token(), RequestTimeout: 5 * time.Second}
	for _, e := range edit {
		e(&o)
	}
	c, err := max.New(o)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// apiError returns err as an *max.Error, failing the test if it is not.
func apiError(t *testing.T, err error) *max.Error {
	t.Helper()
	var e *max.Error
	if !errors.As(err, &e) {
		t.Fatalf("want a *max.Error, got %T: %v", err, err)
	}
	return e
}

// poll gets the pending updates at once, without committing anything.
func poll(t *testing.T, c *max.Client, marker *int64) *max.UpdateList {
	t.Helper()
	l, err := c.GetUpdates(context.Background(), max.UpdatesParams{Marker: marker})
	if err != nil {
		t.Fatalf("GetUpdates: %v", err)
	}
	return l
}

// one polls and wants exactly one update of a type; it commits the
// updates before it and returns it with the marker past it.
func one(t *testing.T, c *max.Client, marker *int64, typ string) (max.Update, *int64) {
	t.Helper()
	l := poll(t, c, marker)
	if len(l.Updates) != 1 || l.Updates[0].Type != typ {
		t.Fatalf("want one %s, got %+v", typ, l.Updates)
	}
	if l.Updates[0].DecodeErr != nil {
		t.Fatalf("decode: %v", l.Updates[0].DecodeErr)
	}
	return l.Updates[0], l.Marker
}

func TestNew(t *testing.T) {
	if _, err := max.New(max.Options{}); err == nil {
		t.Error("New without a token: no error")
	}
	_, err := max.New(max.Options{Token: "sekret-token", BaseURL: "ftp://sekret-token@x"})
	if err == nil {
		t.Fatal("New with an ftp URL: no error")
	}
	if strings.Contains(err.Error(), "sekret-token") {
		t.Errorf("the error shows the token: %v", err)
	}
}

func TestMe(t *testing.T) {
	s := maxtest.NewServer(t)
	me, err := newClient(t, s).Me(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if me.UserID != s.BotID() || me.Username != s.BotUsername() || !me.IsBot {
		t.Errorf("me = %+v", me)
	}

	bad := newClient(t, s, func(o *max.Options) { o.Token = "wrong-token-123" })
	_, err = bad.Me(context.Background())
	e := apiError(t, err)
	if !e.Unauthorized() || e.StatusCode != http.StatusUnauthorized || e.Code != max.CodeVerifyToken {
		t.Errorf("wrong token: %+v", e)
	}
	if strings.Contains(err.Error(), "wrong-token-123") {
		t.Errorf("the error shows the token: %v", err)
	}
}

// TestMarkers: updates stay until a marker past them is passed; a marker
// commits exactly the updates before it.
func TestMarkers(t *testing.T) {
	s := maxtest.NewServer(t)
	c := newClient(t, s)
	u := s.NewUser(42, "Anna", "ru")
	seq1 := u.Send("one")
	u.Send("two")
	seq3 := u.Send("three")

	l := poll(t, c, nil)
	if len(l.Updates) != 3 || l.Marker == nil {
		t.Fatalf("first poll: %d updates, marker %v", len(l.Updates), l.Marker)
	}
	for i, want := range []string{"one", "two", "three"} {
		if got := l.Updates[i].Message.Body.Text; got != want {
			t.Errorf("update %d: text %q, want %q", i, got, want)
		}
	}
	// Not passing the marker commits nothing: a crash before handling
	// gets the same page again.
	again := poll(t, c, nil)
	if len(again.Updates) != 3 || s.Committed() >= seq1 {
		t.Fatalf("second poll without marker: %d updates, committed %d", len(again.Updates), s.Committed())
	}

	// A page of two: its marker points at the third.
	page, err := c.GetUpdates(context.Background(), max.UpdatesParams{Limit: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Updates) != 2 || page.Marker == nil || *page.Marker != seq3 {
		t.Fatalf("limit 2: %d updates, marker %v, want marker %d", len(page.Updates), page.Marker, seq3)
	}
	rest := poll(t, c, page.Marker)
	if len(rest.Updates) != 1 || rest.Updates[0].Message.Body.Text != "three" {
		t.Fatalf("after the marker: %+v", rest.Updates)
	}
	if got := s.Committed(); got != seq3-1 {
		t.Errorf("committed %d, want %d (the first two only)", got, seq3-1)
	}
	empty := poll(t, c, rest.Marker)
	if len(empty.Updates) != 0 || s.Pending() != 0 || s.Committed() != seq3 {
		t.Errorf("after the last marker: %d updates, %d pending, committed %d", len(empty.Updates), s.Pending(), s.Committed())
	}
	if empty.Marker == nil || *empty.Marker != *rest.Marker {
		t.Errorf("empty page marker %v, want %d", empty.Marker, *rest.Marker)
	}
}

func TestTypesFilter(t *testing.T) {
	s := maxtest.NewServer(t)
	c := newClient(t, s)
	u := s.NewUser(42, "Anna", "ru")
	u.Start("")
	u.Send("hello")
	l, err := c.GetUpdates(context.Background(), max.UpdatesParams{Types: []string{max.UpdateMessageCreated}})
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Updates) != 1 || l.Updates[0].Type != max.UpdateMessageCreated {
		t.Fatalf("got %+v", l.Updates)
	}
}

// TestLongPoll: a poll waits for an update and returns as soon as one
// comes; cancelling its context ends it.
func TestLongPoll(t *testing.T) {
	s := maxtest.NewServer(t)
	c := newClient(t, s)
	u := s.NewUser(42, "Anna", "ru")

	got := make(chan *max.UpdateList, 1)
	go func() {
		l, err := c.GetUpdates(context.Background(), max.UpdatesParams{Timeout: 30 * time.Second})
		if err != nil {
			t.Error(err)
		}
		got <- l
	}()
	for s.Calls("GET /updates") == 0 {
		time.Sleep(time.Millisecond)
	}
	u.Send("wake up")
	select {
	case l := <-got:
		if l == nil || len(l.Updates) != 1 {
			t.Fatalf("long poll: %+v", l)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the long poll did not return on an update")
	}

	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() {
		_, err := c.GetUpdates(ctx, max.UpdatesParams{Marker: nil, Timeout: 30 * time.Second, Types: []string{max.UpdateBotStarted}})
		errc <- err
	}()
	for s.Calls("GET /updates") < 2 {
		time.Sleep(time.Millisecond)
	}
	cancel()
	select {
	case err := <-errc:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("cancelled poll: %v, want context.Canceled", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("cancelling did not end the long poll")
	}
}

func TestParamsChecked(t *testing.T) {
	s := maxtest.NewServer(t)
	c := newClient(t, s)
	ctx := context.Background()
	for _, p := range []max.UpdatesParams{{Timeout: 91 * time.Second}, {Timeout: -time.Second}, {Limit: 1001}, {Limit: -1}} {
		if _, err := c.GetUpdates(ctx, p); err == nil {
			t.Errorf("GetUpdates(%+v): no error", p)
		}
	}
	if _, err := c.SendMessage(ctx, max.To{UserID: 1, ChatID: 2}, &max.NewMessage{Text: "x"}); err == nil {
		t.Error("SendMessage to both a user and a chat: no error")
	}
	if _, err := c.SendMessage(ctx, max.To{}, &max.NewMessage{Text: "x"}); err == nil {
		t.Error("SendMessage to nobody: no error")
	}
	if _, err := c.SendMessage(ctx, max.ToUser(1), &max.NewMessage{Text: strings.Repeat("я", max.MaxTextLength+1)}); err == nil {
		t.Error("SendMessage of 4001 characters: no error")
	}
	if err := c.EditMessage(ctx, "", &max.NewMessage{Text: "x"}); err == nil {
		t.Error("EditMessage without id: no error")
	}
	if err := c.DeleteMessage(ctx, ""); err == nil {
		t.Error("DeleteMessage without id: no error")
	}
	if err := c.AnswerCallback(ctx, "", &max.CallbackAnswer{Notification: "x"}); err == nil {
		t.Error("AnswerCallback without id: no error")
	}
	if _, err := c.UploadURL(ctx, "document"); err == nil {
		t.Error("UploadURL of an unknown type: no error")
	}
	if n := len(s.Requests()); n != 0 {
		t.Errorf("refused calls reached the server: %d requests", n)
	}
}
