package chat

import (
	"slices"
	"sort"
	"time"

	"github.com/mmobot/mmobot/internal/boltdb"
	"github.com/mmobot/mmobot/internal/mmo"
)

// The due scan's other work on every member of an event goes in shares
// too, as reminders do (see remind_shares.go): the check-in's "I am here"
// button sent once its window opens, the answer buttons taken off once
// the event began, the "I am here" button taken off once check-in closed.
// For an association of thousands, one transaction for all of it held the
// write lock for a few hundred milliseconds. The recipients are listed in
// a read transaction; each share re-reads the event, does a share of the
// recipients after the progress recorded, and records how far it got in
// the same transaction; the last share sets the event's mark (announced,
// answers closed, check-in closed) and forgets the progress. A restart
// between shares finds the event still due and goes on after the last
// recipient done: nobody is sent the button twice.

// Kinds of the progress records (boltdb.EventShareProgress).
const (
	shareCheckin = "checkin"
	shareAnswers = "answers"
	shareHere    = "here"
)

// eventShares is one piece of work on an event's members, in shares.
type eventShares struct {
	kind string
	// still reports whether the work is still due on the event as the
	// share re-read it.
	still func(e *mmo.Event) bool
	// list reads, in a read transaction, whom the work is for.
	list func(tx *boltdb.Tx, e *mmo.Event) ([]int64, error)
	// begin prepares a share (what all its recipients share: the
	// association, the title) and returns what is done for one
	// recipient, and what is done once the share's recipients are (nil
	// for nothing), told how many are left. p is the progress so far,
	// which they may change (the broadcast a share counts into).
	begin func(r *Request, e *mmo.Event, p *boltdb.ReminderProgress) (each func(uid int64) error, after func(left int) error, err error)
	// end is the last share's: it marks the event (saved after it).
	end func(r *Request, e *mmo.Event, p boltdb.ReminderProgress) error
}

// inShares does the work s on event id through act, a share per
// transaction.
func (b *Engine) inShares(id uint64, s eventShares, act func(fn func(r *Request) (bool, error)) error) error {
	var ids []int64
	if err := b.db.View(func(tx *boltdb.Tx) error {
		e, err := tx.Event(id)
		if err != nil || !s.still(e) {
			return ignoreGone(err)
		}
		ids, err = s.list(tx, e)
		slices.Sort(ids)
		ids = slices.Compact(ids)
		return err
	}); err != nil {
		return err
	}
	for done := false; !done; {
		if err := act(func(r *Request) (bool, error) {
			done = true
			e, err := r.Tx.Event(id)
			if err != nil || !s.still(e) {
				return false, ignoreGone(err)
			}
			p, _ := r.Tx.EventShareProgress(id, s.kind)
			each, after, err := s.begin(r, e, &p)
			if err != nil {
				return false, err
			}
			rest := ids[sort.Search(len(ids), func(i int) bool { return ids[i] > p.After }):]
			began := time.Now()
			n := 0
			for ; n < len(rest) && n < remindShare && (n == 0 || time.Since(began) < shareBudget); n++ {
				if err := each(rest[n]); err != nil {
					return false, err
				}
			}
			if after != nil {
				if err := after(len(rest) - n); err != nil {
					return false, err
				}
			}
			if n < len(rest) {
				done = false
				p.After = rest[n-1]
				if err := r.Tx.PutEventShareProgress(id, s.kind, p); err != nil {
					return false, err
				}
				return true, r.Tx.PutEvent(e)
			}
			if err := r.Tx.DeleteEventShareProgress(id, s.kind); err != nil {
				return false, err
			}
			if err := s.end(r, e, p); err != nil {
				return false, err
			}
			return true, r.Tx.PutEvent(e)
		}); err != nil {
			return err
		}
	}
	return nil
}

// activeMemberIDs lists the active members of an association.
func activeMemberIDs(tx *boltdb.Tx, aid uint64) ([]int64, error) {
	ms, err := tx.Members(aid)
	if err != nil {
		return nil, err
	}
	var ids []int64
	for _, m := range ms {
		if m.State == mmo.MemberActive {
			ids = append(ids, m.UserID)
		}
	}
	return ids, nil
}

