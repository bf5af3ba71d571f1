package chat

import (
	"errors"
	"slices"
	"sort"
	"time"

	"github.com/mmobot/mmobot/internal/boltdb"
	"github.com/mmobot/mmobot/internal/mmo"
)

// A reminder to a large association (thousands of members) is queued in
// shares, each in a short write transaction of its own: one transaction
// for everyone would hold every other writer, each user's update among
// them, for as long as it takes to render and queue thousands of
// messages. Each share records how far it got (boltdb.ReminderProgress)
// in the transaction that queues it, and the reminder is marked sent with
// the last share, so a restart between shares goes on after the last
// recipient queued: nobody skipped, nobody reminded twice.

// Bounds of one share: at most remindShare recipients, and no more once
// shareBudget of wall time went into it (a loaded machine renders
// slower). The recipients are listed beforehand in a read transaction,
// so a share reads only its own recipients' records. The commit, which
// writes each recipient's outbox item, comes on top of the budget: on the
// benchmarks' region at load averages of 14-16, shares of 500 made the
// longest write transaction at start (121 ms); shares of 100 cost a
// commit per hundred messages, far below what sending them takes.
var (
	remindShare = 100
	shareBudget = 20 * time.Millisecond
)

// remindInShares queues the reminder of event id due at now, if one is
// still due, a share per transaction through act.
func (b *Engine) remindInShares(id uint64, now time.Time, act func(fn func(r *Request) (bool, error)) error) error {
	// Who is to be reminded, read once, outside the write lock: the
	// active members who said they would come or might, by id.
	var ids []int64
	var version int
	var off time.Duration
	if err := b.db.View(func(tx *boltdb.Tx) error {
		e, err := tx.Event(id)
		if err != nil || e.State != mmo.EventPublished {
			return ignoreGone(err)
		}
		version, off = e.Version, b.dueReminder(tx, e, now).Send
		if off == 0 {
			return nil
		}
		ms, err := tx.Members(e.AssociationID)
		if err != nil {
			return err
		}
		answers, err := tx.RSVPs(e)
		if err != nil {
			return err
		}
		var active []int64
		for _, m := range ms {
			if m.State == mmo.MemberActive {
				active = append(active, m.UserID)
			}
		}
		ids = mmo.Reminded(active, answers)
		slices.Sort(ids)
		return nil
	}); err != nil {
		return err
	}
	for done := false; !done; {
		if err := act(func(r *Request) (bool, error) {
			done = true
			e, err := r.Tx.Event(id)
			if err != nil || e.State != mmo.EventPublished {
				return false, ignoreGone(err)
			}
			rd := b.dueReminder(r.Tx, e, now)
			if rd.Send != 0 && (rd.Send != off || e.Version != version) {
				// Changed since the list was read: the next scan lists
				// again.
				return false, nil
			}
			if rd.Send != 0 {
				finished, err := b.remindShare(r, e, rd.Send, ids)
				if err != nil || !finished {
					done = err != nil
					return true, err
				}
			}
			for _, o := range rd.Mark {
				if err := r.Tx.MarkReminderSent(e.ID, e.Version, o); err != nil {
					return false, err
				}
				if err := r.Tx.DeleteReminderProgress(e.ID, e.Version, o); err != nil {
					return false, err
				}
			}
			return rd.Send != 0, nil
		}); err != nil {
			return err
		}
	}
	return nil
}

// remindShare queues the reminder at offset off to the next share of ids
// (after the progress recorded) and records how far it got; finished
// says the share was the last. Each recipient is checked again: still an
// active member, still coming or unsure.
func (b *Engine) remindShare(r *Request, e *mmo.Event, off time.Duration, ids []int64) (finished bool, err error) {
	a, err := r.Tx.Association(e.AssociationID)
	if err != nil {
		return false, err
	}
	p, _ := r.Tx.ReminderProgress(e.ID, e.Version, off)
	var bc *boltdb.Broadcast
	if p.Broadcast != 0 {
		if bc, err = r.Tx.Broadcast(p.Broadcast); err != nil && !errors.Is(err, mmo.ErrNotFound) {
			return false, err
		}
	}
	if bc == nil {
		bc = &boltdb.Broadcast{Kind: "reminder", EventID: e.ID}
		if err := r.Tx.CreateBroadcast(bc); err != nil {
			return false, err
		}
	}
	rest := ids[sort.Search(len(ids), func(i int) bool { return ids[i] > p.After }):]
	// The reminder draws only the event's own fields and its number: no
	// view of all the members, which a share of a large association
	// must not read.
	number, err := b.meetingNumber(r.Tx, e)
	if err != nil {
		return false, err
	}
	view := &boltdb.EventView{Event: e, Association: a, Number: number}
	texts := map[string]string{} // the reminder is the same in each language
	began := time.Now()
	n := 0
	for ; n < len(rest) && n < remindShare && (n == 0 || time.Since(began) < shareBudget); n++ {
		uid := rest[n]
		if m, err := r.Tx.Membership(a.ID, uid); err != nil || m.State != mmo.MemberActive {
			if ignoreGone(err) != nil {
				return false, err
			}
			continue
		}
		ans, err := r.Tx.RSVP(e, uid)
		if err != nil || ans.Answer == mmo.AnswerNo {
			if ignoreGone(err) != nil {
				return false, err
			}
			continue
		}
		u, err := r.Tx.User(uid)
		if err != nil {
			if ignoreGone(err) != nil {
				return false, err
			}
			continue
		}
		p.Queued++
		if u.Blocked {
			bc.Blocked++
			continue
		}
		l := r.locOf(u)
		text, ok := texts[l.lang]
		if !ok {
			text = b.reminderText(l, view)
			texts[l.lang] = text
		}
		r.out = append(r.out, Message{Kind: KindSend, to: u.ID, Text: text, Buttons: [][]Button{answerRow(l, e, ans.Answer)},
			broadcast: bc.ID, bulk: true, Key: remKey(e, u.ID, off)})
	}
	finished = n == len(rest)
	bc.Total = p.Queued + len(rest) - n
	if err := r.Tx.PutBroadcast(bc); err != nil {
		return false, err
	}
	if finished {
		return true, nil
	}
	p.Broadcast, p.After = bc.ID, rest[n-1]
	return false, r.Tx.PutReminderProgress(e.ID, e.Version, off, p)
}
