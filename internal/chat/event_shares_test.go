package chat

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/mmobot/mmobot/internal/boltdb"
	"github.com/mmobot/mmobot/internal/mmo"
)

// TestCheckinAndClosingInSharesSurviveACrash: the due scan's work on
// every member of an event (the "I am here" button once check-in opens,
// the answer buttons taken off the reminders once the event began, the
// "I am here" button taken off once check-in closed) goes a share per
// transaction; a crash between shares (a commit that fails, then a new
// engine over the store) goes on after the last member done: every
// member gets the button exactly once, every reminder and button is
// taken off, the event is marked and no progress is left behind.
func TestCheckinAndClosingInSharesSurviveACrash(t *testing.T) {
	defer func(n int) { remindShare = n }(remindShare)
	remindShare = 4
	m := newMemory(t, nil)
	var members []int64
	for id := int64(100); id < 124; id++ {
		members = append(members, id)
	}
	_, eventID := m.seedMeeting(1, members...)
	var start time.Time
	if err := m.db.Update(func(tx *boltdb.Tx) error {
		e, err := tx.Event(eventID)
		if err != nil {
			return err
		}
		e.State, e.ChangedAt = mmo.EventPublished, m.clock.Now()
		if err := tx.PutEvent(e); err != nil {
			return err
		}
		start = e.Start
		for _, id := range members {
			if err := tx.PutRSVP(&mmo.RSVP{EventID: e.ID, UserID: id, Version: e.Version, Answer: mmo.AnswerYes, At: m.clock.Now()}); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	// The reminders go out first, with their answer buttons.
	for _, at := range []time.Duration{-24*time.Hour - time.Minute, -24*time.Hour + time.Minute, -time.Hour + time.Minute} {
		m.clock.t = start.Add(at)
		m.due()
	}
	last := func(id int64, part string) (msg memMsg, n int) {
		for _, x := range m.person(id, "").chat().msgs {
			if strings.Contains(x.Text, part) {
				msg, n = *x, n+1
			}
		}
		return msg, n
	}
	for _, id := range members {
		if r, n := last(id, "⏰"); n != 2 || len(r.Buttons) == 0 {
			t.Fatalf("member %d has %d reminders, the last with buttons %v; want 2 with answer buttons", id, n, r.Buttons)
		}
	}
	// crashThenRestart runs a scan whose third commit fails, checks it
	// did part of the work (done counts the members it reached), then
	// restarts the engine and scans again.
	crashThenRestart := func(what string, done func() int) {
		t.Helper()
		commits := 0
		m.db.SetWriteFault(func() error {
			if commits++; commits == 3 {
				return errors.New("the machine went down")
			}
			return nil
		})
		if _, _, _, err := m.engine.Due(); err == nil {
			t.Fatalf("%s: the scan did not see its third share fail", what)
		}
		m.db.SetWriteFault(nil)
		m.deliver()
		if n := done(); n == 0 || n >= len(members) {
			t.Fatalf("%s: before the crash %d of %d members were reached; want some, not all", what, n, len(members))
		}
		m.start(nil)
		m.due()
	}

	// Check-in opens by itself.
	m.clock.t = start.Add(-14 * time.Minute)
	crashThenRestart("check-in opens", func() (n int) {
		for _, id := range members {
			if _, k := last(id, "Открыта отметка"); k > 0 {
				n++
			}
		}
		return n
	})
	for _, id := range members {
		if msg, n := last(id, "Открыта отметка"); n != 1 || len(msg.Buttons) != 1 {
			t.Errorf("member %d got the check-in button %d times (buttons %v), want once", id, n, msg.Buttons)
		}
	}

	// The event began: the reminders lose their answer buttons.
	m.clock.t = start.Add(time.Minute)
	crashThenRestart("answers close", func() (n int) {
		for _, id := range members {
			if r, _ := last(id, "⏰"); len(r.Buttons) == 0 {
				n++
			}
		}
		return n
	})
	for _, id := range members {
		for _, x := range m.person(id, "").chat().msgs {
			if strings.Contains(x.Text, "⏰") && len(x.Buttons) > 0 {
				t.Errorf("member %d: %q still has buttons %v after the start", id, x.Text, x.Buttons)
			}
		}
	}

	// Check-in closed: the "I am here" buttons go.
	m.clock.t = start.Add(31 * time.Minute)
	crashThenRestart("check-in closes", func() (n int) {
		for _, id := range members {
			if _, k := last(id, "Отметка закрыта"); k > 0 {
				n++
			}
		}
		return n
	})
	for _, id := range members {
		if msg, n := last(id, "Отметка закрыта"); n != 1 || len(msg.Buttons) != 0 {
			t.Errorf("member %d: the check-in message reads closed %d times, buttons %v; want once, none", id, n, msg.Buttons)
		}
	}
	m.db.View(func(tx *boltdb.Tx) error {
		e, err := tx.Event(eventID)
		if err != nil {
			t.Fatal(err)
		}
		if !e.Checkin.Announced || !e.AnswersClosed || !e.Checkin.HereClosed {
			t.Errorf("event marks: announced %v, answers closed %v, check-in closed %v; want all", e.Checkin.Announced, e.AnswersClosed, e.Checkin.HereClosed)
		}
		for _, kind := range []string{shareCheckin, shareAnswers, shareHere} {
			if _, ok := tx.EventShareProgress(eventID, kind); ok {
				t.Errorf("the progress of %q is still stored", kind)
			}
		}
		return nil
	})
}
