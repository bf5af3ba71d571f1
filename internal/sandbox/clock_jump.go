package sandbox

// Jumps of the clock to the moments a person trying the bot wants to see:
// the next 09:00 (when the daily jobs run), just before the next event
// (its check-in opens), and back to the real time.

import (
	"strconv"
	"time"

	"github.com/mmobot/mmobot/internal/boltdb"
	"github.com/mmobot/mmobot/internal/mmo"
)

// Jumps the clock API takes in "to".
const (
	JumpMorning = "09:00" // the next 09:00 in the bot's zone
	JumpEvent   = "event" // a minute before the next published event starts
	JumpReset   = "reset" // back to the real time
)

// errNoEvent is the answer of a jump to the next event when none is
// ahead.
var errNoEvent = failure("no_event")

// Jump moves the clock as `to` says (JumpMorning, JumpEvent, JumpReset).
// A reset takes the clock back to the real time: what the bot did in the
// sandbox's future stays done (sent reminders are not sent again), as
// when a real server's clock is corrected.
func (s *Sandbox) Jump(to string) error {
	now := s.clock.Now()
	switch to {
	case JumpMorning:
		local := now.In(s.loc)
		at := time.Date(local.Year(), local.Month(), local.Day(), 9, 0, 0, 0, s.loc)
		if !at.After(now) {
			at = at.AddDate(0, 0, 1)
		}
		return s.Advance(at.Sub(now))
	case JumpEvent:
		at, ok, err := s.nextEventStart(now)
		if err != nil {
			return err
		}
		if !ok {
			return errNoEvent
		}
		return s.Advance(at.Add(-time.Minute).Sub(now))
	case JumpReset:
		s.clock.mu.Lock()
		s.clock.offset = 0
		s.clock.mu.Unlock()
		return s.main.DB.Update(func(tx *boltdb.Tx) error {
			return tx.PutMeta(metaClock, []byte(strconv.FormatInt(0, 10)))
		})
	}
	return failure("unknown_jump", "To", to)
}

// nextEventStart finds the start of the next published event more than a
// minute and a half after now, so that jumping again moves on to the one
// after.
func (s *Sandbox) nextEventStart(now time.Time) (time.Time, bool, error) {
	var next time.Time
	from := now.Add(90 * time.Second)
	err := s.main.DB.View(func(tx *boltdb.Tx) error {
		return tx.Events(func(e *mmo.Event) bool {
			if e.State == mmo.EventPublished && e.Start.After(from) && (next.IsZero() || e.Start.Before(next)) {
				next = e.Start
			}
			return true
		})
	})
	return next, !next.IsZero(), err
}
