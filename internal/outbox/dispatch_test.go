package outbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/mmobot/mmobot/internal/boltdb"
	"github.com/mmobot/mmobot/internal/chat"
)

// msg is an item as the fake transport reads it.
type msg struct{ chat.Message }

func (m *msg) Chat() *chat.Message { return &m.Message }

// fakeTransport records what it was asked to send and fails as told: a
// text "blocked" is a person who stopped the bot, "flaky" fails once,
// "busy" meets a 429 once, "refused" is refused for good.
type fakeTransport struct {
	mu    sync.Mutex
	sent  map[int64][]string // chat → texts, in the order they went
	tries map[string]int
}

func (f *fakeTransport) Wrap(m *chat.Message) *msg { return &msg{*m} }

func (f *fakeTransport) Decode(p []byte) (*msg, error) {
	var m msg
	return &m, json.Unmarshal(p, &m.Message)
}

var (
	errBlocked = errors.New("blocked")
	errFlaky   = errors.New("flaky")
	errBusy    = errors.New("429")
	errRefused = errors.New("refused")
)

func (f *fakeTransport) Send(_ context.Context, chatID int64, m *msg, _ *Turn) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.tries[m.Text]++
	switch {
	case m.Text == "blocked":
		return "", errBlocked
	case m.Text == "refused":
		return "", errRefused
	case m.Text == "flaky" && f.tries[m.Text] == 1:
		return "", errFlaky
	case m.Text == "busy" && f.tries[m.Text] == 1:
		return "", errBusy
	}
	f.sent[chatID] = append(f.sent[chatID], m.Text)
	return "m-" + m.Text, nil
}

func (f *fakeTransport) Classify(err error) Class {
	switch err {
	case errBlocked:
		return Blocked
	case errFlaky:
		return Transient
	case errBusy:
		return TooMany
	}
	return Permanent
}

