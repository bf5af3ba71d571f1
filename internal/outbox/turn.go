package outbox

import (
	"context"
	"sync"
	"time"
)

// Pacer keeps a rate over all chats: a turn is booked for each message
// as it is picked, and used or given back.
type Pacer interface {
	// Book takes the next turn and returns its time.
	Book(now time.Time) time.Time
	// Cancel gives back a turn booked at at and not used.
	Cancel(at time.Time)
	// Went records that a message whose turn came goes on the wire now.
	Went(now time.Time)
	// Interval is the mean spacing of turns at the full rate.
	Interval() time.Duration
}

// bookAhead bounds how far ahead turns within the overall rate are
// booked: a reply picked now waits for the turns booked before it. At
// the messengers' rates that is one turn: the next message is picked as
// the one before goes on the wire, and is loaded while its turn comes.
// Only far higher rates (a local Bot API server, benchmarks) book
// several, so loading messages does not bound the rate.
const bookAhead = 5 * time.Millisecond

// Turn is a message's booked place within the overall rate. Its methods
// do nothing on a nil Turn (no Pacer, or a menu).
type Turn struct {
	pace    Pacer
	at      time.Time
	booked  bool   // holds a turn of pace
	sending bool   // the turn was used
	release func() // frees the place among those booked ahead
}

// book books a turn now; release frees its place among those booked
// ahead, once.
func (d *Dispatcher[M]) book(release func()) *Turn {
	p := d.cfg.Pacer
	return &Turn{pace: p, at: p.Book(time.Now()), booked: true, release: sync.OnceFunc(release)}
}

// Return gives the turn back while the transport does something slow
// (fetching files), so that the other chats' messages keep going; Wait
// books a new one.
func (t *Turn) Return() {
	if t == nil || !t.booked {
		return
	}
	t.pace.Cancel(t.at)
	t.booked = false
	t.release()
}

// Wait waits for the time of the turn (booking one if it was given
// back), so that messages reach the messenger as evenly spaced as their
// turns, and marks it used.
func (t *Turn) Wait(ctx context.Context) error {
	if t == nil {
		return nil
	}
	if !t.booked {
		t.at, t.booked = t.pace.Book(time.Now()), true
	}
	if wait := time.Until(t.at); wait > 0 {
		timer := time.NewTimer(wait)
		defer timer.Stop()
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-timer.C:
		}
	}
	t.sending = true
	t.pace.Went(time.Now())
	t.release()
	return nil
}

// end gives back a turn not used.
func (t *Turn) end() {
	if t == nil {
		return
	}
	if t.booked && !t.sending {
		t.pace.Cancel(t.at)
	}
	t.release()
}

// resetTimer makes a timer, fired or not, fire after wait.
func resetTimer(timer *time.Timer, wait time.Duration) {
	if !timer.Stop() {
		select {
		case <-timer.C:
		default:
		}
	}
	timer.Reset(wait)
}
