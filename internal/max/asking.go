package max

import (
	"context"
	"sync"

	"github.com/mmobot/mmobot/internal/chat"
)

// MAX has no reply keyboard to take away: the button that shares a
// location or a phone number (chat.Message.AskLocation, AskContact) is a
// button of the question's own message, and would stay there, still
// pressable, after the form that asked moved on. So the transport
// remembers, per chat, the last message that carried such a button, and
// when a message takes the keyboard away (chat.Message.RemoveKeyboard)
// it edits that message's buttons away, leaving its text.
//
// What it remembers lives in memory: a restart between the question and
// the answer leaves the button in place, as every button was before.

// asking is the message of each chat whose request button is still up.
type asking struct {
	mu   sync.Mutex
	msgs map[int64]string // chat id → mid
}

// asked records the message that put a request button up in a chat.
func (a *asking) asked(chatID int64, mid string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.msgs == nil {
		a.msgs = map[int64]string{}
	}
	a.msgs[chatID] = mid
}

// take returns and forgets the message of a chat whose request button
// is up, "" if none.
func (a *asking) take(chatID int64) string {
	a.mu.Lock()
	defer a.mu.Unlock()
	mid := a.msgs[chatID]
	delete(a.msgs, chatID)
	return mid
}

// askedBy notes a message sent with a request button, and closes the
// question of a message that takes the keyboard away. A failed edit is
// only logged: the closing message went out already, and sending it
// again would say it twice.
func (w *wire) askedBy(ctx context.Context, chatID int64, m *chat.Message, mid string) {
	switch {
	case m.Kind != chat.KindSend:
	case m.AskLocation != "" || m.AskContact != "":
		if mid != "" {
			w.asking.asked(chatID, mid)
		}
	case m.RemoveKeyboard:
		q := w.asking.take(chatID)
		if q == "" {
			return
		}
		if err := w.pace.wait(ctx); err != nil {
			return
		}
		// No text keeps the question's; no attachments take its button.
		if err := w.api.EditMessage(ctx, q, &NewMessage{Attachments: []AttachmentRequest{}}); err != nil {
			w.log.Warn("outbox: take a request button away", "chat_id", chatID, "error", err)
		}
	}
}
