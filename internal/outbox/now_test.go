package outbox

import (
	"context"
	"encoding/json"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/mmobot/mmobot/internal/boltdb"
	"github.com/mmobot/mmobot/internal/chat"
)

// replies builds the messages of a reply of texts to chatID, as the
// engine hands them to SendNow.
func replies(chatID int64, texts ...string) []chat.Message {
	var out []chat.Message
	for _, text := range texts {
		out = append(out, chat.Message{Kind: chat.KindSend, Chat: chatID, Text: text, User: chatID})
	}
	return out
}

// stepPacer hands out turns at a fixed time and records the ones given
// back.
type stepPacer struct {
	mu        sync.Mutex
	next      time.Duration // how far ahead of now the next turn is
	cancelled int
}

func (p *stepPacer) Book(now time.Time) time.Time {
	p.mu.Lock()
	defer p.mu.Unlock()
	return now.Add(p.next)
}
func (p *stepPacer) Cancel(time.Time) { p.mu.Lock(); p.cancelled++; p.mu.Unlock() }
func (p *stepPacer) Went(time.Time)   {}
func (p *stepPacer) Interval() time.Duration {
	return 30 * time.Millisecond
}

// TestSendNow drives the replies sent at once: what is done (sent, a
// refusal dropped, a person who blocked the bot) and where the rest
// begins (a send to retry, a 429), and when nothing goes at all: a chat
// with messages queued, a chat that must wait, no turn in the rate soon,
// a dead process.
func TestSendNow(t *testing.T) {
	db := openDB(t)
	f := &fakeTransport{sent: map[int64][]string{}, tries: map[string]int{}}
	var blocked []int64
	pace := &stepPacer{}
	waitFor := map[int64]time.Duration{10: time.Second}
	d := New(db, f, Config{Messenger: "fake", Parallel: 4, Log: quiet,
		Pacer:     pace,
		ReadyAt:   func(chatID int64, now time.Time) time.Time { return now.Add(waitFor[chatID]) },
		OnBlocked: func(chatID, user int64) { blocked = append(blocked, user) }})
	ctx := context.Background()

	// A message committed for chat 9 before the reply, which the
	// dispatcher has not read yet (its loop is not even running): the
	// reply waits its turn behind it, in the outbox.
	payload, _ := json.Marshal(chat.Message{Kind: chat.KindSend, Text: "queued", User: 9})
	if err := db.Update(func(tx *boltdb.Tx) error {
		return tx.Enqueue(&boltdb.OutboxItem{Messenger: "fake", ChatID: 9, Priority: boltdb.PriorityNotice, Payload: payload})
	}); err != nil {
		t.Fatal(err)
	}

	for _, c := range []struct {
		name string
		chat int64
		msgs []chat.Message
		done int
		sent []string
	}{
		{"all sent, a refusal dropped", 5, replies(5, "a", "refused", "b"), 3, []string{"a", "b"}},
		{"a failed send left to the outbox", 6, replies(6, "a", "flaky", "c"), 1, []string{"a"}},
		{"a 429 left to the outbox", 7, replies(7, "busy", "d"), 0, nil},
		{"a person who blocked the bot", 8, replies(8, "blocked", "e"), 2, nil},
		{"a chat with messages queued", 9, replies(9, "f"), 0, nil},
		{"a chat that must wait", 10, replies(10, "g"), 0, nil},
	} {
		d.directOff.Store(0) // a failure before paused the replies sent at once (see TestSendNowCutsAHang)
		if got := d.SendNow(ctx, c.chat, c.msgs); got != c.done {
			t.Errorf("%s: %d done, want %d", c.name, got, c.done)
		}
		if got := f.sent[c.chat]; !slices.Equal(got, c.sent) {
			t.Errorf("%s: sent %q, want %q", c.name, got, c.sent)
		}
	}
	if !slices.Equal(blocked, []int64{8}) {
		t.Errorf("blocked people %v, want [8]", blocked)
	}
	if f.tries["e"] != 0 {
		t.Error("a message after the blocked one was tried")
	}

	d.directOff.Store(0)
	pace.next = time.Second // the next turn is a second away
	cancelled := pace.cancelled
	if got := d.SendNow(ctx, 11, replies(11, "h")); got != 0 || pace.cancelled != cancelled+1 {
		t.Errorf("no turn soon: %d done, %d turns given back; want 0 and 1", got, pace.cancelled-cancelled)
	}
	pace.next = 0
	d.Dead.Store(true)
	if got := d.SendNow(ctx, 11, replies(11, "h")); got != 0 {
		t.Errorf("a dead process sent %d", got)
	}
	d.Dead.Store(false)
	if got := d.SendNow(ctx, 11, replies(11, "h")); got != 1 || !slices.Equal(f.sent[11], []string{"h"}) {
		t.Errorf("with a turn now: %d done, sent %q", got, f.sent[11])
	}
	if len(d.chats) != 1 || d.chats[9] == nil {
		t.Errorf("chats held after the sends: %v, want only chat 9's queue", d.chats)
	}
}