// TestDispatcher drives the shared dispatcher through a transport of no
// messenger: each chat's items by priority then order, another
// messenger's items left alone, a retry, a 429, a person who blocked the
// bot, a refusal, the id of a keyed message recorded, a broadcast counted.
func TestDispatcher(t *testing.T) {
	db := openDB(t)
	queue := func(messenger string, chatID int64, prio boltdb.Priority, text, key string, bc uint64) {
		t.Helper()
		payload, _ := json.Marshal(chat.Message{Kind: chat.KindSend, Text: text, Key: key, User: chatID})
		if err := db.Update(func(tx *boltdb.Tx) error {
			it := &boltdb.OutboxItem{Messenger: messenger, ChatID: chatID, Priority: prio, Payload: payload, Broadcast: bc}
			if err := tx.Enqueue(it); err != nil {
				return err
			}
			if key == "" {
				return nil
			}
			return tx.PutSent(key, &boltdb.SentRecord{Messenger: messenger, Chat: chatID, Outbox: it.ID, User: chatID})
		}); err != nil {
			t.Fatal(err)
		}
	}
	bc := &boltdb.Broadcast{Kind: "announce", Total: 2}
	if err := db.Update(func(tx *boltdb.Tx) error { return tx.CreateBroadcast(bc) }); err != nil {
		t.Fatal(err)
	}
	queue("fake", 1, boltdb.PriorityBulk, "news", "", bc.ID)
	queue("fake", 1, boltdb.PriorityReply, "reply", "card:1", 0)
	queue("fake", 1, boltdb.PriorityReply, "flaky", "", 0)
	queue("fake", 1, boltdb.PriorityNotice, "busy", "", 0)
	queue("other", 1, boltdb.PriorityReply, "not mine", "", 0)
	queue("fake", 2, boltdb.PriorityBulk, "blocked", "", bc.ID)
	queue("fake", 3, boltdb.PriorityReply, "refused", "", 0)

	f := &fakeTransport{sent: map[int64][]string{}, tries: map[string]int{}}
	var mu sync.Mutex
	var blocked []int64
	counted := 0
	d := New(db, f, Config{Messenger: "fake", Parallel: 4, Log: quiet,
		OnBlocked: func(chatID, user int64) { mu.Lock(); blocked = append(blocked, user); mu.Unlock() }})
	d.MsgRetry = Retry{First: time.Millisecond, Most: time.Millisecond, Budget: time.Second}
	d.OnDelivered = func(id uint64) {
		mu.Lock()
		defer mu.Unlock()
		if id == bc.ID {
			counted++
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); d.Run(ctx, context.Background()) }()
	deadline := time.Now().Add(10 * time.Second)
	for n, _ := db.OutboxLen(); n > 1 && time.Now().Before(deadline); n, _ = db.OutboxLen() {
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	<-done

	if n, _ := db.OutboxLen(); n != 1 {
		t.Errorf("%d items left in the outbox, want only the other messenger's", n)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if want := []string{"reply", "flaky", "busy", "news"}; !slices.Equal(f.sent[1], want) {
		t.Errorf("chat 1 got %q, want %q", f.sent[1], want)
	}
	if f.tries["not mine"] != 0 {
		t.Error("an item of another messenger was sent")
	}
	if f.tries["refused"] != 1 {
		t.Errorf("a refused item was tried %d times, want once", f.tries["refused"])
	}
	mu.Lock()
	defer mu.Unlock()
	if !slices.Equal(blocked, []int64{2}) {
		t.Errorf("blocked people %v, want [2]", blocked)
	}
	if counted != 2 {
		t.Errorf("broadcast counted %d items, want 2 (one sent, one blocked)", counted)
	}
	rec, err := db.Sent("card:1")
	if err != nil || rec.Message != "m-reply" {
		t.Errorf("keyed message on record: %+v, %v; want its id m-reply", rec, err)
	}
}

// openDB opens a store in the test's directory, closed after it.
func openDB(t *testing.T) *boltdb.DB {
	t.Helper()
	db, err := boltdb.Open(filepath.Join(t.TempDir(), "mmo.db"), boltdb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// quiet is the dispatchers' log in tests.
var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func TestRetryDelay(t *testing.T) {
	for n, want := range map[int]time.Duration{1: time.Second, 2: 2 * time.Second, 5: 16 * time.Second, 9: 16 * time.Second} {
		if got := MessageRetry.Delay(n); got != want {
			t.Errorf("retry %d after %v, want %v", n, got, want)
		}
	}
}

// TestCardEditDrawnOverIsDropped: an edit of a card by its key that asks
// for it (UnlessAway) is dropped when the card's message shows another
// view by its delivery; one whose message shows the card goes.
func TestCardEditDrawnOverIsDropped(t *testing.T) {
	db := openDB(t)
	for i, away := range []bool{true, false} {
		key := fmt.Sprintf("card:%d", i+1)
		payload, _ := json.Marshal(chat.Message{Kind: chat.KindEdit, TargetKey: key, Text: fmt.Sprintf("card %d", i+1), UnlessAway: true})
		if err := db.Update(func(tx *boltdb.Tx) error {
			msgID := fmt.Sprintf("m%d", i+1)
			if err := tx.PutSent(key, &boltdb.SentRecord{Messenger: "fake", Chat: 1, Message: msgID, User: 1}); err != nil {
				return err
			}
			if err := tx.SetViewAway(boltdb.ViewID("fake", 1, msgID), away, time.Now()); err != nil {
				return err
			}
			return tx.Enqueue(&boltdb.OutboxItem{Messenger: "fake", ChatID: 1, Priority: boltdb.PriorityNotice, Payload: payload})
		}); err != nil {
			t.Fatal(err)
		}
	}
	f := &fakeTransport{sent: map[int64][]string{}, tries: map[string]int{}}
	d := New(db, f, Config{Messenger: "fake", Parallel: 2, Log: quiet})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); d.Run(ctx, context.Background()) }()
	deadline := time.Now().Add(10 * time.Second)
	for n, _ := db.OutboxLen(); n > 0 && time.Now().Before(deadline); n, _ = db.OutboxLen() {
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	<-done
	if n, _ := db.OutboxLen(); n != 0 {
		t.Errorf("%d items left in the outbox", n)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if want := []string{"card 2"}; !slices.Equal(f.sent[1], want) {
		t.Errorf("sent %q, want %q: the card drawn over is not edited", f.sent[1], want)
	}
}
