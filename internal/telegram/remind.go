package telegram

import (
	"context"
	"slices"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/mmobot/mmobot/internal/boltdb"
	"github.com/mmobot/mmobot/internal/mmo"
)

// emptyUpdate is the update of a scheduled job: nothing to answer.
func emptyUpdate() *tgbotapi.Update { return &tgbotapi.Update{} }

// runDue sends what falls due — reminders before events — at start (a
// catch-up after downtime) and then every DueInterval, until ctx is done.
func (b *Bot) runDue(ctx context.Context) {
	t := time.NewTicker(b.opt.DueInterval)
	defer t.Stop()
	for {
		if err := b.sendDue(); err != nil {
			b.log.Error("due reminders", "error", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// sendDue queues what is due: check-in buttons of events whose window
// opened, and reminders. Each reminder is marked in the
// transaction that queues it, so none is ever sent twice; one that fell due
// while the bot was down is sent now, unless the event has begun. When
// several fell due (the bot was down long), only the nearest to the start
// goes out.
func (b *Bot) sendDue() error {
	offsets := slices.Clone(b.opt.Reminders)
	slices.Sort(offsets) // nearest to the start first
	var longest time.Duration
	if len(offsets) > 0 {
		longest = offsets[len(offsets)-1]
	}
	queued := false
	err := b.db.Update(func(tx *boltdb.Tx) error {
		queued = false
		now := b.now()
		r := &Request{bot: b, Tx: tx, Now: now, Update: emptyUpdate(), User: &mmo.User{}, Lang: "ru"}
		var due []*mmo.Event
		if err := tx.Events(func(e *mmo.Event) bool {
			if e.State == mmo.EventPublished && e.Start.After(now) && !e.Start.After(now.Add(longest)) {
				due = append(due, e)
			}
			return true
		}); err != nil {
			return err
		}
		announced, err := b.dueCheckins(r)
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
			var send time.Duration
			for _, off := range offsets {
				at := e.Start.Add(-off)
				if at.After(now) || tx.ReminderSent(e.ID, e.Version, off) {
					continue
				}
				if send == 0 && !at.Before(e.ChangedAt) {
					send = off
				}
				if err := tx.MarkReminderSent(e.ID, e.Version, off); err != nil {
					return err
				}
			}
			if send == 0 {
				continue
			}
			if err := b.remind(r, e); err != nil {
				return err
			}
			queued = true
		}
		return r.commit()
	})
	if queued {
		b.out.notify()
	}
	return err
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
	var to []*mmo.User
	for uid, ans := range answers {
		if ans.Answer == mmo.AnswerNo {
			continue
		}
		m, err := r.Tx.Membership(a.ID, uid)
		if err != nil || m.State != mmo.MemberActive {
			continue
		}
		u, err := r.Tx.User(uid)
		if err != nil {
			continue
		}
		to = append(to, u)
	}
	slices.SortFunc(to, func(x, y *mmo.User) int { return int(x.ID - y.ID) })
	_, err = b.broadcast(r, "reminder", e, to, func(l loc, u *mmo.User) (string, [][]button, error) {
		return b.announcement(r, l, u, e, a, l.T("event.lead_reminder")+"\n", answers[u.ID].Answer)
	})
	return err
}
