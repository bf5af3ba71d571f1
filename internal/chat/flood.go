package chat

import (
	"errors"
	"sync"
	"time"

	"github.com/mmobot/mmobot/internal/boltdb"
)

// floodGate limits each user's incoming updates to n per sliding window,
// so one account sending hundreds of messages cannot queue hundreds of
// replies (at one a second, minutes of them) or crowd out other people.
type floodGate struct {
	n      int
	window time.Duration

	mu        sync.Mutex
	users     map[floodKey]*userFlood
	lastSweep time.Time
}

type userFlood struct {
	handled []time.Time // the updates handled within the window, oldest first
	refused bool        // refused since the last handled one: the notice went
}

func newFloodGate(n int, window time.Duration) *floodGate {
	return &floodGate{n: n, window: window, users: map[floodKey]*userFlood{}}
}

// floodKey is a person as their messenger knows them.
type floodKey struct {
	messenger string
	id        int64
}

// admit reports whether an update of user at now may be handled, and, for
// one that may not, whether it is the first refused in a row (the one the
// user is told about).
func (g *floodGate) admit(user floodKey, now time.Time) (ok, first bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if now.Sub(g.lastSweep) > g.window {
		for id, f := range g.users {
			if len(f.handled) == 0 || now.Sub(f.handled[len(f.handled)-1]) >= g.window {
				delete(g.users, id)
			}
		}
		g.lastSweep = now
	}
	f := g.users[user]
	if f == nil {
		f = &userFlood{}
		g.users[user] = f
	}
	i := 0
	for i < len(f.handled) && now.Sub(f.handled[i]) >= g.window {
		i++
	}
	f.handled = f.handled[i:]
	if len(f.handled) < g.n {
		f.handled = append(f.handled, now)
		f.refused = false
		return true, false
	}
	first = !f.refused
	f.refused = true
	return false, first
}

// refuse drops an update over its user's limit on purpose: it is marked
// handled, so it is confirmed like any other and never redelivered. The
// first refused in a row gets one short notice in the user's language: a
// message in a private chat, or the answer to the pressed button; in a
// group the bot stays silent.
func (b *Engine) refuse(u *Update, first bool) (Result, error) {
	var done *Request
	err := b.db.Update(func(tx *boltdb.Tx) error {
		done = nil
		if tx.Handled(u.Messenger, u.ID) {
			return nil
		}
		if first {
			r, err := b.newRequest(tx, u)
			if err != nil {
				return err
			}
			switch {
			case u.Press != nil:
				r.Answer(r.T("error.too_many"), false)
			case u.Private:
				r.Reply(r.T("error.too_many"))
			}
			if err := r.commit(); err != nil {
				return err
			}
			done = r
		}
		return tx.MarkHandled(u.Messenger, u.ID)
	})
	user := u.From.ID
	if errors.Is(err, boltdb.ErrUnwritable) {
		return Result{}, err // held with its batch, like any update
	}
	if err != nil {
		b.log.Error("record a refused update", "update_id", u.ID, "user_id", user, "error", err)
		return Result{}, nil
	}
	if first {
		b.log.Info("user over the update limit: their updates are dropped until the window has room",
			"user_id", user, "limit", b.flood.n, "window", b.flood.window.String())
	}
	b.log.Debug("update dropped: over the user's limit", "update_id", u.ID, "user_id", user)
	if done == nil {
		return Result{}, nil
	}
	return b.after(done), nil
}
