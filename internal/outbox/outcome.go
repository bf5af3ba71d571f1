package outbox

import (
	"errors"
	"time"

	"github.com/mmobot/mmobot/internal/boltdb"
	"github.com/mmobot/mmobot/internal/chat"
	"github.com/mmobot/mmobot/internal/mmo"
)

// How an item ends: the edit's target resolved, the outcome of an
// attempt sorted, retried, set aside or recorded as done.

// resolve finds the message an edit by key changes (see chat.Message),
// and reports whether the edit goes now. While the message's own send
// still waits in the outbox (queued at a lower priority, it was behind
// the edit in their chat's line), the edit takes the lowest priority,
// which puts it behind the send, queued before it; an edit of a message
// never sent, or of a view since opened in another chat, is dropped.
func (d *Dispatcher[M]) resolve(p *pending, m *chat.Message) bool {
	rec, err := d.db.Sent(m.TargetKey)
	switch {
	case errors.Is(err, mmo.ErrNotFound):
	case err != nil:
		d.log.Error("outbox: read the message to edit", "id", p.ID, "chat_id", p.ChatID, "error", err)
		p.NotBefore = time.Now().Add(5 * time.Second)
		d.requeue(p)
		return false
	case rec.Chat != p.ChatID || rec.Messenger != d.cfg.Messenger:
	case rec.Message != "" && m.UnlessAway && d.showsOther(m.TargetKey, rec):
		d.log.Debug("outbox: an edit of a card drawn over since dropped", "chat_id", p.ChatID)
		d.done(p, boltdb.Sent)
		return false
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

// showsOther reports whether the message of rec shows something else now
// than the card recorded on it under key (boltdb.DB.CardElsewhere); a
// failed read says no, for the edit to go as it did before the marks.
func (d *Dispatcher[M]) showsOther(key string, rec *boltdb.SentRecord) bool {
	elsewhere, err := d.db.CardElsewhere(key, rec)
	return err == nil && elsewhere
}

// outcome records how an attempt ended.
func (d *Dispatcher[M]) outcome(p *pending, m *chat.Message, err error) {
	if err == nil {
		if d.cfg.OnSent != nil {
			d.cfg.OnSent(p.Priority)
		}
		d.done(p, boltdb.Sent)
		return
	}
	switch d.tr.Classify(err) {
	case Blocked:
		d.blocked(p.ChatID, m.User)
		d.done(p, boltdb.Blocked)
	case TooMany:
		// The transport holds back what the 429 concerns for as long as
		// the messenger asked; the item waits its turn again.
		p.tooMany++
		if p.tooMany > d.cfg.TooMany {
			d.setAside(p, m, err)
			return
		}
		d.requeue(p)
	case Transient:
		now := time.Now()
		if p.FailedAt.IsZero() {
			p.FailedAt = now
		}
		p.Attempts++
		policy := d.MsgRetry
		if d.onMenuLane(p) {
			policy = d.MenuRetry
		}
		wait := policy.Delay(p.Attempts)
		at := now.Add(wait)
		if at.Sub(p.FailedAt) > policy.Budget {
			d.setAside(p, m, err)
			return
		}
		d.log.Warn("outbox: send failed, will retry", d.attrs(err, "chat_id", p.ChatID,
			"attempt", p.Attempts, "retry_in", wait.String(), "error", err)...)
		d.recordRetry(p, at)
		p.NotBefore = at
		d.requeue(p)
	default:
		d.dropRefused(p.ChatID, err)
		d.done(p, boltdb.Failed)
	}
}

// blocked notes that the person of chatID (user, 0 if unknown) stopped
// the bot.
func (d *Dispatcher[M]) blocked(chatID, user int64) {
	d.log.Info("outbox: user blocked the bot", "chat_id", chatID)
	if d.cfg.OnBlocked != nil {
		d.cfg.OnBlocked(chatID, user)
	}
}

// dropRefused logs a message the messenger refused for good, which is dropped.
func (d *Dispatcher[M]) dropRefused(chatID int64, err error) {
	d.log.Error("outbox: refused by "+d.cfg.Messenger+", dropped", d.attrs(err, "chat_id", chatID, "error", err)...)
}

// attrs puts the attributes of a failed send before the others.
func (d *Dispatcher[M]) attrs(err error, others ...any) []any {
	if d.cfg.ErrorAttrs == nil {
		return others
	}
	return append(d.cfg.ErrorAttrs(err), others...)
}

// recordRetry stores a failed attempt so that a restart keeps its count
// and its wait. The retry itself is kept in memory whatever the store
// says; a store that refuses writes (a full disk) is logged once for the
// whole outage, not once per attempt of every item, and its end once.
func (d *Dispatcher[M]) recordRetry(p *pending, at time.Time) {
	err := d.db.OutboxRetry(p.ID, p.Attempts, at, p.FailedAt)
	d.mu.Lock()
	first := err != nil && errors.Is(err, boltdb.ErrUnwritable) && !d.retryRefused
	recovered := err == nil && d.retryRefused
	if first {
		d.retryRefused = true
	}
	if recovered {
		d.retryRefused = false
	}
	d.mu.Unlock()
	switch {
	case first:
		d.log.Error("outbox: failed attempts cannot be recorded in the database; they are retried from memory "+
			"(a restart meanwhile counts them afresh)", "error", err)
	case recovered:
		d.log.Info("outbox: failed attempts are recorded again")
	case err != nil && !errors.Is(err, boltdb.ErrUnwritable):
		d.log.Error("outbox: record retry", "id", p.ID, "error", err)
	}
}

// setAside gives up an item that kept failing, so what its chat has
// after it goes on; a person whose file it was is told to try again.
func (d *Dispatcher[M]) setAside(p *pending, m *chat.Message, err error) {
	d.log.Error("outbox: send kept failing, set aside", d.attrs(err, "chat_id", p.ChatID,
		"attempts", p.Attempts+p.tooMany, "error", err)...)
	d.done(p, boltdb.Failed)
	if (m.Kind == chat.KindDocument || m.Kind == chat.KindPhoto) && d.cfg.OnSetAside != nil {
		d.cfg.OnSetAside(p.ChatID, m.User)
	}
}

// done records how an item ended. Its chat goes on at once: what was
// sent is sent, and the store's commit need not hold the next message up.
// The item is forgotten only once it left the store, so a scan meanwhile
// still finds it known and cannot queue it again; if the store refuses
// the removal, the item is held (see recordHeld).
func (d *Dispatcher[M]) done(p *pending, outcome boltdb.Outcome) {
	d.release(p)
	started := time.Now()
	err := d.db.OutboxDone(p.ID, outcome)
	d.mu.Lock()
	if err != nil {
		d.held[p.ID] = outcome
		if p.Broadcast != 0 {
			d.heldOf[p.ID] = p.Broadcast
		}
		logIt := d.refused(started)
		if d.heldNext.IsZero() {
			d.heldNext = time.Now().Add(d.HeldRetry.Delay(1))
		}
		n := len(d.held)
		d.mu.Unlock()
		if logIt {
			d.logRefused(n, err)
		}
		return
	}
	delete(d.known, p.ID)
	d.accepted(started)
	retry := len(d.held) > 0
	if retry {
		// The store takes writes again: the held removals need not wait
		// for their retry.
		d.heldNext = time.Now()
	}
	d.mu.Unlock()
	d.delivered(p.Broadcast)
	if retry {
		d.Notify()
	}
}
