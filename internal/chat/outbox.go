package chat

import (
	"errors"
	"fmt"
	"strings"

	"github.com/mmobot/mmobot/internal/boltdb"
	"github.com/mmobot/mmobot/internal/mmo"
)

// commit moves the queued replies into the outbox of the transaction:
// each addressed to a chat of one messenger, split to that messenger's
// text limit, placed by priority.
func (r *Request) commit() error {
	// Noted before the messages can go: a delivery count drawn
	// meanwhile must already know what the pressed message shows.
	if err := r.bot.live.pressed(r); err != nil {
		return fmt.Errorf("note the view on the pressed message: %w", err)
	}
	if err := r.leftCheckin(); err != nil {
		return fmt.Errorf("forget the check-in view drawn over: %w", err)
	}
	if err := r.retirePrompts(); err != nil {
		return err
	}
	for _, v := range r.views {
		if err := r.putView(v.key, v.rec); err != nil {
			return err
		}
	}
	if key := r.cardOnPressed(); key != "" && r.Tx.OutboxKeyWaiting(key) {
		// The card drawn on its own message: a drawing of it by its key
		// still waiting (a notice, which this reply goes before) would
		// land after it with what it read earlier. Only then is this a
		// write: a press whose card has nothing waiting is answered at
		// once (see replyOnly).
		if err := r.Tx.DropOutboxKey(key); err != nil {
			return err
		}
	}
	for i := range r.out {
		m := r.out[i]
		if m.TargetKey != "" {
			rec, err := r.Tx.Sent(m.TargetKey)
			if errors.Is(err, mmo.ErrNotFound) {
				continue // nothing to change
			}
			if err != nil {
				return fmt.Errorf("load the view %s: %w", m.TargetKey, err)
			}
			// A newer edit, or a removal, replaces an edit still waiting.
			m.Chat, m.messenger, m.replace = rec.Chat, rec.Messenger, "edit:"+m.TargetKey
			if m.Kind == KindEdit && strings.HasPrefix(m.TargetKey, "card:") && rec.Message != "" {
				if r.Tx.ShowsAnotherCard(m.TargetKey, rec) {
					continue // the message shows another event's card now
				}
				id := messageID(rec.Messenger, rec.Chat, rec.Message)
				// Another view drawn over the card after this edit is
				// queued drops it on delivery; this one clears the mark,
				// so it goes.
				m.UnlessAway = true
				if r.Tx.ViewAway(id) {
					// The card drawn over what the leader had opened on
					// its message (editCard draws it wherever it is): the
					// message shows the card again, and its drawings
					// beside the updates (redraw.go) go on.
					if err := r.Tx.SetViewAway(id, false, r.Now); err != nil {
						return err
					}
				}
			}
		}
		if m.to != 0 {
			u, err := r.userTo(m.to)
			if err != nil {
				return err
			}
			a, ok := u.Reach()
			if !ok {
				r.bot.log.Debug("a message to a user without an account dropped", "user_id", m.to)
				continue
			}
			m.Chat, m.messenger, m.User = a.ChatID(), a.Messenger, u.ID
			if m.Kind == KindMenu && !m.DefaultMenu {
				// What the user was given, for RefreshMenus to compare.
				if err := r.Tx.PutMenuSum(u.ID, menuSum(m.Commands)); err != nil {
					return err
				}
			}
		}
		if m.messenger == "" {
			m.messenger = r.bot.opt.Transports[0].Messenger
		}
		if m.User == 0 && r.Update != nil && r.Update.Private && m.Chat == r.Update.Chat && m.messenger == r.Update.Messenger && r.Known {
			m.User = r.User.ID // a reply in the person's private chat
		}
		for _, row := range m.Buttons {
			for _, btn := range row {
				if err := checkButton(btn); err != nil {
					return err
				}
			}
		}
		for _, part := range r.bot.split(m) {
			id, err := r.enqueue(&part)
			if err != nil {
				return fmt.Errorf("queue a message to chat %d: %w", m.Chat, err)
			}
			if part.Key == "" {
				continue
			}
			rec := &boltdb.SentRecord{Messenger: part.messenger, Chat: part.Chat, Outbox: id, User: part.User}
			if err := r.Tx.PutSent(part.Key, rec); err != nil {
				return fmt.Errorf("record the message %s: %w", part.Key, err)
			}
		}
	}
	return nil
}

