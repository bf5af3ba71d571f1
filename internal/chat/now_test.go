package chat

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/mmobot/mmobot/internal/boltdb"
)

// TestReplySentAtOnce: a view's reply goes to the transport's SendNow
// with nothing written; a reply SendNow leaves is committed with the
// handled mark; an update answered at once and delivered again is
// recognised.
func TestReplySentAtOnce(t *testing.T) {
	var given [][]Message
	var to []int64
	take := 1 // how many messages SendNow reports done
	m := newMemory(t, func(o *Options) {
		o.Transports[0].SendNow = func(_ context.Context, chatID int64, msgs []Message) int {
			given, to = append(given, msgs), append(to, chatID)
			return min(take, len(msgs))
		}
	})
	m.seedMeeting(301, 310)
	ann := m.person(310, "Анна")
	commits := m.db.Commits()
	res := ann.handleOnly(Update{Command: "help", Text: "/help"})
	if len(given) != 1 || len(given[0]) != 1 || to[0] != 310 || given[0][0].Chat != 310 || given[0][0].Kind != KindSend {
		t.Fatalf("SendNow given %+v to %v, want the one reply to chat 310", given, to)
	}
	if n := m.db.Commits() - commits; n != 0 || res.Queued || res.Outcome != OutcomeOK {
		t.Errorf("a reply sent at once: %d commits, result %+v; want none, not queued", n, res)
	}
	// Delivered again (a batch the messenger repeats): recognised.
	again := Update{Messenger: memoryName, ID: m.update, Command: "help", Text: "/help",
		From: &Sender{ID: 310, FirstName: "Анна", LanguageCode: "ru"}, Chat: 310, Private: true}
	if res, err := m.engine.Handle(t.Context(), &again); err != nil || res.Outcome != OutcomeDuplicate || len(given) != 1 {
		t.Errorf("the update again: %+v, %v, SendNow called %d times; want a duplicate, not sent", res, err, len(given))
	}

	take = 0 // the transport sends nothing now: the reply is queued
	res = ann.handleOnly(Update{Command: "help", Text: "/help"})
	if _, marked := m.db.HandledAt(memoryName, m.update); !marked || !res.Queued {
		t.Errorf("a reply not sent at once: handled mark %v, queued %v; want both", marked, res.Queued)
	}
	m.deliver()
	ann.next("Бот присылает объявления")
	ann.quiet()
}

// TestReplySentAtOnceInPart: of a reply in parts, SendNow takes the
// first; the rest is committed with the handled mark and delivered. With
// the disk full, that commit fails: the update is held, not taken as
// answered, and its next delivery draws the view again and sends it
// whole, so no part is lost.
func TestReplySentAtOnceInPart(t *testing.T) {
	var given [][]Message
	take := 1
	m := newMemory(t, func(o *Options) {
		o.Transports[0].MaxText = 64 // /help comes in parts
		o.Transports[0].SendNow = func(_ context.Context, _ int64, msgs []Message) int {
			given = append(given, msgs)
			return min(take, len(msgs))
		}
	})
	m.seedMeeting(301, 310)
	ann := m.person(310, "Анна")
	ann.handleOnly(Update{Command: "help", Text: "/help"})
	if len(given) != 1 || len(given[0]) < 2 {
		t.Fatalf("SendNow given %d replies, the first of %d parts; want one in parts", len(given), len(given[0]))
	}
	parts := len(given[0])
	if _, marked := m.db.HandledAt(memoryName, m.update); !marked {
		t.Error("the rest of the reply was not committed with the handled mark")
	}
	m.deliver()
	for range parts - 1 {
		ann.next()
	}
	ann.quiet()

	var full atomic.Bool
	full.Store(true)
	m.db.SetWriteFault(func() error {
		if full.Load() {
			return fmt.Errorf("write mmo.db: %w", syscall.ENOSPC)
		}
		return nil
	})
	u := Update{Messenger: memoryName, ID: m.update + 1, Command: "help", Text: "/help",
		From: &Sender{ID: 310, FirstName: "Анна", LanguageCode: "ru"}, Chat: 310, Private: true}
	again := u
	if res, err := m.engine.Handle(t.Context(), &u); !errors.Is(err, boltdb.ErrUnwritable) || res.Outcome != OutcomeHeld {
		t.Fatalf("the rest refused by a full disk: %+v, %v; want the update held", res, err)
	}
	full.Store(false)
	take = parts
	if res, err := m.engine.Handle(t.Context(), &again); err != nil || res.Outcome != OutcomeOK {
		t.Fatalf("the update delivered again: %+v, %v; want it answered", res, err)
	}
	if last := given[len(given)-1]; len(last) != parts {
		t.Errorf("delivered again, %d parts went at once, want all %d", len(last), parts)
	}
}
