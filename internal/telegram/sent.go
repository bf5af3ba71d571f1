package telegram

import (
	"encoding/json"
	"errors"
	"strconv"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/mmobot/mmobot/internal/boltdb"
	"github.com/mmobot/mmobot/internal/mmo"
)

// resolve finds the message an edit by key changes (see chat.Message),
// and reports whether the edit goes now. While the message's own send
// still waits in the outbox (queued at a lower priority, it was behind
// the edit in their chat's line), the edit takes the lowest priority,
// which puts it behind the send, queued before it; an edit of a message
// never sent, or of a view since opened in another chat, is dropped.
func (d *dispatcher) resolve(p *pending, m *item) bool {
	rec, err := d.db.Sent(m.TargetKey)
	switch {
	case errors.Is(err, mmo.ErrNotFound):
	case err != nil:
		d.log.Error("outbox: read the message to edit", "id", p.ID, "chat_id", p.ChatID, "error", err)
		p.NotBefore = time.Now().Add(5 * time.Second)
		d.requeue(p)
		return false
	case rec.Chat != p.ChatID || rec.Messenger != Messenger:
	case rec.Message != "":
		m.Target = rec.Message
		return true
	case rec.Outbox != 0:
		if pending, err := d.db.OutboxPayload(rec.Outbox); err == nil && pending != nil && rec.Outbox < p.ID {
			p.Priority = boltdb.PriorityBulk
			d.requeue(p)
			return false
		}
	}
	d.log.Debug("outbox: an edit of a message not on record dropped", "chat_id", p.ChatID)
	d.done(p, boltdb.Failed)
	return false
}

// record writes down the id of a message sent under a key, so that edits
// by the key find it.
func (d *dispatcher) record(p *pending, m *item, resp *tgbotapi.APIResponse) {
	var sent tgbotapi.Message
	if resp == nil || json.Unmarshal(resp.Result, &sent) != nil || sent.MessageID == 0 {
		d.log.Error("outbox: no message id in the answer to a send", "chat_id", p.ChatID)
		return
	}
	if err := d.db.SentDelivered(m.Key, p.ID, strconv.Itoa(sent.MessageID)); err != nil {
		d.log.Error("outbox: record a sent message", "chat_id", p.ChatID, "error", err)
	}
}
