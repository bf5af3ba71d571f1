package chat

// The live delivery count. The leader's card of a meeting shows how its
// announcement (or the latest change notice) is being delivered:
// «доставлено N из M». A transport tells the engine, through Delivered,
// each time an item of a broadcast left the outbox; the card is then
// edited in place where it is open, at most once per liveEvery by the
// bot's clock, and once more when nobody is left to deliver to. The
// deliveries that fell inside the interval are shown by the next edit,
// or by the due scan (flushLive) once the interval is over, so the count
// is never behind for long and a broadcast to a hundred members costs
// the leader's chat a few edits, not a hundred. The card is edited by
// its key, so a check-in view opened on its message (which forgets the
// card's record, see rememberView) is never drawn over. What must
// survive a restart — the messages showing another view than their card,
// which event's card a message shows (the leader may open another event's
// card on the message, from the list of events drawn over the first), the
// counts behind — is kept in the store (boltdb/live.go).

import (
	"errors"
	"sync"
	"time"

	"github.com/mmobot/mmobot/internal/boltdb"
	"github.com/mmobot/mmobot/internal/mmo"
)

// liveEvery is the least time between two edits of a card for its
// delivery count, the last one excepted (Options.LiveEvery).
const liveEvery = 5 * time.Second

// liveCounts is what the engine remembers of the counts it shows. The
// maps pace the drawing; the counts behind are also in the store, where
// a restarted engine finds them (loadBehind). The pressed messages that
// show another view now than the card they showed (an edit form, a
// confirmation, the minutes) are in the store only: a count is not drawn
// over them, before a restart or after.
type liveCounts struct {
	mu     sync.Mutex
	drawn  map[uint64]time.Time // broadcast → when its count was last drawn
	dirty  map[uint64]bool      // broadcasts with deliveries not drawn yet
	final  map[uint64]bool      // broadcasts whose complete count was drawn
	loaded bool                 // the counts behind were read from the store
}

// messageID names a message in a messenger's chat.
func messageID(messenger string, chat int64, message string) string {
	return boltdb.ViewID(messenger, chat, message)
}

// drawEventCard draws the leader's card of the event id in place of the
// pressed message, which shows that card from then on; where the card is
// recorded on that message, a drawing of it by its key still waiting in
// the outbox is dropped (see Request.commit).
func (r *Request) drawEventCard(id uint64, text string, kb [][]Button) {
	r.Edit(text, kb...)
	r.cardShown = cardKeyOf(id)
}

// pressed notes, in the update's transaction, what a handled press left
// on its message: the card, or another view drawn over it.
func (l *liveCounts) pressed(r *Request) error {
	if r.Update == nil || r.Update.Press == nil || r.Update.Press.Message == "" {
		return nil
	}
	p := r.Update.Press
	edited := false
	for _, m := range r.out {
		if m.Kind == KindEdit && m.TargetKey == "" && m.Target == p.Message {
			edited = true
		}
	}
	if !edited {
		return nil
	}
	id := messageID(r.Update.Messenger, r.Update.Chat, p.Message)
	if r.cardShown != "" {
		if r.Tx.ViewShows(id) != r.cardShown {
			// Which card: another one's record may still name the
			// message (opened here before, from the list drawn over it).
			if err := r.Tx.SetViewShows(id, r.cardShown, r.Now); err != nil {
				return err
			}
		}
		if !r.Tx.ViewAway(id) {
			return nil // the common case writes nothing more
		}
		return r.Tx.SetViewAway(id, false, r.Now)
	}
	if r.Tx.ViewAway(id) {
		// Marked already: the mark keeps when the card was drawn
		// over, which is what the purge goes by. Another view drawn
		// over it writes nothing, so its reply may go at once.
		return nil
	}
	return r.Tx.SetViewAway(id, true, r.Now)
}

// onPressed reports whether rec names the pressed message.
func (r *Request) onPressed(rec *boltdb.SentRecord) bool {
	p := r.Update.Press
	return p != nil && p.Message != "" && rec.Messenger == r.Update.Messenger && rec.Chat == r.Update.Chat && rec.Message == p.Message
}

