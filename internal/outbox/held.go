package outbox

import (
	"errors"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/mmobot/mmobot/internal/boltdb"
)

// recordHeld tries again to remove the items whose removal the store
// refused, when the retry is due or force says so. It runs on the
// dispatcher's loop, so two never overlap. One removal goes first: while
// the store still refuses, one refused commit per retry is enough. The
// rest then go at once, so that the store commits them together. Any
// error keeps an item held: it was sent, and must not go again. The
// refusal was logged once when it began; its end is logged once here.
func (d *Dispatcher[M]) recordHeld(now time.Time, force bool) {
	d.mu.Lock()
	if len(d.held) == 0 || d.Dead.Load() || (!force && now.Before(d.heldNext)) {
		d.mu.Unlock()
		return
	}
	held := maps.Clone(d.held)
	d.mu.Unlock()

	ids := slices.Sorted(maps.Keys(held))
	started := time.Now()
	err := d.db.OutboxDone(ids[0], held[ids[0]])
	var removed []uint64
	if err == nil {
		removed = append(removed, ids[0])
	}
	// An error other than a refused commit concerns that item alone
	// (the store takes writes): it must not keep the others held.
	if !errors.Is(err, boltdb.ErrUnwritable) {
		var mu sync.Mutex
		var wg sync.WaitGroup
		for _, id := range ids[1:] {
			wg.Go(func() {
				e := d.db.OutboxDone(id, held[id])
				mu.Lock()
				defer mu.Unlock()
				if e != nil {
					err = e
					return
				}
				removed = append(removed, id)
			})
		}
		wg.Wait()
	}

	d.mu.Lock()
	var counted []uint64
	for _, id := range removed {
		delete(d.held, id)
		delete(d.known, id)
		if bc, ok := d.heldOf[id]; ok {
			counted = append(counted, bc)
			delete(d.heldOf, id)
		}
	}
	if len(removed) > 0 {
		d.accepted(started)
	}
	logIt, cleared := false, time.Duration(-1)
	left := len(d.held)
	switch {
	case left == 0:
		if !d.heldSince.IsZero() {
			cleared = time.Since(d.heldSince)
		}
		d.heldSince, d.heldNext, d.heldTries = time.Time{}, time.Time{}, 0
	case err != nil:
		logIt = d.refused(started)
		d.heldTries++
		d.heldNext = time.Now().Add(d.HeldRetry.Delay(d.heldTries + 1))
	default:
		// Items held while this round ran: the store takes writes, so
		// they go with the next turn of the loop.
		d.heldNext = time.Now()
	}
	d.mu.Unlock()
	slices.Sort(counted)
	d.delivered(slices.Compact(counted)...)
	if logIt {
		d.logRefused(left, err)
	}
	if cleared >= 0 {
		d.log.Info("outbox: the database takes writes again; the sent items held are removed from it",
			"items", len(removed), "failing_for", cleared.Round(time.Millisecond).String())
	}
}

// refused notes a refused removal that began at started and says whether
// to log it: only the first refusal of an outage is, and not one that
// began before a removal the store took (it straddled the recovery).
// d.mu must be held.
func (d *Dispatcher[M]) refused(started time.Time) bool {
	if !d.heldSince.IsZero() || started.Before(d.lastRemove) {
		return false
	}
	d.heldSince = started
	return true
}

// accepted notes a removal, begun at started, that the store took; d.mu
// must be held.
func (d *Dispatcher[M]) accepted(started time.Time) {
	if started.After(d.lastRemove) {
		d.lastRemove = started
	}
}

func (d *Dispatcher[M]) logRefused(held int, err error) {
	d.log.Error("outbox: sent items cannot be removed from the database; they are held and not sent again, "+
		"and their removal is retried (a restart meanwhile sends them once more)",
		"items", held, "error", err)
}

// heldDue is when the held removals are to be tried again; zero if none
// are held.
func (d *Dispatcher[M]) heldDue() time.Time {
	d.mu.Lock()
	defer d.mu.Unlock()
	if len(d.held) == 0 {
		return time.Time{}
	}
	return d.heldNext
}