// shareUser reads a recipient for a share: nil (and no error) when they
// left the association or are gone.
func shareUser(r *Request, aid uint64, uid int64) (*mmo.User, error) {
	if m, err := r.Tx.Membership(aid, uid); err != nil || m.State != mmo.MemberActive {
		return nil, ignoreGone(err)
	}
	u, err := r.Tx.User(uid)
	if err != nil {
		return nil, ignoreGone(err)
	}
	return u, nil
}

// shareView is what a share's messages draw of the event: its own
// fields, its association and its number, no view of all the members.
func (b *Engine) shareView(r *Request, e *mmo.Event) (*boltdb.EventView, error) {
	a, err := r.Tx.Association(e.AssociationID)
	if err != nil {
		return nil, err
	}
	n, err := b.meetingNumber(r.Tx, e)
	if err != nil {
		return nil, err
	}
	return &boltdb.EventView{Event: e, Association: a, Number: n}, nil
}

// checkinShares sends the "I am here" button of an event whose check-in
// window opened by itself (announceCheckin, in shares).
func (b *Engine) checkinShares(now time.Time) eventShares {
	return eventShares{
		kind:  shareCheckin,
		still: func(e *mmo.Event) bool { return e.CheckinDue(now) },
		list: func(tx *boltdb.Tx, e *mmo.Event) ([]int64, error) {
			a, err := tx.Association(e.AssociationID)
			if err != nil {
				return nil, err
			}
			ids, err := activeMemberIDs(tx, a.ID)
			if err != nil {
				return nil, err
			}
			answers, err := tx.RSVPs(e)
			if err != nil {
				return nil, err
			}
			return mmo.CheckinInvited(ids, a.LeaderID, answers), nil
		},
		begin: func(r *Request, e *mmo.Event, p *boltdb.ReminderProgress) (func(int64) error, func(int) error, error) {
			// The code and link exist from the first share: the
			// button sent works at once.
			if err := r.ensureCheckin(e); err != nil {
				return nil, nil, err
			}
			v, err := b.shareView(r, e)
			if err != nil {
				return nil, nil, err
			}
			var bc *boltdb.Broadcast
			if p.Broadcast != 0 {
				bc, _ = r.Tx.Broadcast(p.Broadcast)
			}
			if bc == nil {
				bc = &boltdb.Broadcast{Kind: "checkin", EventID: e.ID}
				if err := r.Tx.CreateBroadcast(bc); err != nil {
					return nil, nil, err
				}
				p.Broadcast = bc.ID
			}
			return func(uid int64) error {
					u, err := shareUser(r, e.AssociationID, uid)
					if err != nil || u == nil {
						return err
					}
					if ans, err := r.Tx.RSVP(e, uid); err == nil && ans.Answer == mmo.AnswerNo {
						return nil // said no since the list was read
					}
					p.Queued++
					if u.Blocked {
						bc.Blocked++
						return nil
					}
					l := r.locOf(u)
					r.out = append(r.out, Message{Kind: KindSend, to: u.ID, broadcast: bc.ID, bulk: true, Key: hereKey(e, u.ID),
						Text:    l.T("conv_meet.here_open", "Title", rawArg(b.viewTitle(l, v)), "Topic", e.Topic),
						Buttons: [][]Button{{r.Button(l.T("checkin.here_button"), verbCheckinHere, eid(e))}}})
					return nil
				}, func(left int) error {
					// Those still to come are counted in, so the delivery
					// count reads "of all" from the first share.
					bc.Total = p.Queued + left
					return r.Tx.PutBroadcast(bc)
				}, nil
		},
		end: func(r *Request, e *mmo.Event, p boltdb.ReminderProgress) error {
			e.Checkin.Announced = true
			a, err := r.Tx.Association(e.AssociationID)
			if err != nil {
				return err
			}
			if err := b.tellLeaderCheckin(r, e, a); err != nil {
				return err
			}
			// The leader's card, where it was last opened, shows the
			// check-in that opened, as a reopened card would.
			return b.refreshLeaderCard(r, e, a)
		},
	}
}

