package chat

import (
	"context"
	"testing"
)

// TestReplySentAtOnce: a view's reply goes to the transport's SendNow
// with nothing written; what SendNow leaves is committed with the
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