// slowTransport holds the send of "slow" until let go.
type slowTransport struct {
	*fakeTransport
	sending, letGo chan struct{}
}

func (s *slowTransport) Send(ctx context.Context, chatID int64, m *msg, t *Turn) (string, error) {
	if m.Text == "slow" {
		close(s.sending)
		<-s.letGo
	}
	return s.fakeTransport.Send(ctx, chatID, m, t)
}

// TestSendNowHoldsTheChat: while a reply sent at once is in flight, a
// message queued for its chat meanwhile waits for it, and goes next.
func TestSendNowHoldsTheChat(t *testing.T) {
	db := openDB(t)
	s := &slowTransport{&fakeTransport{sent: map[int64][]string{}, tries: map[string]int{}}, make(chan struct{}), make(chan struct{})}
	d := New(db, s, Config{Messenger: "fake", Parallel: 4, Log: quiet})
	done := make(chan int)
	go func() { done <- d.SendNow(context.Background(), 1, replies(1, "slow")) }()
	<-s.sending

	payload, _ := json.Marshal(chat.Message{Kind: chat.KindSend, Text: "later", User: 1})
	if err := db.Update(func(tx *boltdb.Tx) error {
		return tx.Enqueue(&boltdb.OutboxItem{Messenger: "fake", ChatID: 1, Priority: boltdb.PriorityNotice, Payload: payload})
	}); err != nil {
		t.Fatal(err)
	}
	d.scan(false)
	if d.untilReady(time.Now()) == 0 || d.pick(time.Now()) != nil {
		t.Fatal("a message of the chat was picked while its reply was in flight")
	}
	if n := d.SendNow(context.Background(), 1, replies(1, "second")); n != 0 {
		t.Fatal("a second reply went at once beside the first")
	}
	close(s.letGo)
	if n := <-done; n != 1 {
		t.Fatalf("%d done, want 1", n)
	}
	if d.untilReady(time.Now()) != 0 {
		t.Fatal("the queued message is not ready after the reply went")
	}
	p := d.pick(time.Now())
	if p == nil || p.ChatID != 1 {
		t.Fatalf("picked %+v, want the queued message of chat 1", p)
	}
}

// hangTransport never answers "hang": the call ends when its context
// does.
type hangTransport struct{ *fakeTransport }

func (h hangTransport) Send(ctx context.Context, chatID int64, m *msg, t *Turn) (string, error) {
	if m.Text == "hang" {
		<-ctx.Done()
		return "", errFlaky
	}
	return h.fakeTransport.Send(ctx, chatID, m, t)
}

// TestSendNowCutsAHang: a reply that hangs is cut after DirectTimeout and
// left to the outbox, and the replies after it, to any chat, go through
// the outbox until the pause is over; a failed send pauses them too.
func TestSendNowCutsAHang(t *testing.T) {
	db := openDB(t)
	f := &fakeTransport{sent: map[int64][]string{}, tries: map[string]int{}}
	d := New(db, hangTransport{f}, Config{Messenger: "fake", Parallel: 4, Log: quiet})
	d.DirectTimeout, d.DirectPause = 20*time.Millisecond, time.Hour
	ctx := context.Background()
	if n := d.SendNow(ctx, 1, replies(1, "a", "hang", "b")); n != 1 {
		t.Fatalf("%d done, want the one before the hang", n)
	}
	if n := d.SendNow(ctx, 2, replies(2, "c")); n != 0 || f.tries["c"] != 0 {
		t.Fatalf("during the pause: %d done, %d tries; want none", n, f.tries["c"])
	}
	if len(d.chats) != 0 {
		t.Errorf("chats held after the cut: %v", d.chats)
	}

	d.directOff.Store(0) // the pause is over
	if n := d.SendNow(ctx, 3, replies(3, "flaky", "d")); n != 0 {
		t.Fatalf("a failed send: %d done, want 0", n)
	}
	if n := d.SendNow(ctx, 4, replies(4, "e")); n != 0 {
		t.Fatalf("after a failed send: %d done, want 0 (paused)", n)
	}
}