// answersShares takes the answer buttons off every member's
// announcement, reminders and nudge of an event that began, in shares;
// the announcement's first line says it began, or is over if it ended
// meanwhile (a downtime).
func (b *Engine) answersShares(now time.Time) eventShares {
	return eventShares{
		kind:  shareAnswers,
		still: func(e *mmo.Event) bool { return e.State == mmo.EventPublished && e.Started(now) && !e.AnswersClosed },
		list:  func(tx *boltdb.Tx, e *mmo.Event) ([]int64, error) { return activeMemberIDs(tx, e.AssociationID) },
		begin: func(r *Request, e *mmo.Event, _ *boltdb.ReminderProgress) (func(int64) error, func(int) error, error) {
			closed := *e // drawn as closed; the event is marked by the last share
			closed.AnswersClosed = true
			v, err := b.shareView(r, &closed)
			if err != nil {
				return nil, nil, err
			}
			return func(uid int64) error {
				u, err := shareUser(r, e.AssociationID, uid)
				if err != nil || u == nil {
					return err
				}
				var chosen mmo.Answer
				if ans, err := r.Tx.RSVP(e, uid); err == nil {
					chosen = ans.Answer
				} else if ignoreGone(err) != nil {
					return err
				}
				l := r.locOf(u)
				text, kb := b.announcement(l, v, b.stateLead(l, &closed, r.Now), chosen, r.Now)
				r.EditKept(annKey(e, u.ID), text, kb...)
				rem := b.reminderText(l, v)
				for _, off := range b.opt.Reminders {
					r.EditKept(remKey(e, u.ID, off), rem)
				}
				r.EditKept(nudgeKey(e, u.ID), rem)
				// A change notice that asked for answers again takes no more.
				r.EditKept(chgKey(e, u.ID), rem)
				return nil
			}, nil, nil
		},
		end: func(r *Request, e *mmo.Event, _ boltdb.ReminderProgress) error {
			e.AnswersClosed = true
			return nil
		},
	}
}

// hereShares takes the "I am here" button off the members' messages of
// an event whose check-in closed (closeHere, in shares).
func (b *Engine) hereShares(now time.Time) eventShares {
	return eventShares{
		kind: shareHere,
		still: func(e *mmo.Event) bool {
			return e.State == mmo.EventPublished && e.Checkin.Announced && !e.Checkin.HereClosed && !e.CheckinOpen(now)
		},
		list: func(tx *boltdb.Tx, e *mmo.Event) ([]int64, error) { return activeMemberIDs(tx, e.AssociationID) },
		begin: func(r *Request, e *mmo.Event, _ *boltdb.ReminderProgress) (func(int64) error, func(int) error, error) {
			v, err := b.shareView(r, e)
			if err != nil {
				return nil, nil, err
			}
			return func(uid int64) error {
				u, err := shareUser(r, e.AssociationID, uid)
				if err != nil || u == nil {
					return err
				}
				if x, err := r.Tx.Attendance(e.ID, uid); err == nil && x.Mark == mmo.MarkPresent {
					return nil // their message says they are marked, which stands
				} else if err != nil && ignoreGone(err) != nil {
					return err
				}
				l := r.locOf(u)
				r.EditKept(hereKey(e, u.ID), l.T("conv_meet.here_closed", "Title", rawArg(b.viewTitle(l, v)), "Topic", e.Topic))
				return nil
			}, nil, nil
		},
		end: func(r *Request, e *mmo.Event, _ boltdb.ReminderProgress) error {
			e.Checkin.HereClosed = true
			a, err := r.Tx.Association(e.AssociationID)
			if err != nil {
				return ignoreGone(err)
			}
			if err := b.editLeaderCheckin(r, e, a, false); err != nil {
				return err
			}
			return b.refreshLeaderCard(r, e, a)
		},
	}
}
