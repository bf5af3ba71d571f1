package outbox

import (
	"context"
	"time"

	"github.com/mmobot/mmobot/internal/boltdb"
	"github.com/mmobot/mmobot/internal/chat"
)

// Replies sent at once. The answer to a view someone opens (/help, the
// list of meetings, an event's card) changes nothing in the store, so
// writing it to the outbox, committing, sending and committing its
// removal is two commits (and the wait for them) spent on what a crash
// would only have to answer again: Telegram (or MAX) delivers an update
// again until the bot confirms it, so the update is handled anew, and the
// view drawn again. SendNow sends such a reply straight away, in the
// update's handling, whenever that keeps every rule the queue keeps: the
// chat has nothing queued or in flight (its order holds), it may send now
// (its own rate, a 429's pause) and the overall rate has a turn for it
// within directWait. Whatever does not go (a chat with messages waiting,
// no turn now, a send that failed and is to be retried) is queued by the
// caller the usual way, durably, and the outbox takes over.
//
// The update's worker waits for the send, and the poll loop for its
// batch, so a send that hangs would hold every update behind it: a reply
// sent at once is given DirectTimeout, then cut and left to the outbox
// (which sends it again: a duplicate, if the cut call had arrived), and
// after a cut, a failure or a 429, replies go through the outbox for
// DirectPause, so a messenger that slows down costs one batch a pause,
// not every batch.

// directWait is how long a reply sent at once may wait for its turn
// within the overall rate: one turn at the messengers' rates (33 ms at 30
// a second), which is less than the commit the outbox would cost it.
func (d *Dispatcher[M]) directWait() time.Duration {
	return d.cfg.Pacer.Interval()
}

// SendNow sends msgs, in order, to chatID at once rather than through
// the store (see above). They are the messages of one reply, as the
// outbox would keep them. It returns how many of them are done: sent, or
// ended as the outbox would end them (a person who blocked the bot, a
// message the messenger refuses for good); the caller queues the rest,
// from the first not done.
func (d *Dispatcher[M]) SendNow(ctx context.Context, chatID int64, msgs []chat.Message) int {
	// What was committed before (the reply to the chat's update before
	// this one, what the last start left) must be in the queue for claim
	// to see it: the dispatcher's own loop reads the store only when it
	// gets round to it.
	d.scan(false)
	for i := range msgs {
		t, ok := d.claim(chatID)
		if !ok {
			return i
		}
		m := &msgs[i]
		sendCtx, cancel := context.WithTimeout(ctx, d.DirectTimeout)
		_, err := d.tr.Send(sendCtx, chatID, d.tr.Wrap(m), t)
		cut := sendCtx.Err() != nil
		cancel()
		d.unclaim(chatID, t)
		if err == nil {
			if d.cfg.OnSent != nil {
				d.cfg.OnSent(boltdb.PriorityReply)
			}
			continue
		}
		if ctx.Err() != nil {
			return i // cut by a stop: the outbox sends it after the restart
		}
		class := d.tr.Classify(err)
		if cut {
			class = Transient
		}
		switch class {
		case Blocked:
			d.blocked(chatID, m.User)
			return len(msgs) // the rest would only be refused too
		case Transient, TooMany:
			// The outbox retries it, within its budget, and keeps the
			// pause a 429 asked for (the transport holds it); the
			// replies after it go through the outbox for a while.
			d.pauseDirect(cut, err)
			return i
		default:
			d.dropRefused(chatID, err)
		}
	}
	return len(msgs)
}

// pauseDirect sends the replies through the outbox for DirectPause.
func (d *Dispatcher[M]) pauseDirect(cut bool, err error) {
	until := time.Now().Add(d.DirectPause)
	if old := d.directOff.Swap(until.UnixNano()); time.Now().UnixNano() < old {
		return // paused already: logged then
	}
	if cut {
		d.log.Warn("outbox: a reply sent at once took too long and was cut; replies go through the outbox for a while",
			"timeout", d.DirectTimeout.String(), "pause", d.DirectPause.String())
		return
	}
	d.log.Info("outbox: a reply sent at once failed; replies go through the outbox for a while",
		d.attrs(err, "pause", d.DirectPause.String(), "error", err)...)
}

// claim takes chatID for a message sent at once, with its turn within the
// overall rate, if nothing of the chat is queued or in flight and a
// message may go there now; the chat is busy until unclaim.
func (d *Dispatcher[M]) claim(chatID int64) (*Turn, bool) {
	now := time.Now()
	if d.Dead.Load() || now.UnixNano() < d.directOff.Load() {
		return nil, false
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.chats[chatID] != nil {
		return nil, false
	}
	if d.cfg.ReadyAt != nil && d.cfg.ReadyAt(chatID, now).After(now) {
		return nil, false
	}
	var t *Turn
	if p := d.cfg.Pacer; p != nil {
		at := p.Book(now)
		if at.Sub(now) > d.directWait() {
			p.Cancel(at)
			return nil, false
		}
		t = &Turn{pace: p, at: at, booked: true, release: func() {}}
	}
	d.chats[chatID] = &chatQueue{id: chatID, busy: true}
	return t, true
}

// unclaim lets the chat go on after a message sent at once: what was
// queued for it meanwhile goes next.
func (d *Dispatcher[M]) unclaim(chatID int64, t *Turn) {
	t.end()
	d.mu.Lock()
	queued := d.freeChat(chatID)
	d.mu.Unlock()
	if queued {
		d.Notify()
	}
}
