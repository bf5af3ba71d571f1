package max

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/mmobot/mmobot/internal/boltdb"
	"github.com/mmobot/mmobot/internal/chat"
	"github.com/mmobot/mmobot/internal/max/maxtest"
)

// askingDispatcher is the MAX wire of api over the store at path, closed
// with the test, with only what sending needs.
func askingDispatcher(t *testing.T, path string, api *Client) *wire {
	t.Helper()
	db, err := boltdb.Open(path, boltdb.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return &wire{db: db, api: api, pace: newPacer(1000), log: slog.New(slog.NewTextHandler(io.Discard, nil))}
}

// TestRequestButtonTakenAway: the message that takes the keyboard away
// edits the question's request button away, leaving its text; with no
// question up it edits nothing; a question gone meanwhile costs only the
// edit, the closing message goes once.
func TestRequestButtonTakenAway(t *testing.T) {
	s := maxtest.NewServer(t)
	api, err := New(Options{BaseURL: s.URL(), Token: s.Token(), RequestTimeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	d := askingDispatcher(t, filepath.Join(t.TempDir(), "mmo.db"), api)
	ctx := context.Background()
	u := s.NewUser(42, "Anna", "ru")
	send := func(m *chat.Message) string {
		t.Helper()
		mid, err := d.send(ctx, u.ChatID, m)
		if err != nil {
			t.Fatal(err)
		}
		return mid
	}

	// Nothing asked: the closing message is all.
	send(&chat.Message{Kind: chat.KindSend, Text: "Готово", RemoveKeyboard: true})
	if got := u.Next(t); got.Text != "Готово" {
		t.Fatalf("got %s", got)
	}
	if n := s.Calls("PUT /messages"); n != 0 {
		t.Errorf("%d edits with no question up", n)
	}

	for _, ask := range []*chat.Message{
		{Kind: chat.KindSend, Text: "Где вы?", AskLocation: "📍 Я здесь"},
		{Kind: chat.KindSend, Text: "Ваш номер?", AskContact: "📞 Поделиться номером"},
	} {
		q := send(ask)
		question := u.Next(t)
		if question.ID != q || len(question.Buttons()) != 1 {
			t.Fatalf("the question %s", question)
		}
		send(&chat.Message{Kind: chat.KindSend, Text: "Получено", RemoveKeyboard: true})
		if got := u.Next(t); got.Text != "Получено" {
			t.Fatalf("got %s", got)
		}
		redrawn := u.Next(t)
		if redrawn.ID != q || redrawn.Text != ask.Text || len(redrawn.Buttons()) != 0 {
			t.Errorf("the question redrawn as %s %v", redrawn, redrawn.Buttons())
		}
	}
	edits := s.Calls("PUT /messages")

	// A question deleted before the answer: the closing message still
	// goes, once, and a later one edits nothing.
	q := send(&chat.Message{Kind: chat.KindSend, Text: "Где вы?", AskLocation: "📍 Я здесь"})
	u.Next(t)
	if err := api.DeleteMessage(ctx, q); err != nil {
		t.Fatal(err)
	}
	send(&chat.Message{Kind: chat.KindSend, Text: "Получено", RemoveKeyboard: true})
	send(&chat.Message{Kind: chat.KindSend, Text: "Ещё раз", RemoveKeyboard: true})
	for _, want := range []string{"Получено", "Ещё раз"} {
		if got := u.Next(t); got.Text != want {
			t.Fatalf("got %s, want %q", got, want)
		}
	}
	if n := s.Calls("PUT /messages") - edits; n != 1 {
		t.Errorf("%d edits after the question was deleted, want the one that failed", n)
	}
}

// TestRequestButtonTakenAwayAfterARestart: a question asked before a
// restart loses its button when the answer is closed after it, as the
// transport that asked kept no memory of it.
func TestRequestButtonTakenAwayAfterARestart(t *testing.T) {
	s := maxtest.NewServer(t)
	api, err := New(Options{BaseURL: s.URL(), Token: s.Token(), RequestTimeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "mmo.db")
	ctx := context.Background()
	u := s.NewUser(42, "Anna", "ru")

	before := askingDispatcher(t, path, api)
	q, err := before.send(ctx, u.ChatID, &chat.Message{Kind: chat.KindSend, Text: "Ваш номер?", AskContact: "📞 Поделиться номером"})
	if err != nil {
		t.Fatal(err)
	}
	if question := u.Next(t); question.ID != q || len(question.Buttons()) != 1 {
		t.Fatalf("the question %s", question)
	}
	before.db.Close()

	after := askingDispatcher(t, path, api)
	if _, err := after.send(ctx, u.ChatID, &chat.Message{Kind: chat.KindSend, Text: "Получено", RemoveKeyboard: true}); err != nil {
		t.Fatal(err)
	}
	if got := u.Next(t); got.Text != "Получено" {
		t.Fatalf("got %s", got)
	}
	if redrawn := u.Next(t); redrawn.ID != q || len(redrawn.Buttons()) != 0 {
		t.Errorf("the question after the restart: %s %v", redrawn, redrawn.Buttons())
	}
	if mid, err := after.db.Asking(Messenger, u.ChatID); err != nil || mid != "" {
		t.Errorf("the closed question is still recorded: %q, %v", mid, err)
	}
}
