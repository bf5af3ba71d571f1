package chat

// Views redrawn beside the updates. A leader's card of an event names
// everyone who answered and counts everyone who did not: drawing it reads
// the association's members, and their answers, thousands of records in
// a large association (5,000 members: 12–21 ms, and over 100 ms with a
// cold page cache). A member's answer writes one record; drawing the card in
// its transaction held every other write of the bot that long for each
// answer. The handler now asks for the card to be redrawn beside the
// update (Request.redrawBeside): once the update has committed, the card
// is drawn in a read transaction of its own, and only its edit is
// written.
//
// A view is redrawn by one goroutine at a time, and asked for again while
// it runs it is drawn once more after it, so the last drawing reads the
// last change committed, and a flurry of answers costs a few drawings, not
// one each. A redraw the store refuses, or one a stop cuts, leaves the
// view as it was until the next change or the leader's «Обновить».

import (
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/mmobot/mmobot/internal/boltdb"
	"github.com/mmobot/mmobot/internal/mmo"
)

// redraw is a kept view to draw anew beside an update: its key among the
// kept messages (see remember) and how to draw it, as v sees it, from the
// store as q reads it (a read transaction). A draw that finds nothing to
// show (the event is gone) reports ok false.
type redraw struct {
	key  string
	draw func(q *Request, v viewer) (text string, kb [][]Button, ok bool, err error)
	// notOverAway leaves the view alone while its message shows another
	// one the leader opened on it (see refreshLeaderCard).
	notOverAway bool
	// refused, if set, is told that the store refused the edit's write
	// (boltdb.ErrUnwritable), for the caller to try again later.
	refused func()
}

// redrawBeside asks for the view of d to be drawn anew once r's update
// has committed (see redraws).
func (r *Request) redrawBeside(d redraw) {
	if !slices.ContainsFunc(r.redraws, func(x redraw) bool { return x.key == d.key }) {
		r.redraws = append(r.redraws, d)
	}
}

// and is one redraw of the view for two that asked for it: drawn over
// another view if either would be, and telling both of a refusal.
func (d redraw) and(o redraw) redraw {
	d.notOverAway = d.notOverAway && o.notOverAway
	if r1, r2 := d.refused, o.refused; r1 != nil && r2 != nil {
		d.refused = func() { r1(); r2() }
	} else if r2 != nil {
		d.refused = r2
	}
	return d
}

// redraws are the views being drawn beside the updates, by key; again
// marks those asked for again while being drawn.
type redraws struct {
	mu      sync.Mutex
	running map[string]bool
	again   map[string]redraw
}

// startRedraws runs the redraws a handled update asked for, each beside it,
// unless one of the same view is running: that one then draws it again
// when it is done.
func (b *Engine) startRedraws(ds []redraw) {
	for _, d := range ds {
		rs := &b.redraws
		rs.mu.Lock()
		if rs.running[d.key] {
			if prev, ok := rs.again[d.key]; ok {
				d = prev.and(d)
			}
			rs.again[d.key] = d
			rs.mu.Unlock()
			continue
		}
		rs.running[d.key] = true
		rs.mu.Unlock()
		b.follow.Add(1)
		go func() {
			defer b.follow.Done()
			for {
				if b.stopping.Load() {
					b.log.Warn("a view's redraw cut by a stop", "view", d.key)
				} else if err := unpanicked(func() error { return b.redrawView(d) }); err != nil {
					b.log.Error("redraw a view", "view", d.key, "error", err)
				}
				rs.mu.Lock()
				next, ok := rs.again[d.key]
				delete(rs.again, d.key)
				if !ok {
					delete(rs.running, d.key)
					rs.mu.Unlock()
					return
				}
				rs.mu.Unlock()
				d = next
			}
		}()
	}
}

// redrawView draws the view of d in a read transaction and queues the
// edit, by the view's key as the handlers do, in a write transaction of
// its own, if the record of the message that shows it is still the one it
// was drawn for.
func (b *Engine) redrawView(d redraw) error {
	var rec *boltdb.SentRecord
	var text string
	var kb [][]Button
	shown := false
	if err := b.db.View(func(tx *boltdb.Tx) error {
		q := b.systemRequest(tx)
		var err error
		if rec, err = tx.Sent(d.key); err != nil || d.notOverAway && isAway(tx, rec) {
			return ignoreGone(err)
		}
		u, err := tx.User(rec.User)
		if err != nil {
			return ignoreGone(err) // whoever opened the view is gone
		}
		text, kb, shown, err = d.draw(q, viewer{u, q.locOf(u), rec.Messenger})
		return ignoreGone(err)
	}); err != nil || !shown {
		return err
	}
	queued := false
	err := b.db.Update(func(tx *boltdb.Tx) error {
		now, err := tx.Sent(d.key)
		if err != nil || now.Chat != rec.Chat || now.Message != rec.Message || now.Messenger != rec.Messenger ||
			d.notOverAway && isAway(tx, now) {
			return ignoreGone(err) // opened elsewhere since, forgotten, or drawn over
		}
		q := b.systemRequest(tx)
		q.EditKept(d.key, text, kb...)
		queued = len(q.out) > 0
		return q.commit()
	})
	if errors.Is(err, boltdb.ErrUnwritable) && d.refused != nil {
		d.refused()
	}
	if err != nil {
		return fmt.Errorf("queue the edit: %w", err)
	}
	if queued {
		b.wake()
	}
	return nil
}

// eventCardRedraw is the redraw of the leader's card of the event id,
// over another view opened on its message or not.
func (b *Engine) eventCardRedraw(id uint64, notOverAway bool) redraw {
	return redraw{key: cardKeyOf(id), notOverAway: notOverAway, draw: func(q *Request, v viewer) (string, [][]Button, bool, error) {
		e, a, err := eventOf(q.Tx, id)
		if err != nil {
			return "", nil, false, err
		}
		ev, err := b.eventView(q, e, a)
		if err != nil {
			return "", nil, false, err
		}
		text, kb := b.leaderCard(v, ev, e.CheckinOpen(q.Now), q.Now)
		return text, kb, true, nil
	}}
}

// checkinCardRedraw is the redraw of the leader's check-in view of the
// event id.
func (b *Engine) checkinCardRedraw(id uint64) redraw {
	return redraw{key: checkinKeyOf(id), draw: func(q *Request, v viewer) (string, [][]Button, bool, error) {
		e, a, err := eventOf(q.Tx, id)
		if err != nil {
			return "", nil, false, err
		}
		text, kb, err := b.checkinCard(q, v, e, a)
		return text, kb, err == nil, err
	}}
}

// eventOf reads the event id and its association.
func eventOf(tx *boltdb.Tx, id uint64) (*mmo.Event, *mmo.Association, error) {
	e, err := tx.Event(id)
	if err != nil {
		return nil, nil, err
	}
	a, err := tx.Association(e.AssociationID)
	if err != nil {
		return nil, nil, err
	}
	return e, a, nil
}