// userTo loads the user a message goes to, once per request.
func (r *Request) userTo(uid int64) (*mmo.User, error) {
	if r.User != nil && uid == r.User.ID && r.Known {
		return r.User, nil
	}
	if u := r.recipients[uid]; u != nil {
		return u, nil
	}
	u, err := r.Tx.User(uid)
	if errors.Is(err, mmo.ErrNotFound) {
		return &mmo.User{ID: uid}, nil // gone: nothing to reach
	}
	if err != nil {
		return nil, fmt.Errorf("load user %d: %w", uid, err)
	}
	if r.recipients == nil {
		r.recipients = map[int64]*mmo.User{}
	}
	r.recipients[uid] = u
	return u, nil
}

// cardOnPressed is the outbox key of the edits by the key of the card
// drawn on the pressed message (see drawEventCard), when the card is
// recorded there; "" otherwise.
func (r *Request) cardOnPressed() string {
	if r.cardShown == "" || r.Update == nil || r.Update.Press == nil {
		return ""
	}
	rec, err := r.Tx.Sent(r.cardShown)
	if err != nil || !r.onPressed(rec) {
		return ""
	}
	return "edit:" + r.cardShown
}

// split cuts a text message too long for its messenger into parts at
// paragraph boundaries; the buttons go with the last part, and so does
// the count of a broadcast.
func (b *Engine) split(m Message) []Message {
	if m.Kind != KindSend {
		return []Message{m}
	}
	parts := splitText(m.Text, b.transport(m.messenger).MaxText)
	if len(parts) == 1 {
		return []Message{m}
	}
	out := make([]Message, len(parts))
	for i, p := range parts {
		out[i] = m
		out[i].Text = p
		if i < len(parts)-1 {
			// The last part carries the buttons, the count of a
			// broadcast and the key: it is what a later edit changes.
			out[i].Buttons = nil
			out[i].broadcast = 0
			out[i].Key = ""
		}
	}
	return out
}

// enqueue writes one message into the outbox and returns its item id.
// While collecting (see replyOnly), a reply in the update's chat is kept
// instead, with id 0, and any other message is a write.
func (r *Request) enqueue(m *Message) (uint64, error) {
	if r.collecting {
		// Text only: a file's upload may take long, which the update's
		// worker must not wait for (see outbox.Dispatcher.SendNow).
		if m.replace != "" || m.broadcast != 0 || m.Chat != r.Update.Chat || m.messenger != r.Update.Messenger ||
			r.priority(m) != boltdb.PriorityReply || (m.Kind != KindSend && m.Kind != KindEdit) {
			return 0, errWrites
		}
		r.collected = append(r.collected, *m)
		return 0, nil
	}
	data, err := boltdb.Marshal(m)
	if err != nil {
		return 0, err
	}
	it := &boltdb.OutboxItem{Messenger: m.messenger, ChatID: m.Chat, Payload: data, Broadcast: m.broadcast, Key: m.replace, Priority: r.priority(m)}
	if err := r.Tx.Enqueue(it); err != nil {
		return 0, err
	}
	return it.ID, nil
}

// priority places a message in the outbox: what answers the user who
// caused the update goes first, then news for others, then broadcasts;
// menus go on their own lane.
func (r *Request) priority(m *Message) boltdb.Priority {
	switch {
	case m.Kind == KindMenu:
		return boltdb.PriorityMenu
	case m.bulk || m.broadcast != 0:
		return boltdb.PriorityBulk
	case r.Update != nil && r.Update.Chat != 0 && m.Chat == r.Update.Chat:
		return boltdb.PriorityReply
	}
	return boltdb.PriorityNotice
}
