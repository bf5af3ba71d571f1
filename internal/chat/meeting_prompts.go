package chat

// The leader is told at the right moment: when check-in opens, the code
// and the QR button in one message; after a заседание ends, one prompt to
// fill in the minutes, and a reminder the next day if none were started.

import (
	"time"

	"github.com/mmobot/mmobot/internal/boltdb"
	"github.com/mmobot/mmobot/internal/mmo"
)

// minutesLookback is how long after a meeting's end its minutes are still
// asked for: older meetings (an upgrade's backlog) are left alone.
const minutesLookback = 48 * time.Hour

// minutesDue reports whether the leader of a held заседание is due a
// prompt to fill in its minutes at now.
func (b *Engine) minutesDue(e *mmo.Event, now time.Time) bool {
	if !e.TakesMinutes(now) || now.Before(e.End()) || now.Sub(e.End()) > minutesLookback {
		return false
	}
	switch e.MinutesPrompted {
	case 0:
		return true
	case 1:
		return now.Sub(e.End()) >= 24*time.Hour
	}
	return false
}

// dueMinutesPrompts asks the leaders of the events that ended to fill in
// their minutes; the next day, once more if none were written.
func (b *Engine) dueMinutesPrompts(r *Request, ended []*mmo.Event) (bool, error) {
	queued := false
	for _, e := range ended {
		versions, err := r.Tx.MinutesVersions(e.ID)
		if err != nil {
			return false, err
		}
		first := e.MinutesPrompted == 0
		e.MinutesPrompted++
		if len(versions) > 0 {
			e.MinutesPrompted = 2 // written: nothing to ask
		}
		if err := r.Tx.PutEvent(e); err != nil {
			return false, err
		}
		if len(versions) > 0 {
			continue
		}
		a, err := r.Tx.Association(e.AssociationID)
		if err != nil {
			return false, err
		}
		leader, err := r.Tx.User(a.LeaderID)
		if err != nil || leader.Blocked {
			continue // no leader to ask
		}
		l := r.locOf(leader)
		title, err := b.eventTitle(r.Tx, l, e, a)
		if err != nil {
			return false, err
		}
		key := "conv_meet.minutes_prompt"
		if !first {
			key = "conv_meet.minutes_reminder"
		}
		r.Send(leader.ID, l.T(key, "Title", rawArg(title), "Topic", e.Topic),
			[]Button{r.Button(l.T("conv_meet.minutes_button"), verbMinutesCompose, eid(e))})
		queued = true
	}
	return queued, nil
}

// tellLeaderCheckin sends the leader, once check-in opened, the code and
// the buttons to show the QR code and to open the live view, in one
// message.
func (b *Engine) tellLeaderCheckin(r *Request, e *mmo.Event, a *mmo.Association) error {
	if a.LeaderID == 0 || r.Update != nil && r.Known && r.User.ID == a.LeaderID {
		return nil // the leader opened it by hand and sees the view already
	}
	text, kb, ok, err := b.leaderCheckinMessage(r, e, a, true)
	if ok {
		r.SendKept(a.LeaderID, leaderCheckinKey(e), text, kb...)
	}
	return err
}

// leaderCheckinKey names the leader's «Отметка открыта» message of an
// event, which closing check-in edits.
func leaderCheckinKey(e *mmo.Event) string { return "checkin_leader:" + eid(e) }

// leaderCheckinMessage is the leader's message about check-in, in the
// leader's language: open, the code and the QR button; closed, the list
// of who came alone. ok is false when there is no leader to tell (none,
// gone, or one who blocked the bot).
func (b *Engine) leaderCheckinMessage(r *Request, e *mmo.Event, a *mmo.Association, open bool) (text string, kb [][]Button, ok bool, err error) {
	if a.LeaderID == 0 {
		return "", nil, false, nil
	}
	leader, err := r.Tx.User(a.LeaderID)
	if err != nil || leader.Blocked {
		return "", nil, false, nil
	}
	l := r.locOf(leader)
	title, err := b.eventTitle(r.Tx, l, e, a)
	if err != nil {
		return "", nil, false, err
	}
	id := eid(e)
	view := r.Button(l.T("conv_meet.checkin_view"), verbCheckin, id)
	if !open {
		return l.T("conv_meet.checkin_leader_closed", "Title", rawArg(title)), [][]Button{{view}}, true, nil
	}
	return l.T("conv_meet.checkin_leader", "Title", rawArg(title), "Code", e.Checkin.Code),
		[][]Button{{r.Button(l.T("checkin.qr_button"), verbCheckinQR, id), view}}, true, nil
}

// editLeaderCheckin redraws the leader's message about check-in, open or
// closed, so that its QR button does not outlive the check-in; nothing
// if the leader got none (they opened it by hand).
func (b *Engine) editLeaderCheckin(r *Request, e *mmo.Event, a *mmo.Association, open bool) error {
	text, kb, ok, err := b.leaderCheckinMessage(r, e, a, open)
	if ok {
		r.EditKept(leaderCheckinKey(e), text, kb...)
	}
	return err
}

// rememberView records the pressed message as the view under key, and
// forgets the other views of the same thing recorded on that message: one
// message shows one view, and what refreshes another must not draw over
// it (a member's answer must not turn the leader's check-in view back
// into the event's card).
func (r *Request) rememberView(key string, others ...string) error {
	p := r.Update.Press
	if p == nil || p.Message == "" {
		return nil
	}
	for _, k := range others {
		rec, err := r.Tx.Sent(k)
		if err != nil {
			continue
		}
		if r.onPressed(rec) {
			if err := r.Tx.DeleteSent(k); err != nil {
				return err
			}
		}
	}
	return r.remember(key)
}

// checkinLine is the check-in as the leader's card shows it: open or
// closed, the code while open, and how many are marked present.
func checkinLine(l loc, v *boltdb.EventView, open bool) string {
	present, total := 0, 0
	for _, m := range v.Members {
		if m.User.ID == v.Association.LeaderID {
			continue // counted as the answers are: the members asked
		}
		total++
		if x, ok := v.Attendance[m.User.ID]; ok && x.Mark == mmo.MarkPresent {
			present++
		}
	}
	if open {
		return l.T("conv_meet.card_checkin_open", "Code", v.Event.Checkin.Code, "Present", present, "Total", total)
	}
	return l.T("conv_meet.card_checkin_closed", "Present", present, "Total", total)
}
