package chat

import (
	"fmt"
	"slices"
	"time"

	"github.com/mmobot/mmobot/internal/boltdb"
	"github.com/mmobot/mmobot/internal/mmo"
)

// Due queues what is due: check-in buttons of events whose window
// opened, reminders, consultations' deadlines and the daily jobs. Each
// reminder is marked in the transaction that queues it, so none is ever
// sent twice; one that fell due while the bot was down is sent now, unless
// the event has begun. When several fell due (the bot was down long), only
// the nearest to the start goes out.
//
// It returns the clock time the scan went by and whether it queued any
// message.
func (b *Engine) Due() (now time.Time, queued bool, err error) {
	offsets := b.opt.Reminders // sorted by New: nearest to the start first
	var longest time.Duration
	if len(offsets) > 0 {
		longest = offsets[len(offsets)-1]
	}
	err = b.db.Update(func(tx *boltdb.Tx) error {
		queued = false
		r := b.systemRequest(tx)
		now = r.Now
		// One walk over the events finds both the reminders and the
		// check-ins; a reminder gets a copy, so the check-in announced
		// below does not change the event it describes.
		var due, open, started, closed, ended []*mmo.Event
		if err := tx.Events(func(e *mmo.Event) bool {
			if e.Live(now) && !e.Start.After(now.Add(longest)) {
				c := *e
				due = append(due, &c)
			}
			switch {
			case e.CheckinDue(now):
				open = append(open, e)
			case e.State == mmo.EventPublished && e.Started(now) && !e.AnswersClosed:
				started = append(started, e)
			case e.State == mmo.EventPublished && e.Checkin.Announced && !e.Checkin.HereClosed && !e.CheckinOpen(now):
				closed = append(closed, e)
			case b.minutesDue(e, now):
				ended = append(ended, e)
			}
			return true
		}); err != nil {
			return err
		}
		announced, err := b.dueCheckins(r, open)
		if err != nil {
			return err
		}
		closings, err := b.dueClosings(r, started, closed)
		if err != nil {
			return err
		}
		prompts, err := b.dueMinutesPrompts(r, ended)
		if err != nil {
			return err
		}
		queued = queued || announced || closings || prompts
		consults, err := b.dueConsultations(r)
		if err != nil {
			return err
		}
		daily, err := b.dailyIfDue(r)
		if err != nil {
			return err
		}
		queued = queued || consults || daily
		for _, e := range due {
			sent := map[time.Duration]bool{}
			for _, off := range offsets {
				sent[off] = tx.ReminderSent(e.ID, e.Version, off)
			}
			rd := mmo.DueReminder(e, offsets, sent, now)
			for _, off := range rd.Mark {
				if err := tx.MarkReminderSent(e.ID, e.Version, off); err != nil {
					return err
				}
			}
			if rd.Send == 0 {
				continue
			}
			if err := b.remind(r, e, rd.Send); err != nil {
				return err
			}
			queued = true
		}
		return r.commit()
	})
	if err != nil {
		return now, false, fmt.Errorf("due scan at %s: %w", now.Format(time.RFC3339), err)
	}
	if queued {
		b.wake()
	}
	return now, queued, nil
}

// remind queues a reminder to the members who said they would come or
// might: two lines and the answer buttons, kept under a key of the
// offset so the buttons can go once the event begins.
func (b *Engine) remind(r *Request, e *mmo.Event, off time.Duration) error {
	a, err := r.Tx.Association(e.AssociationID)
	if err != nil {
		return err
	}
	answers, err := r.Tx.RSVPs(e)
	if err != nil {
		return err
	}
	list, err := b.activeMembers(r, a)
	if err != nil {
		return err
	}
	users := memberUsers(list)
	to := pickUsers(users, mmo.Reminded(userIDs(users), answers))
	slices.SortFunc(to, func(x, y *mmo.User) int { return int(x.ID - y.ID) })
	key := func(u *mmo.User) string { return remKey(e, u.ID, off) }
	_, err = b.broadcastKept(r, "reminder", e, to, key, func(l loc, u *mmo.User) (string, [][]Button, error) {
		text, err := b.reminderText(r, l, e, a)
		return text, [][]Button{r.answerRow(l, e, answers[u.ID].Answer)}, err
	})
	return err
}
