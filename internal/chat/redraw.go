package chat

// Cards redrawn beside the updates. A leader's card of an event names
// everyone who answered and counts everyone who did not, and who checked
// in: drawing it reads the association's members with their answers and
// marks, thousands of records in a large association (5,000 members:
// 11–14 ms, 97 ms with a cold page cache; mmobench all -only answer). A member's answer or
// check-in writes one record; drawing the card in its transaction held
// every other write of the bot that long for each of them. The handler
// now asks for the card to be drawn beside the update
// (Request.redrawCard): once the update has committed, the card is drawn
// in a read transaction of its own, and only its edit is written.
//
// An event's card is drawn by one goroutine at a time, and asked for
// again while it is being drawn it is drawn once more after it: each
// answer's drawing starts after the answer committed, so the last drawing
// reads the last answer. What changes a card in the updates' own
// transactions — the leader cancels or changes the event, check-in opens
// or closes, another view is opened over the card's message — changes the
// event or the view's marks; a drawing whose event or view changed
// between its read and its write is not written, and is drawn again. A
// drawing the store refuses, or one a stop cuts, leaves the card as it
// was until the next change or the leader's «Обновить».

import (
	"errors"
	"fmt"
	"reflect"
	"sync"

	"github.com/mmobot/mmobot/internal/boltdb"
	"github.com/mmobot/mmobot/internal/mmo"
)

// cardRedraw is the leader's card of an event to draw anew beside an
// update; refused, if set, is told that the store refused the edit's
// write (boltdb.ErrUnwritable) or that a stop cut the drawing, for the
// caller to have it drawn later.
type cardRedraw struct {
	event   uint64
	refused func()
}

// redrawCard asks for the leader's card of the event id to be drawn anew
// once r's update has committed (see cardRedraws).
func (r *Request) redrawCard(id uint64) {
	for _, d := range r.redraws {
		if d.event == id {
			return
		}
	}
	r.redraws = append(r.redraws, cardRedraw{event: id})
}

// and is one drawing for two that asked for it: both are told of a
// refusal.
func (d cardRedraw) and(o cardRedraw) cardRedraw {
	if r1, r2 := d.refused, o.refused; r1 != nil && r2 != nil {
		d.refused = func() { r1(); r2() }
	} else if r2 != nil {
		d.refused = r2
	}
	return d
}

// cardRedraws are the cards being drawn beside the updates, by event;
// again holds those asked for again meanwhile.
type cardRedraws struct {
	mu      sync.Mutex
	running map[uint64]bool
	again   map[uint64]cardRedraw
}

// maxRedrawTries bounds the drawings of a card whose event changes under
// each of them.
const maxRedrawTries = 5

// startRedraws runs the drawings a handled update asked for, each beside
// it, unless one of the same card is running: that one then draws it
// again when it is done.
func (b *Engine) startRedraws(ds []cardRedraw) {
	rs := &b.redraws
	for _, d := range ds {
		rs.mu.Lock()
		if rs.running[d.event] {
			if prev, ok := rs.again[d.event]; ok {
				d = prev.and(d)
			}
			rs.again[d.event] = d
			rs.mu.Unlock()
			continue
		}
		rs.running[d.event] = true
		rs.mu.Unlock()
		b.follow.Add(1)
		go func() {
			defer b.follow.Done()
			for {
				b.redrawLoop(d)
				rs.mu.Lock()
				next, ok := rs.again[d.event]
				delete(rs.again, d.event)
				if !ok {
					delete(rs.running, d.event)
					rs.mu.Unlock()
					return
				}
				rs.mu.Unlock()
				d = next
			}
		}()
	}
}

// redrawLoop draws the card of d until a drawing is written, or is not
// needed, or fails.
func (b *Engine) redrawLoop(d cardRedraw) {
	for try := 1; ; try++ {
		if b.stopping.Load() {
			b.log.Warn("a card's drawing cut by a stop", "event", d.event)
			if d.refused != nil {
				d.refused()
			}
			return
		}
		var stale bool
		err := unpanicked(func() (err error) {
			stale, err = b.redrawCardOnce(d)
			return err
		})
		if err != nil {
			b.log.Error("draw a leader's card", "event", d.event, "error", err)
		}
		if !stale || err != nil {
			return
		}
		if try == maxRedrawTries {
			b.log.Warn("a leader's card changed under each drawing; left to the next change", "event", d.event, "tries", try)
			return
		}
	}
}

// redrawCardOnce draws the card of d in a read transaction and queues its
// edit, by the card's key as the handlers do, in a write transaction of
// its own. It reports stale, writing nothing, when between the two the
// event changed or the card's message came to show something else.
func (b *Engine) redrawCardOnce(d cardRedraw) (stale bool, err error) {
	key := cardKeyOf(d.event)
	var rec *boltdb.SentRecord
	var read *mmo.Event
	var text string
	var kb [][]Button
	if err := b.db.View(func(tx *boltdb.Tx) error {
		q := b.systemRequest(tx)
		var err error
		if rec, err = tx.Sent(key); err != nil || isAway(tx, rec) {
			return ignoreGone(err) // no card open, or the leader is doing something else on it
		}
		u, err := tx.User(rec.User)
		if err != nil {
			return ignoreGone(err) // whoever opened the card is gone
		}
		e, err := tx.Event(d.event)
		if err != nil {
			return ignoreGone(err)
		}
		a, err := tx.Association(e.AssociationID)
		if err != nil {
			return err
		}
		v, err := b.eventView(q, e, a)
		if err != nil {
			return err
		}
		read = e
		text, kb = b.leaderCard(viewer{u, q.locOf(u), rec.Messenger}, v, e.CheckinOpen(q.Now), q.Now)
		return nil
	}); err != nil || read == nil {
		return false, err
	}
	if b.testHookRedraw != nil {
		b.testHookRedraw()
	}
	queued := false
	err = b.db.Update(func(tx *boltdb.Tx) error {
		queued, stale = false, false
		now, err := tx.Sent(key)
		if err != nil {
			return ignoreGone(err) // forgotten since
		}
		e, err := tx.Event(d.event)
		if err != nil {
			return ignoreGone(err)
		}
		if !sameRecord(now, rec) || isAway(tx, now) || !reflect.DeepEqual(e, read) {
			stale = true
			return nil
		}
		q := b.systemRequest(tx)
		q.EditKept(key, text, kb...)
		queued = len(q.out) > 0
		return q.commit()
	})
	if errors.Is(err, boltdb.ErrUnwritable) && d.refused != nil {
		d.refused()
	}
	if err != nil {
		return false, fmt.Errorf("queue the edit: %w", err)
	}
	if queued {
		b.wake()
	}
	return stale, nil
}

// sameRecord reports whether two reads of a sent record agree.
func sameRecord(x, y *boltdb.SentRecord) bool {
	return x.Messenger == y.Messenger && x.Chat == y.Chat && x.Message == y.Message &&
		x.Outbox == y.Outbox && x.User == y.User && x.At.Equal(y.At)
}
