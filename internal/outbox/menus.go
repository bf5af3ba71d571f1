package outbox

import (
	"context"
	"slices"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// MenuLane is how command menus go when they have a lane of their own:
// paced, a few at a time, never two for one chat at once.
type MenuLane struct {
	// Rate is how many menus are set per second, after a first burst of
	// Burst.
	Rate  rate.Limit
	Burst int
	// Parallel is how many menu calls may be in flight at once, so that
	// one hanging call does not stop the others.
	Parallel int
	// PausedUntil is when a menu of a chat may be set again after 429s;
	// nil: at once.
	PausedUntil func(chatID int64, now time.Time) time.Time
}

// wakeMenus tells the menu lane there may be work.
func (d *Dispatcher[M]) wakeMenus() {
	select {
	case d.menuWake <- struct{}{}:
	default:
	}
}

// menuLoop sets command menus, paced, a few at a time so that one
// hanging call does not stop the others, never two for one chat at once;
// each when its retry falls due and no 429 holds it back.
func (d *Dispatcher[M]) menuLoop(ctx, sendCtx context.Context) {
	lane := d.cfg.Menus
	pace := rate.NewLimiter(lane.Rate, lane.Burst)
	slots := make(chan struct{}, max(lane.Parallel, 1))
	var wg sync.WaitGroup
	defer wg.Wait()
	timer := time.NewTimer(time.Minute)
	defer timer.Stop()
	for {
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
			return
		}
		var p *pending
		for p == nil {
			var wait time.Duration
			if p, wait = d.nextMenu(time.Now()); p != nil {
				break
			}
			resetTimer(timer, wait)
			select {
			case <-ctx.Done():
				return
			case <-d.menuWake:
			case <-timer.C:
			}
		}
		if pace.Wait(ctx) != nil {
			return
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			d.deliver(sendCtx, p, nil)
			<-slots
		}()
	}
}

// nextMenu takes the first menu that may be set now, or says how long
// until one may.
func (d *Dispatcher[M]) nextMenu(now time.Time) (*pending, time.Duration) {
	d.mu.Lock()
	defer d.mu.Unlock()
	wait := time.Minute
	for i, p := range d.menus {
		if d.menuBusy[p.ChatID] {
			continue
		}
		at := now
		if d.cfg.Menus.PausedUntil != nil {
			at = d.cfg.Menus.PausedUntil(p.ChatID, now)
		}
		if p.NotBefore.After(at) {
			at = p.NotBefore
		}
		if !at.After(now) {
			d.menus = slices.Delete(d.menus, i, i+1)
			d.menuBusy[p.ChatID] = true
			return p, 0
		}
		wait = min(wait, at.Sub(now))
	}
	return nil, max(wait, time.Millisecond)
}