// loadBehind reads, once, the counts a previous run left behind, so that
// the due scan draws them.
func (b *Engine) loadBehind() {
	l := &b.live
	l.mu.Lock()
	loaded := l.loaded
	l.mu.Unlock()
	if loaded {
		return
	}
	var behind map[uint64]time.Time
	if err := b.db.View(func(tx *boltdb.Tx) error {
		behind = tx.CountsBehind()
		return nil
	}); err != nil {
		b.log.Error("read the delivery counts behind", "error", err)
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.loaded {
		return
	}
	l.loaded = true
	for id, at := range behind {
		if !l.dirty[id] {
			l.dirty[id] = true
			l.drawn[id] = at
		}
	}
}

// noteBehind keeps in the store that the count of id, drawn at drawn,
// is behind, for the scan of a restarted engine.
func (b *Engine) noteBehind(id uint64, drawn time.Time) {
	if err := b.db.Update(func(tx *boltdb.Tx) error { return tx.SetCountBehind(id, drawn) }); err != nil {
		b.log.Warn("note a delivery count behind", "broadcast", id, "error", err)
	}
}

// counted reports whether a broadcast of kind is counted on a card.
func counted(kind string) bool { return kind == "announce" || kind == "change" }

// Delivered is told by a transport that an item of the broadcast id left
// the outbox (its outcome counted); the card that shows its count is
// edited when it is due (see liveCounts).
func (b *Engine) Delivered(id uint64) {
	if b.opt.LiveEvery < 0 {
		return
	}
	var bc *boltdb.Broadcast
	if err := b.db.View(func(tx *boltdb.Tx) error {
		var err error
		bc, err = tx.Broadcast(id)
		return err
	}); err != nil {
		if !errors.Is(err, mmo.ErrNotFound) {
			b.log.Error("read a broadcast", "broadcast", id, "error", err)
		}
		return
	}
	if !counted(bc.Kind) {
		return
	}
	now := b.now()
	complete := bc.Pending() <= 0
	l := &b.live
	l.mu.Lock()
	last, ok := l.drawn[id]
	if !ok {
		last = bc.CreatedAt // the card drawn as the broadcast was queued
	}
	draw, behind := false, false
	switch {
	case l.final[id]:
	case complete:
		draw = true
		l.final[id] = true
		delete(l.dirty, id)
		delete(l.drawn, id)
	case now.Sub(last) >= b.opt.LiveEvery:
		draw = true
		l.drawn[id] = now
		delete(l.dirty, id)
	default:
		behind = !l.dirty[id] // noted once, not at every delivery
		l.dirty[id] = true
		l.drawn[id] = last // for flushLive, which knows no broadcast's time
	}
	l.mu.Unlock()
	if behind {
		b.noteBehind(id, last)
	}
	if draw {
		b.drawCount(id)
	}
}

// flushLive draws the counts that fell behind and whose interval is
// over; the due scan calls it. It reports whether it asked for a card to
// be drawn (beside the scan, see redraw.go).
func (b *Engine) flushLive(now time.Time) bool {
	if b.opt.LiveEvery < 0 {
		return false
	}
	b.loadBehind()
	l := &b.live
	l.mu.Lock()
	var due []uint64
	for id := range l.dirty {
		if now.Sub(l.drawn[id]) >= b.opt.LiveEvery {
			due = append(due, id)
			delete(l.dirty, id)
			l.drawn[id] = now
		}
	}
	l.mu.Unlock()
	queued := false
	for _, id := range due {
		if b.drawCount(id) {
			queued = true
		}
	}
	return queued
}

// drawCount has the card that shows the count of the broadcast id drawn
// anew beside the caller, if one is open (see redraw.go); it reports
// whether it asked for it. A store that refuses the writes leaves the
// count to the next delivery or scan.
func (b *Engine) drawCount(id uint64) bool {
	var card uint64
	err := b.db.Update(func(tx *boltdb.Tx) error {
		card = 0
		// Drawn now, or never: a purged broadcast or event has no card.
		if err := tx.CountDrawn(id); err != nil {
			return err
		}
		bc, err := tx.Broadcast(id)
		if err != nil {
			return ignoreGone(err)
		}
		e, err := tx.Event(bc.EventID)
		if err != nil {
			return ignoreGone(err)
		}
		if e.Announcement != bc.ID || e.State != mmo.EventPublished {
			return nil // a later broadcast took its place on the card
		}
		rec, err := tx.Sent(cardKey(e))
		if err != nil || tx.CardElsewhere(cardKey(e), rec) {
			return ignoreGone(err) // no card open, or the leader is doing something else on it
		}
		card = e.ID
		return nil
	})
	switch {
	case errors.Is(err, boltdb.ErrUnwritable):
		b.markBehind(id)
		return false
	case err != nil:
		b.log.Error("draw a delivery count", "broadcast", id, "error", err)
		return false
	case card == 0:
		return false
	}
	// Not drawn after all (the store refused the edit, or a stop cut
	// it): behind again, in the store too, for the next scan or start.
	behind := func() {
		b.markBehind(id)
		b.noteBehind(id, time.Time{})
	}
	b.startRedraws([]cardRedraw{{viewOf: viewOf{event: card}, refused: behind}})
	return true
}

// markBehind notes that the count of id is not drawn yet, for the next
// scan.
func (b *Engine) markBehind(id uint64) {
	l := &b.live
	l.mu.Lock()
	l.dirty[id] = true
	delete(l.final, id)
	l.mu.Unlock()
}
