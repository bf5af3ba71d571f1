package max

import (
	"context"

	"github.com/mmobot/mmobot/internal/chat"
)

// MAX has no reply keyboard to take away: the button that shares a
// location or a phone number (chat.Message.AskLocation, AskContact) is a
// button of the question's own message, and would stay there, still
// pressable, after the form that asked moved on. So the transport
// records, per chat, the last message that carried such a button, and
// when a message takes the keyboard away (chat.Message.RemoveKeyboard)
// it edits that message's buttons away, leaving its text.
//
// The record is kept in the store (boltdb asking.go), so a restart
// between the question and the answer still takes the button away.

// askedBy notes a message sent with a request button, and closes the
// question of a message that takes the keyboard away. A failed edit or
// record is only logged: the closing message went out already, and
// sending it again would say it twice.
func (w *wire) askedBy(ctx context.Context, chatID int64, m *chat.Message, mid string) {
	if w.dead != nil && w.dead() {
		return // a simulated crash: the send happened, nothing more is recorded
	}
	switch {
	case m.Kind != chat.KindSend:
	case m.AskLocation != "" || m.AskContact != "":
		if mid == "" {
			return
		}
		if err := w.db.PutAsking(Messenger, chatID, mid); err != nil {
			w.log.Warn("outbox: record a request button", "chat_id", chatID, "error", err)
		}
	case m.RemoveKeyboard:
		q, err := w.db.Asking(Messenger, chatID)
		if err != nil {
			w.log.Warn("outbox: find a request button", "chat_id", chatID, "error", err)
			return
		}
		if q == "" {
			return
		}
		if err := w.pace.wait(ctx); err != nil {
			return // the shutdown: the record stays for the next closing message
		}
		// No text keeps the question's; no attachments take its button.
		if err := w.api.EditMessage(ctx, q, &NewMessage{Attachments: []AttachmentRequest{}}); err != nil && ctx.Err() != nil {
			return // cut by the shutdown: the record stays for the next closing message
		} else if err != nil {
			w.log.Warn("outbox: take a request button away", "chat_id", chatID, "error", err)
		}
		// Forgotten whether the edit went or not: it is not tried again,
		// as before a restart.
		if err := w.db.DropAsking(Messenger, chatID, q); err != nil {
			w.log.Warn("outbox: forget a request button", "chat_id", chatID, "error", err)
		}
	}
}
