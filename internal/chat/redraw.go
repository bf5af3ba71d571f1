package chat

// Views redrawn beside the updates. A leader's card of an event names
// everyone who answered and counts everyone who did not, and who checked
// in; the check-in view lists everyone marked: drawing either reads the
// association's members with their answers and marks, thousands of
// records in a large association (5,000 members: 11–14 ms, 97 ms with a
// cold page cache; mmobench all -only answer). A member's answer or
// check-in, a leader's mark by hand, writes one record; drawing the views
// in its transaction held every other write of the bot that long for
// each of them. The handler now asks for the view to be drawn beside the
// update (Request.redrawCard, Request.redrawCheckin): once the update has
// committed, the view is drawn in a read transaction of its own, and only
// its edit is written.
//
// A view of an event is drawn by one goroutine at a time, and asked for
// again while it is being drawn it is drawn once more after it: each
// change's drawing starts after the change committed, so the last drawing
// reads the last change. What changes a view in the updates' own
// transactions — the leader cancels or changes the event, check-in opens
// or closes, another view is opened over the view's message — changes the
// event, the view's record or its message's marks; a drawing whose event
// or view changed between its read and its write is not written, and is
// drawn again, unless the view is no longer open there (its record
// forgotten, its message marked as showing something else). A drawing the
// store refuses, or one a stop cuts, leaves the view as it was until the
// next change or the leader's «Обновить».

import (
	"errors"
	"fmt"
	"reflect"
	"sync"

	"github.com/mmobot/mmobot/internal/boltdb"
	"github.com/mmobot/mmobot/internal/mmo"
)

// cardRedraw is a leader's view of an event to draw anew beside an
// update: its card, or its check-in view when checkin is set; refused,
// if set, is told that the store refused the edit's write
// (boltdb.ErrUnwritable) or that a stop cut the drawing, for the caller
// to have it drawn later.
type cardRedraw struct {
	viewOf
	refused func()
}

// viewOf names a leader's view of an event: its card, or its check-in
// view.
type viewOf struct {
	event   uint64
	checkin bool
}

// key is the view's key among the messages the bot keeps a handle on.
func (v viewOf) key() string {
	if v.checkin {
		return checkinKeyOf(v.event)
	}
	return cardKeyOf(v.event)
}

// redrawCard asks for the leader's card of the event id to be drawn anew
// once r's update has committed (see cardRedraws).
func (r *Request) redrawCard(id uint64) { r.redraw(viewOf{event: id}) }

// redrawCheckin asks for the leader's check-in view of the event id,
// where it is open, to be drawn anew once r's update has committed.
func (r *Request) redrawCheckin(id uint64) { r.redraw(viewOf{event: id, checkin: true}) }

func (r *Request) redraw(v viewOf) {
	for _, d := range r.redraws {
		if d.viewOf == v {
			return
		}
	}
	r.redraws = append(r.redraws, cardRedraw{viewOf: v})
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

// cardRedraws are the views being drawn beside the updates; again holds
// those asked for again meanwhile.
type cardRedraws struct {
	mu      sync.Mutex
	running map[viewOf]bool
	again   map[viewOf]cardRedraw
}

// maxRedrawTries bounds the drawings of a view whose event changes under
// each of them.
const maxRedrawTries = 5

// startRedraws runs the drawings a handled update asked for, each beside
// it, unless one of the same view is running: that one then draws it
// again when it is done.
func (b *Engine) startRedraws(ds []cardRedraw) {
	rs := &b.redraws
	for _, d := range ds {
		rs.mu.Lock()
		if rs.running[d.viewOf] {
			if prev, ok := rs.again[d.viewOf]; ok {
				d = prev.and(d)
			}
			rs.again[d.viewOf] = d
			rs.mu.Unlock()
			continue
		}
		rs.running[d.viewOf] = true
		rs.mu.Unlock()
		b.follow.Add(1)
		go func() {
			defer b.follow.Done()
			for {
				b.redrawLoop(d)
				rs.mu.Lock()
				next, ok := rs.again[d.viewOf]
				delete(rs.again, d.viewOf)
				if !ok {
					delete(rs.running, d.viewOf)
					rs.mu.Unlock()
					return
				}
				rs.mu.Unlock()
				d = next
			}
		}()
	}
}

// redrawLoop draws the view of d until a drawing is written, or is not
// needed, or fails.
func (b *Engine) redrawLoop(d cardRedraw) {
	for try := 1; ; try++ {
		if b.stopping.Load() {
			b.log.Warn("a view's drawing cut by a stop", "event", d.event, "checkin", d.checkin)
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
			b.log.Error("draw a leader's view", "event", d.event, "checkin", d.checkin, "error", err)
		}
		if !stale || err != nil {
			return
		}
		if try == maxRedrawTries {
			b.log.Warn("a leader's view changed under each drawing; left to the next change", "event", d.event, "checkin", d.checkin, "tries", try)
			return
		}
	}
}

// redrawCardOnce draws the view of d in a read transaction and queues its
// edit, by the view's key as the handlers do, in a write transaction of
// its own. It reports stale, writing nothing, when between the two the
// event or the view's record changed (the view opened anew, perhaps on
// another message), to be drawn again; it writes nothing either, and is
// not stale, when the view is no longer open: no record (the check-in
// view's is forgotten when something is drawn over it, see leftCheckin),
// or, for the card, a mark on its message (see liveCounts.pressed).
func (b *Engine) redrawCardOnce(d cardRedraw) (stale bool, err error) {
	key := d.key()
	// The card's message is marked when it shows something else; the
	// check-in view is drawn over the card's message, which marks it so,
	// and its own record is forgotten instead when it is drawn over.
	away := func(tx *boltdb.Tx, rec *boltdb.SentRecord) bool { return !d.checkin && tx.CardElsewhere(key, rec) }
	var rec *boltdb.SentRecord
	var read *mmo.Event
	var text string
	var kb [][]Button
	if err := b.db.View(func(tx *boltdb.Tx) error {
		q := b.systemRequest(tx)
		var err error
		if rec, err = tx.Sent(key); err != nil || away(tx, rec) {
			return ignoreGone(err) // no view open, or the leader is doing something else on it
		}
		u, err := tx.User(rec.User)
		if err != nil {
			return ignoreGone(err) // whoever opened the view is gone
		}
		e, err := tx.Event(d.event)
		if err != nil {
			return ignoreGone(err)
		}
		a, err := tx.Association(e.AssociationID)
		if err != nil {
			return err
		}
		who := viewer{u, q.locOf(u), rec.Messenger}
		if d.checkin {
			if text, kb, err = b.checkinCard(q, who, e, a); err != nil {
				return err
			}
		} else {
			v, err := b.eventView(q, e, a)
			if err != nil {
				return err
			}
			text, kb = b.leaderCard(who, v, e.CheckinOpen(q.Now), q.Now)
		}
		read = e
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
		if !sameRecord(now, rec) || away(tx, now) || !reflect.DeepEqual(e, read) {
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
