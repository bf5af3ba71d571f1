package telegram

import (
	"errors"
	"log/slog"
	"slices"
	"sync/atomic"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/mmobot/mmobot/internal/boltdb"
	"github.com/mmobot/mmobot/internal/mmo"
)

// startSchedule runs the due scan on cron: at once, to catch up on what
// fell due while the bot was down, and then every DueInterval. The scan
// also runs the daily jobs once the alert time has passed, so one schedule
// serves both. A panic in a scan is logged and the schedule goes on; a
// scan still running when the next is due makes that one skip rather than
// queue behind it.
func (b *Bot) startSchedule() *cron.Cron {
	logger := cronLogger{b.log}
	c := cron.New(cron.WithLocation(b.opt.Location), cron.WithLogger(logger),
		cron.WithChain(cron.Recover(logger), cron.SkipIfStillRunning(logger)))
	c.Schedule(&catchUp{every: b.opt.DueInterval}, cron.FuncJob(b.scanDue))
	c.Start()
	return c
}

// catchUp is a cron schedule that fires at once and then every interval.
// cron's own Every rounds up to whole seconds, which tests cannot wait for.
type catchUp struct {
	every   time.Duration
	started atomic.Bool
}

// Next implements cron.Schedule.
func (s *catchUp) Next(t time.Time) time.Time {
	if s.started.CompareAndSwap(false, true) {
		return t
	}
	return t.Add(s.every)
}

// cronLogger passes cron's messages to slog.
type cronLogger struct{ log *slog.Logger }

func (l cronLogger) Info(msg string, kv ...any) { l.log.Debug("cron: "+msg, kv...) }
func (l cronLogger) Error(err error, msg string, kv ...any) {
	l.log.Error("cron: "+msg, append(kv, "error", err)...)
}

// scanDue is the scheduled job: it queues what is due and logs what failed.
func (b *Bot) scanDue() {
	started := time.Now()
	defer func() { b.rec.DueScan(time.Since(started)) }()
	now, queued, err := b.sendDue()
	switch {
	case errors.Is(err, boltdb.ErrUnwritable):
		b.store.failed(b.log, err, started) // the next scan tries again
	case err != nil:
		b.log.Error("due scan", "error", err)
	default:
		b.store.ok(b.log, started)
		if b.opt.OnDueScan != nil {
			b.opt.OnDueScan(now, queued)
		}
	}
}

// sendDue queues what is due: check-in buttons of events whose window
// opened, reminders, consultations' deadlines and the daily jobs. Each
// reminder is marked in the transaction that queues it, so none is ever
// sent twice; one that fell due while the bot was down is sent now, unless
// the event has begun. When several fell due (the bot was down long), only
// the nearest to the start goes out.
//
// It returns the clock time the scan went by and whether it queued any
// message.
func (b *Bot) sendDue() (now time.Time, queued bool, err error) {
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
		var due, open []*mmo.Event
		if err := tx.Events(func(e *mmo.Event) bool {
			if e.Live(now) && !e.Start.After(now.Add(longest)) {
				c := *e
				due = append(due, &c)
			}
			if e.CheckinDue(now) {
				open = append(open, e)
			}
			return true
		}); err != nil {
			return err
		}
		announced, err := b.dueCheckins(r, open)
		if err != nil {
			return err
		}
		queued = queued || announced
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
			if err := b.remind(r, e); err != nil {
				return err
			}
			queued = true
		}
		return r.commit()
	})
	if err != nil {
		return now, false, err
	}
	if queued {
		b.out.notify()
	}
	return now, queued, nil
}

// remind queues a reminder to the members who said they would come or
// might.
func (b *Bot) remind(r *Request, e *mmo.Event) error {
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
	_, err = b.broadcast(r, "reminder", e, to, func(l loc, u *mmo.User) (string, [][]button, error) {
		return b.announcement(r, l, u, e, a, l.T("event.lead_reminder")+"\n", answers[u.ID].Answer)
	})
	return err
}
