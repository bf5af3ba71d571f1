package telegram

import (
	"context"
	"slices"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// menuParallel is how many menu calls may be in flight at once.
const menuParallel = 4

// menuPace is how many command menus are set per second, after a first
// burst as large: Telegram does not publish a limit for setMyCommands,
// and menus are never urgent.
const menuPace = 5

// menuLoop sets command menus, paced, a few at a time so that one
// hanging call does not stop the others, never two for one chat at once;
// each when its retry falls due and no 429 holds it back.
func (d *dispatcher) menuLoop(ctx, sendCtx context.Context) {
	pace := rate.NewLimiter(d.menuRate, menuPace)
	slots := make(chan struct{}, menuParallel)
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
			if !timer.Stop() {
				select {
				case <-timer.C:
				default:
				}
			}
			timer.Reset(wait)
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
func (d *dispatcher) nextMenu(now time.Time) (*pending, time.Duration) {
	d.mu.Lock()
	defer d.mu.Unlock()
	wait := time.Minute
	for i, p := range d.menus {
		if d.menuBusy[p.ChatID] {
			continue
		}
		at := d.sender.pausedUntil(pauseKey{method: menuMethod, chat: p.ChatID}, now)
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
